//! postured as a systemd service: the unit files pass `systemd-analyze verify`
//! and the system unit's hardening rates an exposure of 2.5 or less; sysusers
//! and tmpfiles make the user and a config directory only it can read; the
//! daemon tells systemd when it is ready, pings the watchdog, reloads on SIGHUP
//! and says when it stops; under systemd its logs suit the journal.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_postured");

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("service-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A copy of the unit `rel` in `dir` as `postured.service`, its ExecStart on
/// the binary just built (`verify` checks that the command exists), with
/// `extra` lines added to its [Service] section.
fn unit_copy(rel: &str, dir: &Path, extra: &str) -> PathBuf {
    let text = std::fs::read_to_string(repo(rel)).unwrap();
    assert!(
        text.contains("\nExecStart=/usr/bin/postured run\n"),
        "{rel}"
    );
    let text = text
        .replace("ExecStart=/usr/bin/postured", &format!("ExecStart={BIN}"))
        .replace("[Service]\n", &format!("[Service]\n{extra}"));
    let path = dir.join("postured.service");
    std::fs::write(&path, text).unwrap();
    path
}

/// `systemd-analyze [--user] verify UNIT`: its exit status and what it said
/// about the unit.
fn verify(unit: &Path, user: bool) -> (bool, String) {
    let mut cmd = Command::new("systemd-analyze");
    if user {
        // A user manager needs a runtime directory, even for `verify`.
        let runtime = unit.with_file_name("runtime");
        std::fs::create_dir_all(&runtime).unwrap();
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        cmd.arg("--user").env("XDG_RUNTIME_DIR", runtime);
    }
    let out = cmd.arg("verify").arg(unit).output().unwrap();
    let said: Vec<_> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains("postured.service"))
        .map(str::to_owned)
        .collect();
    (out.status.success(), said.join("\n"))
}

#[test]
fn the_units_pass_systemd_analyze_verify() {
    if !common::tool_available("systemd-analyze", &["--version"]) {
        return;
    }
    for (rel, user) in [
        ("systemd/postured.service", false),
        ("systemd/user/postured.service", true),
    ] {
        let dir = scratch(if user { "verify-user" } else { "verify" });
        let (ok, said) = verify(&unit_copy(rel, &dir, ""), user);
        assert!(ok && said.is_empty(), "{rel}: {said}");
        // The check can fail: a misspelt key is reported.
        let (_, said) = verify(&unit_copy(rel, &dir, "ProtectSystm=strict\n"), user);
        assert!(said.contains("Unknown key"), "{rel}: {said:?}");
    }
}

