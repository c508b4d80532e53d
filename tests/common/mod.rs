//! Runs tests on a private system bus with firmware-sim serving BlueZ's API.
//!
//! libdbus (under btleplug) reads DBUS_SYSTEM_BUS_ADDRESS once per process and
//! setting it in-process needs `unsafe`, so each bus test re-runs this test binary
//! as a child with the variable set: the outer test starts the bus, the inner one
//! (an ignored test that returns at once unless it is the child) starts the
//! simulator in-process and runs the real device code against it.

#![allow(dead_code, reason = "each test binary uses a part")]

mod api;
mod harness;

#[allow(unused_imports, reason = "each test binary uses a part")]
pub use api::Api;
#[allow(unused_imports, reason = "each test binary uses a part")]
pub use harness::{TestDaemon, scratch};

use std::path::Path;

use firmware_sim::bluez::control::Sim1Proxy;
use firmware_sim::bluez::{ServeConfig, Server};
use firmware_sim::bus::PrivateBus;
use firmware_sim::scenario::Scenario;
use firmware_sim::strap::StrapInfo;

/// Set in the child that runs an inner test.
pub const INNER: &str = "POSTURED_INNER_TEST";

/// Whether this process is the child on the private bus.
pub fn is_inner() -> bool {
    std::env::var_os(INNER).is_some()
}

/// Starts a private bus and runs the ignored test `inner` of this binary on it;
/// panics with the child's output unless it passed.
pub fn on_private_bus(inner: &str) {
    let dir = std::env::temp_dir().join(format!("postured-{inner}-{}", std::process::id()));
    let bus =
        PrivateBus::start(&dir).expect("dbus-daemon starts (scripts/install-deps.sh installs it)");
    bus.run_test(inner, INNER);
    drop(bus);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Starts firmware-sim in this process, serving `straps` (`polar-h10:chest`, ...)
/// acting out `scenario` (a file in firmware-sim/scenarios) at `speed`, until the
/// returned token is cancelled.
pub async fn simulator(
    scenario: &str,
    straps: &[&str],
    speed: f64,
) -> tokio_util::sync::CancellationToken {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("firmware-sim/scenarios")
        .join(format!("{scenario}.toml"));
    simulate(Scenario::load(&path).unwrap(), straps, speed).await
}

/// Like [`simulator`], for a scenario built by the test.
pub async fn simulate(
    scenario: Scenario,
    straps: &[&str],
    speed: f64,
) -> tokio_util::sync::CancellationToken {
    let cfg = ServeConfig {
        scenario,
        straps: straps
            .iter()
            .enumerate()
            .map(|(i, s)| StrapInfo::parse(s, i as u64).unwrap())
            .collect(),
        seed: 1,
        speed,
        address: None,
    };
    let server: Server = firmware_sim::bluez::start(cfg)
        .await
        .expect("simulator takes org.bluez");
    let stop = tokio_util::sync::CancellationToken::new();
    let token = stop.clone();
    tokio::spawn(server.run(async move { token.cancelled().await }));
    stop
}

/// The simulator's control interface.
pub async fn control() -> Sim1Proxy<'static> {
    let conn = zbus::Connection::system().await.unwrap();
    Sim1Proxy::new(&conn).await.unwrap()
}

/// Match rules the bus holds, over all connections.
pub async fn match_rules() -> usize {
    let conn = zbus::Connection::system().await.unwrap();
    let reply = conn
        .call_method(
            Some("org.freedesktop.DBus"),
            "/org/freedesktop/DBus",
            Some("org.freedesktop.DBus.Debug.Stats"),
            "GetAllMatchRules",
            &(),
        )
        .await
        .unwrap();
    let rules: std::collections::HashMap<String, Vec<String>> = reply.body().deserialize().unwrap();
    rules.values().map(Vec::len).sum()
}

/// Match rules of the bus connections that listen to `org.bluez` (btleplug's
/// in these tests: bluez-async's rules name the sender).
pub async fn bluez_client_match_rules() -> usize {
    let conn = zbus::Connection::system().await.unwrap();
    let reply = conn
        .call_method(
            Some("org.freedesktop.DBus"),
            "/org/freedesktop/DBus",
            Some("org.freedesktop.DBus.Debug.Stats"),
            "GetAllMatchRules",
            &(),
        )
        .await
        .unwrap();
    let rules: std::collections::HashMap<String, Vec<String>> = reply.body().deserialize().unwrap();
    rules
        .values()
        .filter(|r| r.iter().any(|m| m.contains("sender='org.bluez'")))
        .map(Vec::len)
        .sum()
}

