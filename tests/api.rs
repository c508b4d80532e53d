//! Every API endpoint over real HTTP, including bad input and the Host, token and
//! content-type rules; history from a real SQLite file.

mod common;

use postured::motion::{Rep, SlouchEpisode};
use postured::store::{EndReason, SessionId, SetId, SetInfo, Settlement};
use reqwest::StatusCode;
use serde_json::{Value, json};

use common::Api;

impl Api {
    /// A finished set with two reps, written the way the daemon writes it.
    async fn seed(&self, at: f64) -> i64 {
        let id = (at * 1000.0) as i64;
        let s = &self.daemon.store;
        s.start_session(SessionId(id), at, None);
        s.start_set(SetInfo {
            id: SetId(id),
            session: SessionId(id),
            exercise: "wall-slide".into(),
            strap: "thigh".into(),
            side: None,
            started_at: at,
            target_reps: Some(8),
            note: None,
        });
        for n in 1..=2 {
            let t = at + f64::from(n) * 10.0;
            let rep = Rep {
                n,
                start_s: t,
                end_s: t + 8.0,
                hold: None,
                peak_deg: 44.0,
                side: None,
                score: 1.0,
                flags: vec![],
            };
            s.record_rep(SetId(id), &rep, true);
        }
        s.end_set(
            SetId(id),
            at + 40.0,
            EndReason::Stopped,
            Settlement::unchanged(2),
        );
        s.end_session(SessionId(id), at + 40.0);
        s.record_slouch(
            "chest",
            &SlouchEpisode {
                start_s: at + 100.0,
                end_s: at + 200.0,
                peak_deg: 22.0,
                alert_s: Some(at + 160.0),
            },
        );
        s.add_posture_time(3600 * 500_000, 3000.0, 600.0);
        s.flush().await.unwrap();
        id
    }
}

fn is_error(v: &Value) -> bool {
    v["error"].as_str().is_some_and(|e| !e.is_empty())
}

