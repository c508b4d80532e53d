//! `postured demo` as a user runs it: both simulated straps stream through the
//! daemon's API, with Debian's dbus-daemon and, where it is not installed, with
//! the built-in bus; SIGTERM, or Ctrl-C to its process group, stops it cleanly,
//! without a warning, and leaves nothing behind.

use std::io::BufRead;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn straps(base: &str) -> Option<serde_json::Value> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        reqwest::get(format!("{base}/api/straps"))
            .await
            .ok()?
            .json()
            .await
            .ok()
    })
}

/// The dashboard's `http://ADDR` from the demo's "Dashboard and API:
/// http://ADDR/" line on `stdout`, within `wait`.
fn dashboard(stdout: std::process::ChildStdout, wait: Duration) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    // Reads to the end, so that the demo never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let _ = tx.send(line.unwrap());
        }
    });
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx
            .recv_timeout(left)
            .expect("the demo prints its dashboard's address");
        if let Some(at) = line.strip_prefix("Dashboard and API: ") {
            let url = at.split_whitespace().next().unwrap();
            return url.trim_end_matches('/').to_owned();
        }
    }
}

/// How the demo is stopped: SIGTERM to it (as systemd or `kill` would), or
/// SIGINT to its whole process group (Ctrl-C at a terminal, or `timeout`).
#[derive(Clone, Copy)]
enum Stop {
    Term,
    CtrlC,
}

fn demo(path_env: &str, stop: Stop) {
    let log = std::env::temp_dir().join(format!(
        "postured-demo-test-{}-{}.log",
        std::process::id(),
        matches!(stop, Stop::Term)
    ));
    // Port 0: the daemon binds a free port and the demo prints which.
    let mut child = Command::new(env!("CARGO_BIN_EXE_postured"))
        .args(["demo", "--listen", "127.0.0.1:0"])
        .env("PATH", path_env)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .process_group(0)
        .spawn()
        .unwrap();
    let base = dashboard(child.stdout.take().unwrap(), Duration::from_secs(30));
    let addr: std::net::SocketAddr = base.strip_prefix("http://").unwrap().parse().unwrap();
    assert_ne!(addr.port(), 0, "the demo prints the port it bound");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = straps(&base);
        if s.as_ref()
            .and_then(|v| v.as_array())
            .is_some_and(|a| a.len() == 2 && a.iter().all(|x| x["state"] == "streaming"))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "demo straps not streaming: {s:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let pid = child.id();
    let dir = std::env::temp_dir().join(format!("postured-demo-{pid}"));
    assert!(dir.exists());
    let (signal, target) = match stop {
        Stop::Term => ("-TERM", pid.to_string()),
        Stop::CtrlC => ("-INT", format!("-{pid}")),
    };
    assert!(
        Command::new("/usr/bin/kill")
            .args([signal, "--", &target])
            .status()
            .unwrap()
            .success()
    );
    let stopped = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(15),
            "demo did not stop on {signal}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status}");
    assert!(!dir.exists(), "{} left behind", dir.display());
    assert!(straps(&base).is_none(), "the daemon still answers");
    // Everything stops in order: the straps are not left talking to a bus
    // that went away first.
    let text = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    let warnings: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
        .collect();
    assert!(
        warnings.is_empty(),
        "stopping warned:\n{}",
        warnings.join("\n")
    );
}

#[test]
fn the_demo_runs_on_dbus_daemon() {
    demo(&std::env::var("PATH").unwrap_or_default(), Stop::CtrlC);
}

#[test]
fn the_demo_runs_without_dbus_daemon() {
    demo("/nonexistent", Stop::Term);
}

/// Output into a pipe nobody reads any more (`postured demo | head -1` once
/// `head` has gone) ends the demo at once and quietly, leaving nothing behind,
/// instead of panicking in a print.
#[test]
fn a_demo_whose_output_nobody_reads_ends_quietly() {
    let log = std::env::temp_dir().join(format!(
        "postured-demo-test-{}-closed.log",
        std::process::id()
    ));
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = Command::new(env!("CARGO_BIN_EXE_postured"))
        .args(["demo", "--listen", "127.0.0.1:0"])
        .stdout(writer)
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the demo ran on with nobody reading its output");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let text = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    assert!(status.success(), "{status}:\n{text}");
    assert!(!text.contains("panicked"), "{text}");
    let dir = std::env::temp_dir().join(format!("postured-demo-{}", child.id()));
    assert!(!dir.exists(), "{} left behind", dir.display());
}
