//! `postured demo` as a user runs it: both simulated straps stream through the
//! daemon's API, with Debian's dbus-daemon and, where it is not installed, with
//! the built-in bus; SIGTERM stops it cleanly and leaves nothing behind.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

fn straps(port: u16) -> Option<serde_json::Value> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        reqwest::get(format!("http://127.0.0.1:{port}/api/straps"))
            .await
            .ok()?
            .json()
            .await
            .ok()
    })
}

fn demo(path_env: &str) {
    let port = common::free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_postured"))
        .args(["demo", "--listen", &format!("127.0.0.1:{port}")])
        .env("PATH", path_env)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = straps(port);
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
    assert!(
        Command::new("/usr/bin/kill")
            .args(["-TERM", &pid.to_string()])
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
            "demo did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status}");
    assert!(!dir.exists(), "{} left behind", dir.display());
    assert!(straps(port).is_none(), "the daemon still answers");
}

#[test]
fn the_demo_runs_on_dbus_daemon() {
    demo(&std::env::var("PATH").unwrap_or_default());
}

#[test]
fn the_demo_runs_without_dbus_daemon() {
    demo("/nonexistent");
}
