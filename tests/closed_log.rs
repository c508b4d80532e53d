//! A closed log stream must not stop or hang the daemon (issue 12): run as
//! `postured run 2>&1 | head -5`, or under systemd when the journal's stream
//! goes away, stderr becomes a pipe nobody reads. SIGTERM must still stop
//! `postured run`, and it must keep serving meanwhile.

mod common;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// GETs `path`; the status line.
fn get(addr: SocketAddr, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn sigterm_stops_the_daemon_with_its_stderr_closed() {
    let dir = std::env::temp_dir().join(format!("postured-closed-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Port 0: the daemon binds a free port and tells it on the notify socket.
    let notify = common::NotifySocket::bind(&dir);
    let config = dir.join("postured.toml");
    std::fs::write(
        &config,
        format!(
            "database = {:?}\n[http]\nlisten = \"127.0.0.1:0\"\n",
            dir.join("history.db")
        ),
    )
    .unwrap();
    // Debug logging: plenty of lines to write into the closed pipe.
    let mut child = Command::new(env!("CARGO_BIN_EXE_postured"))
        .args(["-vv", "run", "--config", config.to_str().unwrap()])
        .env("NOTIFY_SOCKET", notify.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -5`: five lines read, then the reader goes away.
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stderr.take().unwrap()));
    for _ in 0..5 {
        assert!(lines.next().is_some_and(|l| l.is_ok()), "five log lines");
    }
    drop(lines);
    drop(child.stdout.take());
    let deadline = Instant::now() + Duration::from_secs(60);
    let addr = loop {
        if let Some(addr) = notify.bound_addr(Duration::from_millis(200)) {
            break addr;
        }
        assert!(Instant::now() < deadline, "the daemon never listened");
        assert!(child.try_wait().unwrap().is_none(), "the daemon exited");
    };
    assert_ne!(addr.port(), 0);
    // It logs each request at debug level into the closed pipe, and answers.
    for _ in 0..20 {
        assert!(get(addr, "/api/health").contains("200"), "still serving");
    }
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("postured run did not stop on SIGTERM with its stderr closed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
