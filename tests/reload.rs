//! `systemctl reload postured` (SIGHUP) while a strap streams: new alert and
//! posture settings are in force at once and the strap stays connected (no
//! link change, nothing written to it again); a file that does not check is
//! refused, its line named in the log, and the settings in force stay; a
//! changed strap list is reported as waiting for a restart.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

const ADDRESS: &str = "F0:5E:D0:00:00:01";

#[test]
fn sighup_reloads_settings_without_dropping_the_strap() {
    common::on_private_bus("inner_reload");
}

struct Setup {
    config: PathBuf,
    log: PathBuf,
    head: String,
}

impl Setup {
    /// The daemon listens on port 0: it binds a free one (no race) and logs it.
    fn new(dir: &Path) -> Self {
        let head = format!(
            "database = {:?}\nexercises_dir = {:?}\n[http]\nlisten = \"127.0.0.1:0\"\n",
            dir.join("history.db"),
            dir.join("exercises"),
        );
        Self {
            config: dir.join("config.toml"),
            log: dir.join("stderr"),
            head,
        }
    }

    /// Writes the config: `body` between the common head and the strap.
    fn write(&self, body: &str, straps: usize) {
        let mut text = format!("{}{body}\n", self.head);
        for i in 1..=straps {
            text.push_str(&format!(
                "[[strap]]\naddress = \"F0:5E:D0:00:00:0{i}\"\nplacement = \"chest\"\n"
            ));
        }
        std::fs::write(&self.config, text).unwrap();
    }

    /// `http://ADDR` from the daemon's "listening on http://ADDR/".
    fn base(&self) -> String {
        let log = self.log();
        let at = log
            .split("listening on ")
            .nth(1)
            .expect("the daemon listens");
        at.split_whitespace()
            .next()
            .unwrap()
            .trim_end_matches('/')
            .to_owned()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log says `what` `n` times.
    async fn logged(&self, what: &str, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.log().matches(what).count() < n {
            assert!(
                Instant::now() < deadline,
                "{what:?} not logged:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn settings(snooze_min: f64, tolerance_deg: f64) -> String {
    format!(
        "[alerts]\ndesktop = false\nsnooze_min = {snooze_min}\n[posture]\ntolerance_deg = {tolerance_deg}\n"
    )
}

/// Waits until the daemon answers and its strap streams.
async fn streaming(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(Instant::now() < deadline, "the strap does not stream");
        if let Ok(r) = reqwest::get(format!("{base}/api/straps")).await
            && let Ok(straps) = r.json::<Value>().await
            && straps[0]["state"] == "streaming"
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Minutes of snooze the daemon grants now.
async fn snooze_min(base: &str) -> f64 {
    let now = postured::daemon::now_s();
    let v: Value = reqwest::Client::new()
        .post(format!("{base}/api/snooze"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    ((v["snoozed_until"].as_f64().unwrap() - now) / 60.0 * 10.0).round() / 10.0
}

/// The posture tolerance of the next live tick; fails on any strap event (a
/// link change) met on the way.
async fn tolerance(events: &mut tokio::sync::mpsc::UnboundedReceiver<(Instant, Value)>, want: f64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(Instant::now() < deadline, "no tick with tolerance {want}");
        let (_, e) = common::next_event(events, 10).await;
        assert!(
            e["type"] != "strap" || e["state"] == "streaming",
            "the strap's link changed: {e}"
        );
        if e["type"] == "tick" && e["posture"]["tolerance_deg"].as_f64() == Some(want) {
            return;
        }
    }
}

#[test]
#[ignore = "run by sighup_reloads_settings_without_dropping_the_strap on its private bus"]
fn inner_reload() {
    if !common::is_inner() {
        return;
    }
    let rt = common::runtime();
    rt.block_on(async {
        let _sim = common::simulator("desk-hour", &["polar-h10:chest"], 1.0).await;
        let sim = common::control().await;
        let dir =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("reload-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let setup = Setup::new(&dir);
        setup.write(&settings(30.0, 15.0), 1);
        let mut daemon = tokio::process::Command::new(env!("CARGO_BIN_EXE_postured"))
            .args(["run", "--config"])
            .arg(&setup.config)
            .env_remove("RUST_LOG")
            .stderr(std::fs::File::create(&setup.log).unwrap())
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let pid = daemon.id().unwrap();
        setup.logged("listening on http://", 1).await;
        let base = setup.base();
        streaming(&base).await;
        let mut events = common::sse(format!("{base}/api/events"));
        tolerance(&mut events, 15.0).await;
        assert_eq!(snooze_min(&base).await, 30.0);
        // Setting the strap up writes to it (start the stream): none of that again.
        assert!(!sim.writes(ADDRESS).await.unwrap().is_empty());
        sim.clear_writes(ADDRESS).await.unwrap();

        // New alert and posture settings: in force at once, the strap untouched.
        setup.write(&settings(5.0, 22.0), 1);
        common::send_signal(pid, "HUP");
        setup
            .logged("configuration reloaded: posture, alerts applied", 1)
            .await;
        assert_eq!(snooze_min(&base).await, 5.0);
        tolerance(&mut events, 22.0).await;
        assert_eq!(
            sim.writes(ADDRESS).await.unwrap(),
            vec![],
            "the strap was set up again"
        );
        assert!(
            sim.link(ADDRESS).await.unwrap().0,
            "the strap is not connected"
        );

        // A file that does not check: refused with its line, the settings stay.
        setup.write(&settings(1.0, 120.0), 1);
        common::send_signal(pid, "HUP");
        setup
            .logged("configuration not reloaded, the one in force stays", 1)
            .await;
        let log = setup.log();
        let line = format!("{}:9: `posture.tolerance_deg`", setup.config.display());
        assert!(log.contains(&line), "{line:?} not in:\n{log}");
        assert!(
            daemon.try_wait().unwrap().is_none(),
            "postured exited:\n{log}"
        );
        assert_eq!(snooze_min(&base).await, 5.0);
        tolerance(&mut events, 22.0).await;

        // Another strap: waits for a restart; the live settings still apply.
        setup.write(&settings(10.0, 22.0), 2);
        common::send_signal(pid, "HUP");
        setup
            .logged("changes to strap take effect at the next restart", 1)
            .await;
        setup
            .logged("configuration reloaded: alerts applied", 1)
            .await;
        assert_eq!(snooze_min(&base).await, 10.0);
        let straps: Value = common::get_json(format!("{base}/api/straps")).await;
        assert_eq!(straps.as_array().map(Vec::len), Some(1), "{straps}");
        assert_eq!(straps[0]["state"], "streaming", "{straps}");
        assert_eq!(
            sim.writes(ADDRESS).await.unwrap(),
            vec![],
            "the strap was set up again"
        );
        assert!(!setup.log().contains("link lost"), "{}", setup.log());

        common::send_signal(pid, "TERM");
        let status = tokio::time::timeout(Duration::from_secs(15), daemon.wait())
            .await
            .unwrap()
            .unwrap();
        assert!(status.success(), "{status}: {}", setup.log());
        println!("{}", setup.log());
    });
}
