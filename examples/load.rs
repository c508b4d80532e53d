//! A load benchmark of the daemon (not a test): 8 simulated straps streaming at
//! 200 Hz into `postured run`, through a private D-Bus and btleplug. Reports the
//! daemon's CPU use, resident memory, and the time from the sample that completes
//! a slouch delay to the alert on the SSE stream.
//!
//! ```text
//! cargo build --release && cargo run --release --example load [-- SECONDS]
//! ```

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use firmware_sim::bluez::ServeConfig;
use firmware_sim::bus::PrivateBus;
use firmware_sim::scenario::Scenario;
use firmware_sim::strap::StrapInfo;
use futures::StreamExt;
use serde_json::Value;

const SCENARIO: &str = r#"
description = "Sitting, then a long slouch."
[[straps]]
kind = "polar-h10"
placement = "chest"
[[segments]]
activity = "sit"
duration_s = 25.0
[[segments]]
activity = "slouch"
duration_s = 600.0
tilt_deg = 25.0
"#;
const DELAY_S: f64 = 20.0;

fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    fields
        .get(11)
        .and_then(|u| u.parse::<u64>().ok())
        .unwrap_or(0)
        + fields
            .get(12)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0)
}

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let dir = std::env::temp_dir().join(format!("postured-load-{}", std::process::id()));
    let bus = PrivateBus::start(&dir.join("bus"))?;
    let kinds = [
        "polar-h10:chest",
        "open-imu:thigh:left",
        "polar-h10:upper-back",
        "open-imu:thigh:right",
        "polar-h10:chest",
        "open-imu:ankle:left",
        "polar-h10:chest",
        "open-imu:wrist:left",
    ];
    let straps = kinds
        .iter()
        .enumerate()
        .map(|(i, s)| StrapInfo::parse(s, i as u64).unwrap())
        .collect();
    let cfg = ServeConfig {
        scenario: Scenario::parse(SCENARIO, Path::new("load.toml"))?,
        straps,
        seed: 1,
        speed: 1.0,
        address: Some(bus.address().to_owned()),
    };
    let server = firmware_sim::bluez::start(cfg).await?;
    tokio::spawn(server.run(std::future::pending()));

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut config = format!(
        "database = {:?}\n[http]\nlisten = \"127.0.0.1:{port}\"\n[posture]\ndelay_s = {DELAY_S}\n[alerts]\ndesktop = false\n",
        dir.join("load.db")
    );
    for (i, k) in kinds.iter().enumerate() {
        let placement = k.split(':').nth(1).unwrap();
        config.push_str(&format!("[[strap]]\naddress = \"F0:5E:D0:00:00:{:02X}\"\nplacement = \"{placement}\"\nrate_hz = 200\n", i + 1));
    }
    std::fs::write(dir.join("config.toml"), config)?;
    let exe = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/postured");
    let mut child = tokio::process::Command::new(&exe)
        .args(["run", "--config", dir.join("config.toml").to_str().unwrap()])
        .env("DBUS_SYSTEM_BUS_ADDRESS", bus.address())
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    loop {
        let straps: Option<Value> = match reqwest::get(format!("{base}/api/straps")).await {
            Ok(r) => r.json().await.ok(),
            Err(_) => None,
        };
        if straps
            .as_ref()
            .and_then(|s| s.as_array())
            .is_some_and(|a| a.iter().all(|s| s["state"] == "streaming"))
        {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(30),
            "straps did not all stream: {straps:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!(
        "8 straps streaming after {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut events = reqwest::get(format!("{base}/api/events"))
        .await?
        .bytes_stream();
    let alert = tokio::spawn(async move {
        let mut buf = String::new();
        let mut latencies = Vec::new();
        while let Some(Ok(chunk)) = events.next().await {
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data:")) {
                    let e: Value = serde_json::from_str(data.trim()).unwrap_or(Value::Null);
                    if e["type"] == "slouch_alert" {
                        latencies.push(
                            (now() - (e["start_s"].as_f64().unwrap_or(0.0) + DELAY_S)) * 1000.0,
                        );
                    }
                }
            }
            if latencies.len() >= 4 {
                break;
            }
        }
        latencies
    });
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (t0, c0) = (Instant::now(), cpu_ticks(pid));
    let mut peak_rss: f64 = 0.0;
    while t0.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        peak_rss = peak_rss.max(rss_mb(pid));
        print!(".");
        std::io::stdout().flush()?;
    }
    let ticks_per_s = 100.0; // USER_HZ on Linux
    let cpu = (cpu_ticks(pid) - c0) as f64 / ticks_per_s / t0.elapsed().as_secs_f64() * 100.0;
    println!(
        "\ndaemon over {seconds} s with 8 straps at 200 Hz: CPU {cpu:.1}% of one core, resident memory {:.1} MB now, {peak_rss:.1} MB at most",
        rss_mb(pid)
    );
    let latencies = tokio::time::timeout(Duration::from_secs(5), alert)
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    println!("slouch alert latency, sample completing the delay -> SSE event: {latencies:.0?} ms");
    child.start_kill()?;
    let _ = child.wait().await;
    drop(bus);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
