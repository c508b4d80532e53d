//! The daemon end to end: firmware-sim on a private bus acts out a slouch and then
//! five prone leg raises per leg; the daemon, through btleplug, the detectors and
//! the HTTP API, raises exactly one slouch alert, counts the left-thigh strap's
//! five reps with holds within 0.3 s of the truth, and the SSE stream delivers the
//! events as they happen.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use firmware_sim::motion::plan::Timeline;
use firmware_sim::scenario::Scenario;
use serde_json::Value;

/// What the simulated wearer does.
const SCENARIO: &str = include_str!("fixtures/e2e-scenario.toml");
/// The daemon's configuration (the harness adds the database).
const CONFIG: &str = include_str!("fixtures/e2e-config.toml");

#[test]
fn a_slouch_and_a_set_of_leg_raises_end_to_end() {
    common::on_private_bus("inner_end_to_end");
}

/// Runs `postured ARGS`, which must succeed, and parses what it prints as JSON.
async fn postured_json(args: &[&str]) -> Value {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_postured"))
        .args(args)
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "postured {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
#[ignore = "run by a_slouch_and_a_set_of_leg_raises_end_to_end on its private bus"]
fn inner_end_to_end() {
    if !common::is_inner() {
        return;
    }
    let rt = common::runtime();
    rt.block_on(async {
        let scenario = Scenario::parse(SCENARIO, Path::new("fixtures/e2e-scenario.toml")).unwrap();
        let truth = Timeline::new(&scenario, 1).truth();
        // Scenario time at 8x: the whole thing in about half a minute.
        let _sim =
            common::simulate(scenario, &["polar-h10:chest", "open-imu:thigh:left"], 8.0).await;
        let running = common::TestDaemon::start(CONFIG).await;
        let (base, db) = (running.base.clone(), running.dir.join("history.db"));
        let mut events = common::sse(format!("{base}/api/events"));

        // The slouch: one alert, then the episode's end.
        let deadline = Instant::now() + Duration::from_secs(60);
        let (mut alerts, mut episodes) = (0, 0);
        while episodes == 0 {
            assert!(Instant::now() < deadline, "no slouch episode");
            let (_, e) = tokio::time::timeout(Duration::from_secs(10), events.recv())
                .await
                .unwrap()
                .unwrap();
            match e["type"].as_str() {
                Some("slouch_alert") => alerts += 1,
                Some("slouch") => episodes += 1,
                _ => {}
            }
        }
        assert_eq!(alerts, 1);

        // The set, started from the command line as the wearer sits down to it.
        let started = postured_json(&["start", "prone-leg-raise", "--url", &base]).await;
        assert_eq!(started["exercise"], "prone-leg-raise");
        let mut reps = Vec::new();
        let mut ended = None;
        while ended.is_none() {
            assert!(
                Instant::now() < deadline + Duration::from_secs(60),
                "the set did not end"
            );
            let (at, e) = tokio::time::timeout(Duration::from_secs(20), events.recv())
                .await
                .unwrap()
                .unwrap();
            match e["type"].as_str() {
                Some("rep") => reps.push((at, e["rep"].clone())),
                Some("set_ended") => ended = Some(e.clone()),
                Some("slouch_alert") => panic!("an alert during the set: {e}"),
                _ => {}
            }
        }
        assert_eq!(ended.unwrap()["reason"], "target_reached");
        let left: Vec<_> = truth
            .reps
            .iter()
            .filter(|r| r.side.as_deref() == Some("left"))
            .collect();
        assert_eq!(reps.len(), 5, "{reps:#?}");
        let pairs: Vec<_> = reps
            .iter()
            .zip(&left)
            .map(|((_, g), w)| {
                (
                    g["hold"]["held_s"].as_f64(),
                    w.hold_s,
                    g["start_s"].as_f64(),
                    w.start_s,
                )
            })
            .collect();
        println!("held vs truth: {pairs:?}");
        for ((_, got), want) in reps.iter().zip(&left) {
            let held = got["hold"]["held_s"].as_f64().unwrap();
            assert!(
                (held - want.hold_s).abs() <= 0.3,
                "held {held} vs {}",
                want.hold_s
            );
            assert_eq!(got["side"], "left");
        }
        // Delivered as they happened: one by one, seconds apart, not in a burst.
        for pair in reps.windows(2) {
            assert!(
                pair[1].0 - pair[0].0 > Duration::from_millis(500),
                "reps arrived together"
            );
        }
        // And kept: the API returns the set with its five reps and holds.
        let page: Value = common::get_json(format!("{base}/api/sessions")).await;
        let set = &page["items"][0]["sets"][0];
        assert_eq!(
            (
                set["exercise"].as_str(),
                set["counted_reps"].as_u64(),
                set["end_reason"].as_str()
            ),
            (Some("prone-leg-raise"), Some(5), Some("target_reached")),
            "{page}"
        );
        let id = page["items"][0]["id"].as_i64().unwrap();
        let detail: Value = common::get_json(format!("{base}/api/sessions/{id}")).await;
        let stored: Vec<f64> = detail["sets"][0]["reps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["counted"] == true)
            .map(|r| r["hold"]["held_s"].as_f64().unwrap())
            .collect();
        assert_eq!(stored.len(), 5, "{detail}");
        // The chest strap's heart rate was kept for the thigh strap's set.
        let hr = &detail["sets"][0]["heart_rate"];
        assert!(hr["count"].as_u64().unwrap() >= 5, "{hr}");
        assert!(
            (40.0..200.0).contains(&hr["mean_bpm"].as_f64().unwrap()),
            "{hr}"
        );
        assert_eq!(
            detail["heart_rate"].as_array().unwrap().len() as u64,
            hr["count"].as_u64().unwrap()
        );
        for (h, want) in stored.iter().zip(&left) {
            assert!(
                (h - want.hold_s).abs() <= 0.3,
                "stored hold {h} vs {}",
                want.hold_s
            );
        }
        let posture: Value = common::get_json(format!("{base}/api/posture")).await;
        let alerted = posture["episodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| !e["alert_s"].is_null())
            .count();
        assert_eq!(alerted, 1, "{posture}");

        // The raw samples were kept: `postured rescore` counts the set again.
        let cfg = db.with_extension("toml");
        std::fs::write(&cfg, format!("database = {db:?}\n")).unwrap();
        let rescored = postured_json(&[
            "rescore",
            "--format",
            "json",
            "--config",
            cfg.to_str().unwrap(),
        ])
        .await;
        assert_eq!(
            (
                rescored[0]["stored_reps"].as_u64(),
                rescored[0]["recount"].as_u64()
            ),
            (Some(5), Some(5)),
            "{rescored}"
        );
        assert!(
            rescored[0]["samples"].as_u64().unwrap() > 100 * 100,
            "{rescored}"
        );
        running.stop().await;
    });
}