#[test]
fn the_system_unit_rates_an_exposure_of_2_5_or_less() {
    if !common::tool_available("systemd-analyze", &["--version"]) {
        return;
    }
    let dir = scratch("security");
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=yes", "--threshold=25", "--no-pager"])
        .arg(unit_copy("systemd/postured.service", &dir, ""))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let exposure: f64 = text
        .lines()
        .find_map(|l| {
            l.split("Overall exposure level for postured.service:")
                .nth(1)
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no exposure figure in:\n{text}"));
    println!("systemd-analyze security: exposure {exposure}");
    assert!(exposure <= 2.5, "exposure {exposure}:\n{text}");
    assert!(out.status.success(), "{text}");
}

/// The id named `name` in a passwd or group file.
fn id_of(file: &Path, name: &str) -> u32 {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:x:")))
        .and_then(|rest| rest.split(':').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {}", file.display()))
}

#[test]
fn sysusers_and_tmpfiles_make_the_user_and_a_config_only_it_can_read() {
    let is_root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    if !is_root {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root, which chown needs"
        );
        eprintln!("skipped: needs root to chown");
        return;
    }
    if !common::tool_available("systemd-sysusers", &["--version"])
        || !common::tool_available("systemd-tmpfiles", &["--version"])
    {
        return;
    }
    let root = scratch("sysroot");
    std::fs::create_dir_all(root.join("etc/postured")).unwrap();
    std::fs::write(root.join("etc/postured/config.toml"), "").unwrap();
    for (tool, file) in [
        ("systemd-sysusers", "systemd/sysusers.d/postured.conf"),
        ("systemd-tmpfiles", "systemd/tmpfiles.d/postured.conf"),
    ] {
        let mut cmd = Command::new(tool);
        cmd.arg(format!("--root={}", root.display()));
        if tool == "systemd-tmpfiles" {
            cmd.arg("--create");
        }
        let out = cmd.arg(repo(file)).output().unwrap();
        assert!(
            out.status.success(),
            "{tool}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let gid = id_of(&root.join("etc/group"), "postured");
    assert_eq!(id_of(&root.join("etc/passwd"), "postured"), gid);
    let group = std::fs::read_to_string(root.join("etc/group")).unwrap();
    assert!(
        group
            .lines()
            .any(|l| l.starts_with("bluetooth:") && l.ends_with(":postured")),
        "{group}"
    );
    for (path, mode) in [("etc/postured", 0o750), ("etc/postured/config.toml", 0o640)] {
        let m = std::fs::metadata(root.join(path)).unwrap();
        assert_eq!(
            (m.mode() & 0o777, m.uid(), m.gid()),
            (mode, 0, gid),
            "{path}"
        );
    }
}

#[test]
fn the_unit_directories_give_the_config_and_database_places() {
    let dir = scratch("dirs");
    let out = Command::new(BIN)
        .arg("check-config")
        .env("CONFIGURATION_DIRECTORY", dir.join("etc"))
        .env("STATE_DIRECTORY", dir.join("lib"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    let want = format!(
        "{}: ok (0 straps, 0 routines; database {}; listening on 127.0.0.1:8621)",
        dir.join("etc/config.toml").display(),
        dir.join("lib/postured.db").display()
    );
    assert_eq!(said.trim(), want);
}

/// A config for a daemon without straps, on a port of its own (0: the daemon
/// binds a free one, no race), in `dir`.
fn config(dir: &Path) -> PathBuf {
    let path = dir.join("config.toml");
    let text = format!(
        "database = {:?}\nexercises_dir = {:?}\n[http]\nlisten = \"127.0.0.1:0\"\n[alerts]\ndesktop = false\n",
        dir.join("history.db"),
        dir.join("exercises"),
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn postured_run(config: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(["run", "--config"])
        .arg(config)
        .env_remove("RUST_LOG")
        .env_remove("NOTIFY_SOCKET")
        .env_remove("WATCHDOG_USEC")
        .env_remove("WATCHDOG_PID")
        .env_remove("JOURNAL_STREAM");
    cmd
}

/// Waits for the child to exit on its own.
fn exited(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("postured did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The next notification that is not a watchdog ping.
fn next_state(sock: &UnixDatagram) -> String {
    let mut buf = [0; 4096];
    loop {
        let n = sock.recv(&mut buf).expect("a notification in time");
        let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
        if msg != "WATCHDOG=1\n" {
            return msg;
        }
    }
}

#[test]
fn it_tells_systemd_ready_watchdog_reloading_and_stopping() {
    let dir = scratch("notify");
    let sock = UnixDatagram::bind(dir.join("notify")).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut child = postured_run(&config(&dir))
        .env("NOTIFY_SOCKET", dir.join("notify"))
        .env("WATCHDOG_USEC", "200000")
        .stderr(std::fs::File::create(dir.join("stderr")).unwrap())
        .spawn()
        .unwrap();
    let ready = next_state(&sock);
    assert!(ready.starts_with("READY=1\nSTATUS=running"), "{ready:?}");

    // Pings at half the watchdog period: 0.1 s.
    let start = Instant::now();
    let mut buf = [0; 4096];
    for _ in 0..5 {
        let n = sock.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"WATCHDOG=1\n");
    }
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(350) && took < Duration::from_secs(3),
        "5 pings took {took:?}"
    );

    common::send_signal(child.id(), "HUP");
    let reloading = next_state(&sock);
    let usec = reloading
        .strip_prefix("RELOADING=1\nMONOTONIC_USEC=")
        .and_then(|rest| rest.trim_end().parse::<u64>().ok());
    assert!(usec.is_some_and(|u| u > 0), "{reloading:?}");
    let ready = next_state(&sock);
    assert!(ready.starts_with("READY=1\n"), "{ready:?}");

    common::send_signal(child.id(), "TERM");
    assert_eq!(next_state(&sock), "STOPPING=1\n");
    let status = exited(&mut child, Duration::from_secs(15));
    let log = std::fs::read_to_string(dir.join("stderr")).unwrap();
    assert!(status.success(), "{status}: {log}");
    assert!(log.contains("configuration unchanged"), "{log}");
}

/// Whether `line` holds an RFC 3339 time such as `2025-01-31T12:00:00`.
fn has_timestamp(line: &str) -> bool {
    let shape = b"dddd-dd-ddTdd:dd:dd";
    line.as_bytes().windows(shape.len()).any(|w| {
        w.iter().zip(shape).all(|(c, s)| {
            if *s == b'd' {
                c.is_ascii_digit()
            } else {
                c == s
            }
        })
    })
}

/// Runs the daemon until it listens, then stops it; returns its stderr.
fn logs(journal_stream: impl Fn(&std::fs::Metadata) -> String) -> String {
    let dir = scratch("logs");
    let log = dir.join("stderr");
    let file = std::fs::File::create(&log).unwrap();
    let stream = journal_stream(&file.metadata().unwrap());
    let mut child = postured_run(&config(&dir))
        .env("JOURNAL_STREAM", stream)
        .stderr(file)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !std::fs::read_to_string(&log)
        .unwrap()
        .contains("listening on")
    {
        assert!(Instant::now() < deadline, "postured does not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    common::send_signal(child.id(), "TERM");
    let status = exited(&mut child, Duration::from_secs(15));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{status}: {text}");
    text
}

#[test]
fn logs_to_the_journal_carry_priorities_and_no_timestamps_or_colours() {
    let journal = logs(|m| format!("{}:{}", m.dev(), m.ino()));
    assert!(!journal.contains('\u{1b}'), "{journal}");
    for line in journal.lines() {
        assert!(!has_timestamp(line), "{line}");
        let p = line.strip_prefix('<').and_then(|l| l.chars().next());
        assert!(p.is_some_and(|c| c.is_ascii_digit()), "{line}");
    }
    assert!(
        journal.contains("<6> INFO postured::cli: starting"),
        "{journal}"
    );
    assert!(
        journal.contains("<4> WARN postured::daemon: no straps configured"),
        "{journal}"
    );

    // Inherited from a parent under systemd but not our stderr: plain lines,
    // with times, still without colours (not a terminal).
    let plain = logs(|_| "1:1".to_owned());
    assert!(
        !plain.contains('\u{1b}') && !plain.contains("<6>"),
        "{plain}"
    );
    assert!(
        plain.lines().all(has_timestamp) && plain.contains("INFO postured::cli: starting"),
        "{plain}"
    );
}