/// Resident memory of this process (kB).
pub fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// A two-thread runtime, like the daemon's on this machine.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A stand-in for systemd's notify socket. A daemon started with
/// `NOTIFY_SOCKET` set to [`NotifySocket::path`] and listening on port 0 binds
/// a free port itself (no race for one) and says which in its readiness
/// message, `READY=1` with `STATUS=running; API on http://ADDR/`.
pub struct NotifySocket {
    socket: std::os::unix::net::UnixDatagram,
    path: std::path::PathBuf,
}

impl NotifySocket {
    /// Binds `dir/notify`.
    pub fn bind(dir: &Path) -> Self {
        let path = dir.join("notify");
        let _ = std::fs::remove_file(&path);
        let socket = std::os::unix::net::UnixDatagram::bind(&path)
            .unwrap_or_else(|e| panic!("binding {}: {e}", path.display()));
        Self { socket, path }
    }

    /// The value for the daemon's `NOTIFY_SOCKET`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The address the daemon listens on, from the next readiness message
    /// within `wait`; `None` if none came.
    pub fn bound_addr(&self, wait: std::time::Duration) -> Option<std::net::SocketAddr> {
        let deadline = std::time::Instant::now() + wait;
        let mut buf = [0; 4096];
        loop {
            let left = deadline.checked_duration_since(std::time::Instant::now())?;
            self.socket
                .set_read_timeout(Some(left.max(std::time::Duration::from_millis(1))))
                .unwrap();
            let n = match self.socket.recv(&mut buf) {
                Ok(n) => n,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return None;
                }
                Err(e) => panic!("reading {}: {e}", self.path.display()),
            };
            let message = String::from_utf8_lossy(&buf[..n]);
            // A reload's readiness message names no address: skipped.
            let addr = message
                .lines()
                .any(|l| l == "READY=1")
                .then(|| message.lines().find_map(|l| l.strip_prefix("STATUS=")))
                .flatten()
                .and_then(|s| s.split("http://").nth(1))
                .and_then(|a| a.split('/').next());
            if let Some(addr) = addr {
                return Some(addr.parse().unwrap_or_else(|e| panic!("{message:?}: {e}")));
            }
        }
    }
}

/// Reads the Server-Sent Events at `url` into a channel as they arrive: each
/// event's JSON data with the moment it was read.
pub fn sse(
    url: String,
) -> tokio::sync::mpsc::UnboundedReceiver<(std::time::Instant, serde_json::Value)> {
    use futures::StreamExt;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let resp = reqwest::get(url).await.unwrap();
        let mut body = resp.bytes_stream();
        let mut buf = String::new();
        while let Some(Ok(chunk)) = body.next().await {
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data:")) {
                    let _ = tx.send((
                        std::time::Instant::now(),
                        serde_json::from_str(data.trim()).unwrap(),
                    ));
                }
            }
        }
    });
    rx
}

/// The next live event within `secs`.
pub async fn next_event(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<(std::time::Instant, serde_json::Value)>,
    secs: u64,
) -> (std::time::Instant, serde_json::Value) {
    tokio::time::timeout(std::time::Duration::from_secs(secs), rx.recv())
        .await
        .expect("an event in time")
        .expect("the event stream is open")
}

/// Sends `signal` (`HUP`, `TERM`, ...) to `pid` with kill(1): no `unsafe` here.
pub fn send_signal(pid: u32, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .expect("kill(1) runs");
    assert!(status.success(), "kill -{signal} {pid}");
}

/// Whether the tools the tests use must be there: under CI, and under
/// scripts/test.sh (`POSTURED_REQUIRE_TOOLS`), which installs them first.
pub fn tools_required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("POSTURED_REQUIRE_TOOLS").is_some()
}

/// Whether `tool` runs (`tool ARGS` exits 0). When it does not, the test that
/// needs it is skipped with a note, except where [`tools_required`] (CI and
/// scripts/test.sh, after scripts/install-deps.sh installed it): there its
/// absence fails the test.
pub fn tool_available(tool: &str, args: &[&str]) -> bool {
    let ok = std::process::Command::new(tool)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        let command = format!("{tool} {}", args.join(" "));
        assert!(
            !tools_required(),
            "`{command}` fails; under CI and scripts/test.sh it must work (scripts/install-deps.sh installs it)"
        );
        eprintln!("skipped: `{command}` fails (scripts/install-deps.sh installs what it needs)");
    }
    ok
}

/// GETs `url`, which must answer, and parses its JSON body.
pub async fn get_json(url: String) -> serde_json::Value {
    reqwest::get(&url)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: not JSON: {e}"))
}
