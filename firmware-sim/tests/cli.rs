//! The `record` command line: default placement, files written, errors.

use std::process::Command;

fn sim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_firmware-sim"))
}

#[test]
fn record_writes_csv_and_truth_with_the_first_strap_by_default() {
    let dir = std::env::temp_dir().join(format!("fsim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (csv, truth) = (dir.join("rec.csv"), dir.join("truth.json"));
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/squat.toml");
    let status = sim()
        .args([
            "record",
            "--scenario",
            scenario,
            "--rate",
            "25",
            "--seed",
            "3",
        ])
        .arg("--out")
        .arg(&csv)
        .arg("--truth")
        .arg(&truth)
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("t,ax,ay,az,gx,gy,gz"));
    assert_eq!(lines.next().unwrap().split(',').count(), 7);
    let t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&truth).unwrap()).unwrap();
    assert_eq!(t["reps"].as_array().unwrap().len(), 10);
    assert!(t["slouches"].as_array().unwrap().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn record_rejects_a_bad_scenario_naming_the_file() {
    let out = sim()
        .args([
            "record",
            "--scenario",
            "/nonexistent/x.toml",
            "--out",
            "/dev/null",
            "--truth",
            "/dev/null",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/x.toml"));
}

#[test]
fn bus_subcommand_prints_the_address_and_stops_its_daemon_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let dir = std::env::temp_dir().join(format!("fsim-bus-{}", std::process::id()));
    let mut child = sim()
        .arg("bus")
        .arg("--dir")
        .arg(&dir)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let expected = format!(
        "export DBUS_SYSTEM_BUS_ADDRESS=unix:path={}/system_bus_socket",
        dir.display()
    );
    assert!(line.starts_with(&expected), "{line}");
    assert!(daemon_running(&dir));
    let status = Command::new("kill")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success());
    // dbus-daemon removes its socket when it exits.
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(
        !dir.join("system_bus_socket").exists(),
        "dbus-daemon still running"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Whether a dbus-daemon with DIR's config is alive (a zombie does not count).
fn daemon_running(dir: &std::path::Path) -> bool {
    let needle = format!("--config-file={}/bus.conf", dir.display());
    std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        String::from_utf8_lossy(&cmd).contains(&needle) && !stat.contains(") Z ")
    })
}
