//! A routine from the configuration is followed set after set, in one session.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use futures::StreamExt;
use postured::config::Config;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

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
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let _sim = common::simulator("prone-leg-raise", &["open-imu:thigh:left"], 10.0).await;
        let db = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("routine-{}.db", std::process::id()));
        let text = format!(
            "database = {db:?}\n[alerts]\ndesktop = false\n[[strap]]\naddress = \"F0:5E:D0:00:00:01\"\nplacement = \"thigh\"\nside = \"left\"\n\
             [[routine]]\nname = \"legs\"\nexercises = [\"prone-leg-raise\", \"prone-leg-raise\"]\n"
        );
        let cancel = CancellationToken::new();
        let daemon = postured::daemon::start(Config::parse(&text, Path::new("routine")).unwrap(), &cancel).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, postured::http::router(daemon)).await.unwrap() });
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let straps: Value = client.get(format!("{base}/api/straps")).send().await.unwrap().json().await.unwrap();
            if straps[0]["state"] == "streaming" {
                break;
            }
            assert!(Instant::now() < deadline, "{straps}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut body = client.get(format!("{base}/api/events")).send().await.unwrap().bytes_stream();
        let post = |b: &'static str| client.post(format!("{base}/api/sets")).header("content-type", "application/json").body(b).send();
        assert_eq!(post(r#"{"routine": "arms"}"#).await.unwrap().status(), 404);
        assert_eq!(post(r#"{"routine": "legs", "exercise": "plank"}"#).await.unwrap().status(), 422);
        assert_eq!(post(r#"{"routine": "legs"}"#).await.unwrap().status(), 201);

        let (mut buf, mut seen) = (String::new(), Vec::new());
        while !seen.iter().any(|(t, _): &(String, Value)| t == "routine_ended") {
            let chunk = tokio::time::timeout(Duration::from_secs(90), body.next()).await.unwrap().unwrap().unwrap();
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data:")) {
                    let e: Value = serde_json::from_str(data.trim()).unwrap();
                    let t = e["type"].as_str().unwrap_or("").to_owned();
                    if t != "tick" && t != "strap" {
                        seen.push((t, e));
                    }
                }
            }
        }
        let kinds: Vec<&str> = seen.iter().map(|(t, _)| t.as_str()).filter(|t| *t != "rep").collect();
        assert_eq!(kinds, ["set_started", "set_ended", "set_started", "set_ended", "routine_ended"], "{seen:?}");
        assert_eq!(seen.last().unwrap().1["completed"], true, "{seen:?}");
        let page: Value = client.get(format!("{base}/api/sessions")).send().await.unwrap().json().await.unwrap();
        assert_eq!(page["total"], 1, "{page}");
        assert_eq!(page["items"][0]["routine"], "legs");
        let sets = page["items"][0]["sets"].as_array().unwrap();
        assert_eq!(sets.len(), 2);
        assert!(sets.iter().all(|s| s["counted_reps"] == 5 && s["end_reason"] == "target_reached"), "{page}");
        cancel.cancel();
    });
}
