//! The dashboard in a real browser: Debian's headless Chromium, driven through
//! chromedriver (WebDriver, with fantoccini), against the daemon reaching
//! firmware-sim through btleplug on a private bus. The simulated wearer slouches,
//! then does prone leg raises; the test checks what a person at the page would see:
//! the page loads without console errors, the slouch banner shows and snoozes, a
//! set started from the page counts up rep by rep while the hold timer runs and
//! turns green in the target band, the finished session shows its rep charts, the
//! history renders, and the page reconnects by itself when the daemon restarts.
//! The care loop: the cue switches, the cues and the strap's buzz during the
//! set, the angle trace, the form asking how the set felt, and the clinician
//! report opened in the same browser.
//! Screenshots go to `target/dashboard/` (the README shows the live one).
//!
//! Needs `chromium` and `chromium-driver` (scripts/install-deps.sh installs them).

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use firmware_sim::scenario::Scenario;
use serde_json::{Value, json};

/// What the simulated wearer does.
const SCENARIO: &str = include_str!("fixtures/dashboard-scenario.toml");
/// The daemon's configuration (the harness adds the database).
const CONFIG: &str = include_str!("fixtures/dashboard-config.toml");

/// Scenario seconds per wall second.
const SPEED: f64 = 4.0;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

#[test]
fn the_dashboard_in_a_real_browser() {
    for tool in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(tool).exists(),
            "{tool} is missing: run scripts/install-deps.sh (it installs Debian's chromium and chromium-driver)"
        );
    }
    common::on_private_bus("inner_dashboard");
}

/// Where screenshots go.
fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/dashboard");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// chromedriver on a port of its own, stopped when dropped.
struct Driver {
    child: std::process::Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn chromedriver() -> Driver {
    // Port 0: chromedriver binds a free port and prints which ("ChromeDriver
    // was started successfully on port N.").
    let mut child = std::process::Command::new(CHROMEDRIVER)
        .arg("--port=0")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    // Reads to the end, so that chromedriver never blocks on a full pipe.
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let port = line
                .split("started successfully on port ")
                .nth(1)
                .and_then(|p| p.trim_end_matches('.').parse::<u16>().ok());
            if let Some(port) = port {
                let _ = tx.send(port);
            }
        }
    });
    let port = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("chromedriver says its port");
    assert_ne!(port, 0);
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while reqwest::get(format!("{url}/status")).await.is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not answer");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Driver { child, url }
}

async fn browser(driver: &Driver, profile: &Path) -> Client {
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            // The flags this closed network needs (no background fetches).
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--window-size=1280,1100",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
        "goog:loggingPrefs": { "browser": "ALL" },
    });
    let Value::Object(caps) = caps else {
        unreachable!()
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session")
}

