//! A routine from the configuration is followed set after set, in one session.

mod common;

use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[test]
fn a_routine_runs_set_after_set() {
    common::on_private_bus("inner_routine");
}

#[test]
#[ignore = "run by a_routine_runs_set_after_set on its private bus"]
fn inner_routine() {
    if !common::is_inner() {
        return;
    }
    let rt = common::runtime();
    rt.block_on(async {
        let _sim = common::simulator("prone-leg-raise", &["open-imu:thigh:left"], 10.0).await;
        let running = common::TestDaemon::start(include_str!("fixtures/routine-config.toml")).await;
        let base = running.base.clone();
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let straps: Value = common::get_json(format!("{base}/api/straps")).await;
            if straps[0]["state"] == "streaming" {
                break;
            }
            assert!(Instant::now() < deadline, "{straps}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut events = common::sse(format!("{base}/api/events"));
        let post = |b: &'static str| {
            client
                .post(format!("{base}/api/sets"))
                .header("content-type", "application/json")
                .body(b)
                .send()
        };
        assert_eq!(post(r#"{"routine": "arms"}"#).await.unwrap().status(), 404);
        assert_eq!(
            post(r#"{"routine": "legs", "exercise": "plank"}"#)
                .await
                .unwrap()
                .status(),
            422
        );
        assert_eq!(post(r#"{"routine": "legs"}"#).await.unwrap().status(), 201);

        let mut seen: Vec<(String, Value)> = Vec::new();
        while !seen.iter().any(|(t, _)| t == "routine_ended") {
            let (_, e) = common::next_event(&mut events, 90).await;
            let t = e["type"].as_str().unwrap_or("").to_owned();
            if t != "tick" && t != "strap" {
                seen.push((t, e));
            }
        }
        let kinds: Vec<&str> = seen
            .iter()
            .map(|(t, _)| t.as_str())
            .filter(|t| *t != "rep" && *t != "cue")
            .collect();
        assert_eq!(
            kinds,
            [
                "set_started",
                "set_ended",
                "set_started",
                "set_ended",
                "routine_ended"
            ],
            "{seen:?}"
        );
        assert_eq!(seen.last().unwrap().1["completed"], true, "{seen:?}");
        // Cues came with each set: a count per rep, the hold's target reached.
        let cues: Vec<&Value> = seen
            .iter()
            .filter(|(t, _)| t == "cue")
            .map(|(_, e)| &e["cue"])
            .collect();
        let counts: Vec<u64> = cues
            .iter()
            .filter(|c| c["kind"] == "count")
            .filter_map(|c| c["n"].as_u64())
            .collect();
        assert_eq!(counts, [1, 2, 3, 4, 5, 1, 2, 3, 4, 5], "{cues:?}");
        let reached = cues.iter().filter(|c| c["kind"] == "hold_reached").count();
        assert!(reached >= 8, "{cues:?}");
        let page: Value = common::get_json(format!("{base}/api/sessions")).await;
        assert_eq!(page["total"], 1, "{page}");
        assert_eq!(page["items"][0]["routine"], "legs");
        let sets = page["items"][0]["sets"].as_array().unwrap();
        assert_eq!(sets.len(), 2);
        // Full leg raises, no half rep among them: the settled count is the
        // live one, kept beside it.
        assert!(
            sets.iter().all(|s| s["counted_reps"] == 5
                && s["live_reps"] == 5
                && s["end_reason"] == "target_reached"),
            "{page}"
        );
        for (_, e) in seen.iter().filter(|(t, _)| t == "set_ended") {
            assert_eq!((&e["reps"], &e["live_reps"]), (&json!(5), &json!(5)), "{e}");
        }
        running.stop().await;
    });
}
