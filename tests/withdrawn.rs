//! A set's count settles in the daemon: firmware-sim on a private bus acts out
//! crunches, each after a half-hearted one at about half the angle, on an
//! accelerometer-only H10. The live stream reports the half reps that reach the
//! band's tolerance (flagged), which do not bring the set to its target; when
//! the set ends, the settled count withdraws them, and the event, the store and
//! the API say so.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use firmware_sim::motion::plan::Timeline;
use firmware_sim::scenario::Scenario;
use serde_json::Value;

const SCENARIO: &str = include_str!("fixtures/partial-crunches.toml");
const CONFIG: &str = r#"
[alerts]
desktop = false
[[strap]]
address = "F0:5E:D0:00:00:01"
placement = "chest"
"#;
/// Scenario seconds per real second. The scenario lies still for 90 s first:
/// at 8x, 11 s for the daemon to connect and start the set on a loaded machine,
/// and still under the set's 120 s quiet timeout before the first crunch.
const SPEED: f64 = 8.0;

#[test]
fn half_reps_are_withdrawn_when_the_set_settles() {
    common::on_private_bus("inner_withdrawn");
}

#[test]
#[ignore = "run by half_reps_are_withdrawn_when_the_set_settles on its private bus"]
fn inner_withdrawn() {
    if !common::is_inner() {
        return;
    }
    common::runtime().block_on(async {
        let scenario =
            Scenario::parse(SCENARIO, Path::new("fixtures/partial-crunches.toml")).unwrap();
        let truth = Timeline::new(&scenario, 1).truth();
        assert_eq!((truth.reps.len(), truth.partial_reps.len()), (6, 6));
        let first = truth.partial_reps[0].start_s.min(truth.reps[0].start_s);
        let last = truth.reps.last().unwrap().end_s;
        let _sim = common::simulate(scenario, &["polar-h10:chest"], SPEED).await;
        let control = common::control().await;
        let api = common::Api::start(CONFIG).await;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (_, straps) = api.get("/api/straps").await;
            if straps[0]["state"] == "streaming" {
                break;
            }
            assert!(Instant::now() < deadline, "{straps}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut events = common::sse(format!("{}/api/events", api.base));
        let (status, set) = api.post("/api/sets", r#"{"exercise": "crunch"}"#).await;
        assert_eq!(status, 201, "{set}");
        let started = control.scenario_time().await.unwrap();
        assert!(
            started + 3.0 < first,
            "the set started at {started:.1} s, too late for the first crunch at {first:.1} s"
        );

        // The live reps as they come, until the wearer has done every crunch:
        // half reps do not bring the set to its target (ten), so it runs on
        // until it is stopped.
        let mut live: Vec<Value> = Vec::new();
        let mut stopped = false;
        let ended = loop {
            if !stopped && control.scenario_time().await.unwrap() > last + 5.0 {
                let (status, body) = api.post("/api/sets/current/stop", "{}").await;
                assert_eq!(status, 200, "{body}");
                stopped = true;
            }
            let Ok(Some((_, e))) =
                tokio::time::timeout(Duration::from_millis(200), events.recv()).await
            else {
                assert!(
                    Instant::now() < deadline + Duration::from_secs(60),
                    "no set_ended"
                );
                continue;
            };
            match e["type"].as_str() {
                Some("rep") => live.push(e["rep"].clone()),
                Some("set_ended") => break e,
                _ => {}
            }
        };

        // Some half reps were counted live, flagged short of the band.
        let flagged = |r: &Value| {
            r["flags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "partial_range")
        };
        assert!(live.iter().filter(|r| flagged(r)).count() >= 1, "{live:#?}");
        let settled = ended["reps"].as_u64().unwrap() as usize;
        assert_eq!(ended["live_reps"].as_u64().unwrap() as usize, live.len());
        assert_eq!(ended["reason"], "stopped", "{ended}");
        assert!(settled < live.len(), "{ended}");
        assert!(settled >= truth.reps.len(), "{ended}");
        // Only flagged reps were withdrawn: every unflagged one stands.
        assert!(
            settled >= live.iter().filter(|r| !flagged(r)).count(),
            "{ended} {live:#?}"
        );

        // The store: the settled count, the live one beside it, and each
        // withdrawn live rep marked with why.
        let (_, sessions) = api.get("/api/sessions").await;
        let id = sessions["items"][0]["id"].as_i64().unwrap();
        let (_, session) = api.get(&format!("/api/sessions/{id}")).await;
        let stored = &session["sets"][0];
        assert_eq!(stored["counted_reps"].as_u64().unwrap() as usize, settled);
        assert_eq!(stored["live_reps"].as_u64().unwrap() as usize, live.len());
        let withdrawn: Vec<&Value> = stored["reps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| !r["withdrawn"].is_null())
            .collect();
        assert_eq!(withdrawn.len(), live.len() - settled, "{stored:#}");
        for w in &withdrawn {
            assert_eq!(w["withdrawn"], "partial", "{w}");
            assert!(w["peak_deg"].as_f64().unwrap() < 20.0, "{w}");
            assert!(flagged(w), "{w}");
        }
    });
}