/// The browser's console since the last call (chromedriver's log endpoint).
async fn console(driver: &Driver, b: &Client) -> Vec<Value> {
    let session = b.session_id().await.unwrap().unwrap();
    let r: Value = reqwest::Client::new()
        .post(format!("{}/session/{session}/se/log", driver.url))
        .json(&json!({"type": "browser"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["value"].as_array().cloned().unwrap_or_default()
}

fn errors(log: &[Value]) -> Vec<&Value> {
    log.iter()
        .filter(|e| matches!(e["level"].as_str(), Some("SEVERE" | "WARNING")))
        .collect()
}

async fn text(b: &Client, css: &str) -> String {
    b.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn click(b: &Client, css: &str) {
    b.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn displayed(b: &Client, css: &str) -> bool {
    match b.find(Locator::Css(css)).await {
        Ok(e) => e.is_displayed().await.unwrap_or(false),
        Err(_) => false,
    }
}

/// Waits until `f` is true, polling; panics with `what` after `secs`.
async fn until<F, Fut>(secs: u64, what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f().await {
        assert!(Instant::now() < deadline, "waited {secs} s for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn screenshot(b: &Client, name: &str) {
    let png = b.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    let path = artifacts().join(name);
    std::fs::write(&path, png).unwrap();
    println!("screenshot: {}", path.display());
}

#[test]
#[ignore = "run by the_dashboard_in_a_real_browser on its private bus"]
fn inner_dashboard() {
    if !common::is_inner() {
        return;
    }
    let rt = common::runtime();
    rt.block_on(async {
        let tmp = common::scratch("dash");
        let driver = chromedriver().await;
        let b = browser(&driver, &tmp.join("profile")).await;

        let scenario = Scenario::parse(SCENARIO, Path::new("dash.toml")).unwrap();
        let _sim =
            common::simulate(scenario, &["polar-h10:chest", "open-imu:thigh:left"], SPEED).await;
        let running = common::TestDaemon::start_in(&tmp, CONFIG, 0).await;
        let base = running.base.clone();

        the_page_goes_live(&b, &base).await;
        the_slouch_alert_shows_and_snoozes(&b).await;
        the_cue_switches_follow_the_config_and_the_page(&b, &base).await;
        a_set_from_the_page_counts_up_with_its_hold_timer(&b).await;
        the_strap_buzzed_at_each_holds_target().await;
        the_feedback_form_appears_when_the_set_ends(&b, &base).await;
        the_session_page_charts_the_reps(&b).await;
        the_session_page_shows_how_it_felt(&b).await;
        a_correction_is_kept_beside_the_count(&b, &base).await;
        the_history_shows_the_day_and_advice(&b).await;
        a_set_stopped_from_the_page_and_calibration(&b).await;
        the_report_reads_in_the_same_browser(&b, &base).await;
        let log = console(&driver, &b).await;
        assert!(
            errors(&log).is_empty(),
            "console errors: {:#?}",
            errors(&log)
        );

        let running = the_page_reconnects_after_a_restart(&driver, &b, running, &tmp).await;
        let _ = b.close().await;
        running.stop().await;
    });
}

/// The page loads, connects to the live stream and lists both straps.
async fn the_page_goes_live(b: &Client, base: &str) {
    b.goto(&format!("{base}/")).await.unwrap();
    until(30, "the live stream", || async {
        text(b, "#conn").await == "live"
    })
    .await;
    until(60, "two streaming straps", || async {
        text(b, "#straps").await.matches("streaming").count() == 2
    })
    .await;
    let title = b.title().await.unwrap();
    assert_eq!(title, "postured");
}

/// The slouch: the banner, then Snooze hides it and says until when.
async fn the_slouch_alert_shows_and_snoozes(b: &Client) {
    until(90, "the slouch banner", || async {
        displayed(b, "#alert-banner").await
    })
    .await;
    let banner = text(b, "#alert-banner").await;
    assert!(banner.contains("Sit up straight"), "{banner}");
    assert!(text(b, "#posture-text").await.starts_with("Slouching"));
    screenshot(b, "slouch-alert.png").await;
    click(b, "#snooze").await;
    until(10, "the banner to go", || async {
        !displayed(b, "#alert-banner").await
    })
    .await;
    assert!(text(b, "#set-message").await.contains("snoozed until"));
}

/// A set started from the page: reps count up one by one while the hold timer
/// runs and turns green, and the set ends at its target.
async fn a_set_from_the_page_counts_up_with_its_hold_timer(b: &Client) {
    let select = b.find(Locator::Id("exercise-select")).await.unwrap();
    select.select_by_value("prone-leg-raise").await.unwrap();
    assert!(text(b, "#exercise-dose").await.contains("hold 8–12 s"));
    click(b, "#start-set").await;
    until(10, "the running set", || async {
        displayed(b, "#set-running").await
    })
    .await;
    assert_eq!(text(b, "#rep-counter").await, "0 of 5, left");
    assert_eq!(text(b, "#hold-target").await, "8–12 s");

    // Reps count up one by one while the hold timer runs and turns green; the
    // cues show (and speak) and the angle trace fills.
    let mut cues: Vec<String> = Vec::new();
    let mut trace_span_s: f64 = 0.0;
    let mut counts: Vec<String> = Vec::new();
    let mut holds: Vec<f64> = Vec::new();
    let mut on_target = false;
    let deadline = Instant::now() + Duration::from_secs(240);
    while !text(b, "#set-message").await.contains("ended") {
        assert!(
            Instant::now() < deadline,
            "the set did not end; counts {counts:?}"
        );
        if displayed(b, "#set-running").await {
            let c = text(b, "#rep-counter").await;
            if counts.last() != Some(&c) {
                counts.push(c);
            }
            let cue = text(b, "#cue-line").await;
            if !cue.is_empty() && cues.last() != Some(&cue) {
                cues.push(cue);
            }
            let trace = b.find(Locator::Id("angle-trace")).await.unwrap();
            let span = trace.attr("data-span-s").await.unwrap();
            trace_span_s = trace_span_s.max(span.and_then(|p| p.parse().ok()).unwrap_or(0.0));
            let held = text(b, "#hold-time").await;
            if let Some(s) = held.strip_suffix(" s").and_then(|s| s.parse::<f64>().ok()) {
                holds.push(s);
            }
            let class = b
                .find(Locator::Id("hold"))
                .await
                .unwrap()
                .attr("class")
                .await
                .unwrap()
                .unwrap_or_default();
            if class.contains("on-target") && !on_target {
                on_target = true;
                screenshot(b, "live.png").await;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("counter: {counts:?}");
    let seen: Vec<&str> = counts.iter().map(String::as_str).collect();
    for want in [
        "1 of 5, left",
        "2 of 5, left",
        "3 of 5, left",
        "4 of 5, left",
    ] {
        assert!(
            seen.contains(&want),
            "the counter never showed {want:?}: {seen:?}"
        );
    }
    let rising = holds.windows(2).filter(|w| w[1] > w[0]).count();
    let top = holds.iter().copied().fold(0.0, f64::max);
    assert!(rising >= 10, "the hold timer hardly ran: {holds:?}");
    assert!(
        (8.0..=11.0).contains(&top),
        "the hold timer topped at {top} s"
    );
    assert!(on_target, "the hold never showed as on target");
    cues_and_trace(b, &cues, trace_span_s).await;
    let ended = text(b, "#set-message").await;
    assert!(
        ended.contains("5 reps") && ended.contains("target reached"),
        "{ended}"
    );
}

/// The cue switches: the configuration's defaults, the page's own kept in the
/// browser, the strap's buzz switched through the daemon. Speech is recorded.
async fn the_cue_switches_follow_the_config_and_the_page(b: &Client, base: &str) {
    click(b, "#cue-settings summary").await;
    let checked = |id: &'static str| async move {
        let e = b.find(Locator::Id(id)).await.unwrap();
        e.prop("checked").await.unwrap().as_deref() == Some("true")
    };
    assert!(checked("cue-vibrate").await && checked("cue-tone").await);
    assert!(!checked("cue-ticks").await && !checked("cue-speech").await);
    click(b, "#cue-ticks").await;
    click(b, "#cue-speech").await;
    let kept: Value = b
        .execute(
            "return [localStorage.getItem('postured.cue.ticks'), localStorage.getItem('postured.cue.speech')]",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(kept, json!(["on", "on"]));
    click(b, "#cue-vibrate").await;
    until(10, "the buzz switched off in the daemon", || async {
        common::get_json(format!("{base}/api/cues")).await["vibrate"] == false
    })
    .await;
    click(b, "#cue-vibrate").await;
    until(10, "the buzz switched on again", || async {
        common::get_json(format!("{base}/api/cues")).await["vibrate"] == true
    })
    .await;
    // What the page would say, recorded instead of spoken.
    b.execute(
        "window.spoken = []; speechSynthesis.speak = (u) => window.spoken.push(u.text);",
        vec![],
    )
    .await
    .unwrap();
}

/// During the set: the countdown, the target and the counts showed and were
/// spoken, and the angle trace held the last 30 s over the target band.
async fn cues_and_trace(b: &Client, cues: &[String], trace_span_s: f64) {
    println!("cues: {cues:?}");
    assert!(
        cues.iter().any(|c| c.starts_with("Target reached (8 s)")),
        "{cues:?}"
    );
    assert!(cues.iter().any(|c| c.ends_with('…')), "{cues:?}");
    assert!(cues.iter().any(|c| c == "2 of 5"), "{cues:?}");
    let spoken: Value = b.execute("return window.spoken", vec![]).await.unwrap();
    let spoken: Vec<&str> = spoken
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for want in [
        "one of five",
        "two of five",
        "three of five",
        "four of five",
    ] {
        assert!(spoken.contains(&want), "{spoken:?}");
    }
    // The trace keeps the last 30 s of ticks (strictly newer than 30 s ago, and
    // the page shows the span to a tenth: 29.96 s reads "30.0"), and the set
    // lasted longer.
    assert!((25.0..=30.0).contains(&trace_span_s), "{trace_span_s}");
    let band = b.find(Locator::Css("#angle-trace .trace-band")).await;
    assert!(band.is_ok(), "no target band on the trace");
}

/// The thigh strap (an open IMU strap, which can vibrate) got a short buzz as
/// each hold reached its target (8 s) and none at the maximum (12 s, not held).
async fn the_strap_buzzed_at_each_holds_target() {
    let writes = common::control()
        .await
        .writes("F0:5E:D0:00:00:02")
        .await
        .unwrap();
    let buzzes: Vec<u8> = writes
        .iter()
        .filter(|(uuid, _, _)| uuid == postured::protocol::open_imu::HAPTIC)
        .map(|(_, bytes, _)| bytes[0])
        .collect();
    assert!(
        buzzes.iter().filter(|&&p| p == 1).count() >= 4,
        "{buzzes:?}"
    );
    assert!(!buzzes.contains(&2), "{buzzes:?}");
}

/// The clinician report opens in the same browser, reads without scripts and
/// has every part; the dashboard comes back after.
async fn the_report_reads_in_the_same_browser(b: &Client, base: &str) {
    b.goto(&format!("{base}/report")).await.unwrap();
    let title = b.title().await.unwrap();
    assert!(title.starts_with("postured report"), "{title}");
    let body = text(b, "body").await;
    for part in [
        "Adherence",
        "Prone leg raise",
        "Doorway pectoral stretch",
        "Range of motion, week by week: Prone leg raise",
        "Pain and effort",
        "hamstring <tight> & warm",
        "Posture",
        "Corrections to automatic counts",
    ] {
        assert!(body.contains(part), "the report lacks {part:?}:\n{body}");
    }
    let charts = b.find_all(Locator::Css("svg.chart")).await.unwrap();
    assert!(charts.len() >= 5, "{} charts", charts.len());
    let scripts = b.find_all(Locator::Css("script")).await.unwrap();
    assert!(scripts.is_empty());
    screenshot(b, "report.png").await;
    b.goto(&format!("{base}/")).await.unwrap();
    until(30, "the live stream again", || async {
        text(b, "#conn").await == "live"
    })
    .await;
}

/// When the set ends a small form asks how it felt; what is saved is kept with
/// the set.
async fn the_feedback_form_appears_when_the_set_ends(b: &Client, base: &str) {
    until(10, "the feedback form", || async {
        displayed(b, "#feedback-card form").await
    })
    .await;
    assert!(text(b, "#feedback-card h3").await.contains("How did"));
    for (css, value) in [
        ("#feedback-card input[id^=pain]", "11"),
        ("#feedback-card input[id^=effort]", "6"),
        ("#feedback-card input[id^=note]", "hamstring <tight> & warm"),
    ] {
        let input = b.find(Locator::Css(css)).await.unwrap();
        input.clear().await.unwrap();
        input.send_keys(value).await.unwrap();
    }
    // The page refuses a pain of 11 itself (the API would too, with a reason);
    // nothing is kept until it is 3.
    click(b, "#feedback-card button").await;
    assert!(
        b.find(Locator::Css("#feedback-card input[id^=pain]:invalid"))
            .await
            .is_ok()
    );
    let given: Value = common::get_json(format!("{base}/api/feedback")).await;
    assert_eq!(given, json!([]));
    let pain = b
        .find(Locator::Css("#feedback-card input[id^=pain]"))
        .await
        .unwrap();
    pain.clear().await.unwrap();
    pain.send_keys("3").await.unwrap();
    click(b, "#feedback-card button").await;
    until(10, "the feedback to save", || async {
        text(b, "#feedback-card .message").await == "Saved."
    })
    .await;
    let given: Value = common::get_json(format!("{base}/api/feedback")).await;
    assert_eq!(given[0]["pain"], 3, "{given}");
    assert_eq!(given[0]["effort"], 6, "{given}");
    assert_eq!(given[0]["note"], "hamstring <tight> & warm", "{given}");
    assert!(given[0]["set"].as_i64().is_some(), "{given}");
}

/// The session's page shows (and can change) how the set felt.
async fn the_session_page_shows_how_it_felt(b: &Client) {
    let pain = b.find(Locator::Css(".set input[id^=pain]")).await.unwrap();
    assert_eq!(pain.prop("value").await.unwrap().as_deref(), Some("3"));
    let note = b.find(Locator::Css(".set input[id^=note]")).await.unwrap();
    assert_eq!(
        note.prop("value").await.unwrap().as_deref(),
        Some("hamstring <tight> & warm")
    );
    assert!(displayed(b, "[data-session-feedback] form").await);
}

/// The session's detail: five reps with holds and angles, charted.
async fn the_session_page_charts_the_reps(b: &Client) {
    until(10, "the session in the recent list", || async {
        b.find(Locator::Css("#recent-sessions a")).await.is_ok()
    })
    .await;
    click(b, "#recent-sessions a").await;
    until(10, "the hold, angle and heart-rate charts", || async {
        b.find(Locator::Css(".chart-holds canvas")).await.is_ok()
            && b.find(Locator::Css(".chart-angles canvas")).await.is_ok()
            && b.find(Locator::Css(".chart-heart canvas")).await.is_ok()
    })
    .await;
    let rows = b
        .find_all(Locator::Css(".reps-table tbody tr:not(.muted)"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 5);
    let summary = text(b, ".set-summary").await;
    assert!(summary.starts_with("5 of 5 reps counted"), "{summary}");
    let caption = text(b, ".chart-holds .caption").await;
    assert!(
        caption.starts_with("Shaded band: the target, 8–12 s."),
        "{caption}"
    );
    screenshot(b, "session.png").await;
}

/// A correction from the page is kept beside the count.
async fn a_correction_is_kept_beside_the_count(b: &Client, base: &str) {
    let input = b.find(Locator::Css(".correct-input")).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys("4").await.unwrap();
    click(b, ".correct-form button").await;
    until(10, "the correction to save", || async {
        text(b, ".correct-form .message").await == "Saved."
    })
    .await;
    let page: Value = common::get_json(format!("{base}/api/sessions")).await;
    assert_eq!(page["items"][0]["sets"][0]["corrected_reps"], 4);
    assert_eq!(page["items"][0]["sets"][0]["counted_reps"], 5);
}

/// History: the day's session and posture, and progress advice.
async fn the_history_shows_the_day_and_advice(b: &Client) {
    click(b, "#nav-history").await;
    until(10, "the history charts", || async {
        b.find(Locator::Css("#chart-sessions canvas")).await.is_ok()
            && b.find(Locator::Css("#chart-holds canvas")).await.is_ok()
            && b.find(Locator::Css("#chart-feedback canvas")).await.is_ok()
    })
    .await;
    assert!(
        text(b, "#feedback-notes")
            .await
            .contains("hamstring <tight> & warm")
    );
    assert!(text(b, "#suggestions").await.contains("Prone leg raise"));
    assert_eq!(
        b.find_all(Locator::Css("#history-sessions li a"))
            .await
            .unwrap()
            .len(),
        1
    );
    screenshot(b, "history.png").await;
}

/// Back on the live view: a set started and stopped from the page, then
/// the upright pose calibrated.
async fn a_set_stopped_from_the_page_and_calibration(b: &Client) {
    click(b, "#nav-live").await;
    let select = b.find(Locator::Id("exercise-select")).await.unwrap();
    select.select_by_value("pectoral-stretch").await.unwrap();
    click(b, "#start-set").await;
    until(10, "the second set", || async {
        displayed(b, "#set-running").await
            && text(b, "#set-name").await == "Doorway pectoral stretch"
    })
    .await;
    click(b, "#stop-set").await;
    until(10, "the set to stop", || async {
        text(b, "#set-message").await.contains("(stopped)")
    })
    .await;
    assert!(!displayed(b, "#set-running").await);
    click(b, "#calibrate").await;
    until(10, "the calibration", || async {
        text(b, "#set-message").await == "Calibrated: this is upright now."
    })
    .await;
}

/// The daemon restarts on the same port and database: the page says so, then
/// reconnects by itself, with only refused connections in the console meanwhile.
async fn the_page_reconnects_after_a_restart(
    driver: &Driver,
    b: &Client,
    running: common::TestDaemon,
    tmp: &Path,
) -> common::TestDaemon {
    let port = running.addr.port();
    running.stop().await;
    until(30, "the page to notice", || async {
        text(b, "#conn").await != "live"
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let running = common::TestDaemon::start_in(tmp, CONFIG, port).await;
    until(60, "the page to reconnect", || async {
        text(b, "#conn").await == "live"
    })
    .await;
    until(60, "the straps to stream again", || async {
        text(b, "#straps").await.matches("streaming").count() == 2
    })
    .await;
    // Only the refused connections while it was down may be in the console.
    let log = console(driver, b).await;
    let unexpected: Vec<_> = errors(&log)
        .into_iter()
        .filter(|e| {
            !e["message"]
                .as_str()
                .unwrap_or("")
                .contains("ERR_CONNECTION_REFUSED")
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "console errors after the restart: {unexpected:#?}"
    );
    running
}