#[tokio::test]
async fn live_endpoints_and_bad_requests() {
    let a = Api::start("").await;
    let (s, v) = a.get("/api/health").await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("ok")));
    assert_eq!(a.get("/api/straps").await, (StatusCode::OK, json!([])));
    let (_, v) = a.get("/api/exercises").await;
    assert_eq!(v.as_array().unwrap().len(), 21);
    assert_eq!(
        a.get("/api/exercises/wall-slide").await.1["target"]["hold_s"],
        json!([5.0, 7.0])
    );
    let (s, v) = a.get("/api/exercises/plonk").await;
    assert!(s == StatusCode::NOT_FOUND && is_error(&v));
    let (s, v) = a.get("/api/sets/current").await;
    assert!(s == StatusCode::NOT_FOUND && is_error(&v));

    // Starting a set: bad JSON, unknown fields, unknown exercise, no strap.
    for (body, want) in [
        ("{", StatusCode::BAD_REQUEST),
        (r#"{"exercise": 3}"#, StatusCode::UNPROCESSABLE_ENTITY),
        (
            r#"{"exercise": "wall-slide", "x": 1}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (r#"{"exercise": "plonk"}"#, StatusCode::NOT_FOUND),
        (r#"{"exercise": "wall-slide"}"#, StatusCode::CONFLICT),
    ] {
        let (s, v) = a.post("/api/sets", body).await;
        assert_eq!(s, want, "{body}: {v}");
        assert!(is_error(&v), "{v}");
    }
    assert_eq!(
        a.post("/api/sets/current/stop", "{}").await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(a.post("/api/calibrate", "{}").await.0, StatusCode::CONFLICT);
    assert!(
        a.post("/api/snooze", "{}").await.1["snoozed_until"]
            .as_f64()
            .is_some()
    );
    let (s, v) = a.get("/api/nothing-here").await;
    assert!(s == StatusCode::NOT_FOUND && is_error(&v));
    let big = format!(r#"{{"exercise": "{}"}}"#, "x".repeat(100_000));
    let (s, v) = a.post("/api/sets", &big).await;
    assert!(s == StatusCode::PAYLOAD_TOO_LARGE && is_error(&v), "{s}");
}

#[tokio::test]
async fn user_exercise_specs_join_the_builtins() {
    let specs = common::scratch("specs");
    let neck = "id = \"neck-tilt\"\nname = \"Neck tilt\"\nplacement = [\"upper-back\"]\n[measure]\nkind = \"tilt\"\n[target]\nangle_deg = [10.0, 30.0]\nhold_s = [5.0, 8.0]\nreps = 6\n";
    std::fs::write(specs.join("neck-tilt.toml"), neck).unwrap();
    let a = Api::start(&format!("exercises_dir = {specs:?}\n")).await;
    let (_, v) = a.get("/api/exercises").await;
    assert_eq!(v.as_array().unwrap().len(), 22);
    let (s, v) = a.get("/api/exercises/neck-tilt").await;
    assert_eq!((s, v["target"]["reps"].as_u64()), (StatusCode::OK, Some(6)));
}

#[tokio::test]
async fn host_content_type_and_token_rules() {
    let a = Api::start("").await;
    let r = a
        .http
        .get(format!("{}/api/health", a.base))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(is_error(&r.json().await.unwrap()));
    let r = a
        .http
        .post(format!("{}/api/snooze", a.base))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = a
        .http
        .post(format!("{}/api/snooze", a.base))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // A cross-origin page gets no CORS permission.
    let r = a
        .http
        .get(format!("{}/api/health", a.base))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());

    let a = Api::start(
        "[http]\ntoken = \"0123456789abcdef0123\"\nallowed_hosts = [\"postured.local\"]\n",
    )
    .await;
    assert_eq!(a.get("/api/health").await.0, StatusCode::UNAUTHORIZED);
    let r = a
        .http
        .get(format!("{}/api/health", a.base))
        .bearer_auth("0123456789abcdef0123")
        .header("host", "postured.local:8621")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = a
        .http
        .get(format!("{}/api/health", a.base))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The dashboard's cookie works like the bearer token (EventSource cannot
    // send headers), and only with the right token in it.
    for (cookie, want) in [
        (
            "theme=dark; postured_token=0123456789abcdef0123",
            StatusCode::OK,
        ),
        ("postured_token=wrong", StatusCode::UNAUTHORIZED),
        (
            "xpostured_token=0123456789abcdef0123",
            StatusCode::UNAUTHORIZED,
        ),
    ] {
        let r = a
            .http
            .get(format!("{}/api/events", a.base))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), want, "{cookie}");
    }
    // The page itself loads without the token, so it can ask for it.
    let r = a.http.get(format!("{}/", a.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn history_paging_corrections_posture_and_export() {
    let a = Api::start("").await;
    let first = a.seed(1_800_000_000.0).await;
    let second = a.seed(1_800_100_000.0).await;
    let (s, v) = a.get("/api/sessions?limit=1").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (v["total"].as_u64(), v["items"].as_array().unwrap().len()),
        (Some(2), 1)
    );
    assert_eq!(v["items"][0]["id"], second, "newest first");
    let (_, v) = a.get("/api/sessions?from=1800000000&to=1800050000").await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    for bad in [
        "/api/sessions?limit=500",
        "/api/sessions?limit=0",
        "/api/sessions?from=9&to=1",
        "/api/sessions?limit=abc",
        "/api/sessions?colour=red",
    ] {
        let (s, v) = a.get(bad).await;
        assert!(
            s == StatusCode::BAD_REQUEST && is_error(&v),
            "{bad}: {s} {v}"
        );
    }
    let (s, v) = a.get(&format!("/api/sessions/{first}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["sets"][0]["reps"].as_array().unwrap().len(), 2);
    assert_eq!(v["heart_rate"], json!([]));
    // Heart-rate readings come beside the sets, in time order.
    let at = 1_800_000_000.0;
    for (dt, bpm) in [(12.0, 96), (11.0, 92)] {
        a.daemon.store.append_heart_rate(SetId(first), at + dt, bpm);
    }
    a.daemon.store.flush().await.unwrap();
    let (_, v) = a.get(&format!("/api/sessions/{first}")).await;
    assert_eq!(
        v["heart_rate"],
        json!([{"set": first, "t": at + 11.0, "bpm": 92}, {"set": first, "t": at + 12.0, "bpm": 96}])
    );
    assert_eq!(v["sets"][0]["heart_rate"]["count"], 2);
    assert_eq!(a.get("/api/sessions/12").await.0, StatusCode::NOT_FOUND);
    assert_eq!(a.get("/api/sessions/abc").await.0, StatusCode::BAD_REQUEST);

    // A correction is kept beside the automatic count.
    let (s, v) = a
        .post(&format!("/api/sets/{first}/correction"), r#"{"reps": 3}"#)
        .await;
    assert_eq!((s, v["corrected_reps"].as_u64()), (StatusCode::OK, Some(3)));
    let (_, v) = a.get(&format!("/api/sessions/{first}")).await;
    assert_eq!(
        (
            v["sets"][0]["counted_reps"].as_u64(),
            v["sets"][0]["corrected_reps"].as_u64()
        ),
        (Some(2), Some(3))
    );
    assert_eq!(
        a.post("/api/sets/77/correction", r#"{"reps": 3}"#).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        a.post(&format!("/api/sets/{first}/correction"), r#"{"reps": -1}"#)
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let (_, v) = a.get("/api/posture").await;
    assert_eq!(v["episodes"].as_array().unwrap().len(), 2);
    assert!(
        (v["hours"][0]["upright_fraction"].as_f64().unwrap() - 2.0 * 3000.0 / 7200.0).abs() < 1e-9,
        "{v}"
    );

    let (_, v) = a.get("/api/export?format=json").await;
    assert_eq!(v["sessions"].as_array().unwrap().len(), 2);
    let csv = a
        .http
        .get(format!("{}/api/export?format=csv", a.base))
        .send()
        .await
        .unwrap();
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = csv.text().await.unwrap();
    assert_eq!(csv.lines().count(), 1 + 4, "{csv}");
    assert!(csv.lines().nth(1).unwrap().contains(",wall-slide,"));
    assert_eq!(
        a.get("/api/export?format=xml").await.0,
        StatusCode::BAD_REQUEST
    );

    let metrics = a
        .http
        .get(format!("{}/metrics", a.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("postured_store_pending_writes 0")
            && metrics.contains("postured_set_running 0"),
        "{metrics}"
    );
}

/// Regression: a correction looked up a *session* by the *set* id, so a
/// routine's later set (whose id is not its session's) could not be corrected.
#[tokio::test]
async fn a_correction_to_a_routines_later_set_is_kept() {
    let a = Api::start("").await;
    let at = 1_800_200_000.0;
    let session = SessionId::from_unix_s(at);
    let s = &a.daemon.store;
    s.start_session(session, at, Some("morning"));
    let sets: Vec<SetId> = [1.0, 60.0]
        .iter()
        .map(|dt| SetId::from_unix_s(at + dt))
        .collect();
    for (&id, exercise) in sets.iter().zip(["pectoral-stretch", "cobra"]) {
        s.start_set(SetInfo {
            id,
            session,
            exercise: exercise.into(),
            strap: "chest".into(),
            side: None,
            started_at: at,
            target_reps: Some(3),
            note: None,
        });
        s.end_set(
            id,
            at + 50.0,
            EndReason::TargetReached,
            Settlement::unchanged(3),
        );
    }
    s.end_session(session, at + 120.0);
    s.flush().await.unwrap();
    for (i, id) in sets.iter().enumerate() {
        let (status, v) = a
            .post(&format!("/api/sets/{}/correction", id.0), r#"{"reps": 2}"#)
            .await;
        assert_eq!(status, StatusCode::OK, "set {i}: {v}");
    }
    let (_, v) = a.get(&format!("/api/sessions/{}", session.0)).await;
    let corrected: Vec<_> = v["sets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["corrected_reps"].as_u64())
        .collect();
    assert_eq!(corrected, [Some(2), Some(2)], "{v}");
}

#[tokio::test]
async fn the_openapi_description_covers_every_route() {
    let a = Api::start("").await;
    let (s, doc) = a.get("/api/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    let documented: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let source = include_str!("../src/http/mod.rs");
    let routes: Vec<&str> = source
        .split(".route(\"")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .collect();
    assert!(routes.len() >= 18, "{routes:?}");
    for r in &routes {
        assert!(documented.contains(r), "{r} is not in openapi.json");
    }
    for d in &documented {
        assert!(routes.contains(d), "{d} is documented but not routed");
    }
}

#[tokio::test]
async fn the_dashboard_its_assets_routines_and_progress() {
    let a = Api::start(
        "[[routine]]\nname = \"morning\"\nexercises = [\"pectoral-stretch\", \"cobra\"]\n",
    )
    .await;
    let r = a.http.get(format!("{}/", a.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = r.text().await.unwrap();
    for asset in [
        "/assets/app.js",
        "/assets/style.css",
        "/assets/uPlot.iife.min.js",
        "/assets/uPlot.min.css",
    ] {
        assert!(html.contains(asset), "the page does not load {asset}");
        let r = a
            .http
            .get(format!("{}{asset}", a.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{asset}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(
            ct.starts_with(if asset.ends_with(".js") {
                "text/javascript"
            } else {
                "text/css"
            }),
            "{asset}: {ct}"
        );
        assert!(r.text().await.unwrap().len() > 1000, "{asset}");
    }
    // Every module the page imports (app.js and the modules it imports) is served.
    let mut modules = vec!["app.js".to_owned()];
    let mut i = 0;
    while let Some(m) = modules.get(i).cloned() {
        i += 1;
        let r = a
            .http
            .get(format!("{}/assets/{m}", a.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{m}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with("text/javascript"), "{m}: {ct}");
        let text = r.text().await.unwrap();
        for import in text.split("from \"./").skip(1) {
            let name = import.split('"').next().unwrap().to_owned();
            if !modules.contains(&name) {
                modules.push(name);
            }
        }
    }
    assert!(modules.len() >= 7, "{modules:?}");
    let (s, v) = a.get("/assets/../Cargo.toml").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, v) = a.get("/assets/nope.js").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(v["error"].as_str().unwrap().contains("nope.js"));

    let (s, v) = a.get("/api/routines").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        v,
        json!([{"name": "morning", "exercises": ["pectoral-stretch", "cobra"]}])
    );

    a.seed(postured::daemon::now_s() - 3600.0).await;
    let (s, v) = a.get("/api/progress?utc_offset_min=60").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["suggestions"].as_array().unwrap().len(), 1, "{v}");
    // Two reps of eight, stopped: not on target, so the dose stays.
    assert_eq!(v["suggestions"][0]["exercise"], "wall-slide", "{v}");
    assert_eq!(v["suggestions"][0]["on_target"], 0, "{v}");
    assert_eq!(v["suggestions"][0]["advice"]["kind"], "keep", "{v}");
    assert_eq!(v["weekly"]["this_week_reps"], 2);
    assert_eq!(v["weekly"]["last_week_reps"], 0);
    // From a UTC midnight 14 days back: that day, 13 more, and today.
    let now = postured::daemon::now_s();
    let from = ((now - 14.0 * 86_400.0) / 86_400.0).floor() * 86_400.0;
    let (s, v) = a.get(&format!("/api/totals?from={from}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["days"].as_array().unwrap().len(), 15, "{v}");
    let last_week = v["weeks"].as_array().unwrap().last().unwrap()["start"]
        .as_f64()
        .unwrap();
    assert!(last_week <= now && now <= last_week + 7.0 * 86_400.0, "{v}");
    let sessions: u64 = v["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["sessions"].as_u64().unwrap())
        .sum();
    assert_eq!(sessions, 1, "{v}");
    for bad in [
        "/api/totals",
        "/api/totals?from=x",
        "/api/totals?from=1&utc_offset_min=5000",
        "/api/progress?utc_offset_min=5000",
        "/api/progress?utc_offset_min=x",
        "/api/progress?tz=1",
    ] {
        let (s, v) = a.get(bad).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
        assert!(v["error"].is_string(), "{bad}: {v}");
    }
}
