//! The care loop over real HTTP: how a set felt (feedback) with its bad input,
//! progression advice that listens to pain, and the clinician report.

mod common;

use postured::motion::{Hold, Rep, SlouchEpisode};
use postured::store::{EndReason, SessionId, SetId, SetInfo, Settlement};
use reqwest::StatusCode;
use serde_json::{Value, json};

use common::Api;

impl Api {
    /// A finished pectoral-stretch set at `at` with holds of `hold` s (on target
    /// from 15 s), in a session of its own.
    async fn set(&self, at: f64, hold: f64) -> SetId {
        let id = SetId::from_unix_s(at);
        let session = SessionId(id.0);
        let s = &self.daemon.store;
        s.start_session(session, at, None);
        s.start_set(SetInfo {
            id,
            session,
            exercise: "pectoral-stretch".into(),
            strap: "chest".into(),
            side: None,
            started_at: at,
            target_reps: Some(3),
            note: None,
        });
        for n in 1..=3 {
            let t = at + f64::from(n) * 30.0;
            let rep = Rep {
                n,
                start_s: t,
                end_s: t + hold + 4.0,
                hold: Some(Hold {
                    start_s: t + 2.0,
                    end_s: t + 2.0 + hold,
                    held_s: hold,
                    breaks: 0,
                }),
                peak_deg: 30.0 + f64::from(n),
                side: None,
                score: 1.0,
                flags: if hold < 15.0 {
                    vec![postured::motion::Flag::ShortHold]
                } else {
                    vec![]
                },
            };
            s.record_rep(id, &rep, true);
        }
        s.end_set(
            id,
            at + 120.0,
            EndReason::TargetReached,
            Settlement::unchanged(3),
        );
        s.end_session(session, at + 120.0);
        s.flush().await.unwrap();
        id
    }
}

fn error(v: &Value) -> &str {
    v["error"].as_str().unwrap_or("")
}

#[tokio::test]
async fn feedback_is_kept_with_its_session_and_bad_input_gets_a_reason() {
    let a = Api::start("").await;
    let now = postured::daemon::now_s();
    let set = a.set(now - 3600.0, 16.0).await;

    let (s, v) = a
        .post_json(
            &format!("/api/sets/{}/feedback", set.0),
            &json!({"pain": 3, "effort": 6, "note": "left shoulder <tight>"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        (v["pain"].as_u64(), v["effort"].as_u64()),
        (Some(3), Some(6))
    );
    assert_eq!(v["session"].as_i64(), Some(set.0));

    for (body, want, reason) in [
        (
            json!({"pain": 11}),
            StatusCode::BAD_REQUEST,
            "`pain` must be 0 to 10",
        ),
        (
            json!({"effort": -1}),
            StatusCode::BAD_REQUEST,
            "`effort` must be 0 to 10",
        ),
        (json!({}), StatusCode::BAD_REQUEST, "at least one of"),
        (
            json!({"note": "x".repeat(2001)}),
            StatusCode::BAD_REQUEST,
            "longer than",
        ),
        (
            json!({"pain": 2, "mood": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "mood",
        ),
    ] {
        let (s, v) = a
            .post_json(&format!("/api/sets/{}/feedback", set.0), &body)
            .await;
        assert_eq!(s, want, "{body}: {v}");
        assert!(error(&v).contains(reason), "{body}: {v}");
    }
    let (s, v) = a
        .post_json("/api/sets/12/feedback", &json!({"pain": 1}))
        .await;
    assert!(
        s == StatusCode::NOT_FOUND && error(&v).contains("no set 12"),
        "{v}"
    );
    let (s, v) = a
        .post_json("/api/sets/x/feedback", &json!({"pain": 1}))
        .await;
    assert!(s == StatusCode::BAD_REQUEST && !error(&v).is_empty(), "{v}");
    let (s, _) = a
        .post_json("/api/sessions/5/feedback", &json!({"pain": 1}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Given again, it replaces; the session as a whole has an entry of its own.
    let (s, _) = a
        .post_json(
            &format!("/api/sets/{}/feedback", set.0),
            &json!({"pain": 4, "effort": 6}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = a
        .post_json(
            &format!("/api/sessions/{}/feedback", set.0),
            &json!({"note": "tired"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, v) = a.get(&format!("/api/sessions/{}", set.0)).await;
    let fb = v["feedback"].as_array().unwrap();
    assert_eq!(fb.len(), 2, "{v}");
    assert_eq!(
        (fb[0]["set"].as_i64(), fb[0]["pain"].as_u64()),
        (Some(set.0), Some(4))
    );
    assert_eq!(fb[0]["note"], Value::Null);
    assert_eq!(
        (fb[1]["set"].clone(), fb[1]["note"].as_str()),
        (Value::Null, Some("tired"))
    );

    let (s, v) = a.get(&format!("/api/feedback?from={}", now - 60.0)).await;
    assert_eq!(
        (s, v.as_array().map(Vec::len)),
        (StatusCode::OK, Some(2)),
        "{v}"
    );
    let (s, v) = a.get("/api/feedback?from=5&to=1").await;
    assert!(s == StatusCode::BAD_REQUEST && !error(&v).is_empty());
}

#[tokio::test]
async fn rising_pain_holds_the_dose_in_the_progress_advice() {
    let a = Api::start("").await;
    let now = postured::daemon::now_s();
    let mut sets = Vec::new();
    for (i, ago) in [2.0 * 86_400.0, 86_400.0, 3600.0].into_iter().enumerate() {
        let set = a.set(now - ago, 16.0).await;
        let pain = [1, 1, 1][i];
        a.post_json(
            &format!("/api/sets/{}/feedback", set.0),
            &json!({"pain": pain}),
        )
        .await;
        sets.push(set);
    }
    let (_, v) = a.get("/api/progress").await;
    assert_eq!(v["suggestions"][0]["advice"]["kind"], "longer_hold", "{v}");

    a.post_json(
        &format!("/api/sets/{}/feedback", sets[2].0),
        &json!({"pain": 3}),
    )
    .await;
    let (_, v) = a.get("/api/progress").await;
    let s = &v["suggestions"][0];
    assert_eq!(s["advice"]["kind"], "hold_for_pain", "{v}");
    assert_eq!(
        (s["advice"]["pain"].as_u64(), s["pain"].as_u64()),
        (Some(3), Some(3))
    );
    assert!(
        s["text"].as_str().unwrap().contains("sharp or spreading"),
        "{v}"
    );
}

#[tokio::test]
async fn the_report_is_one_page_with_every_part_and_escaped_notes() {
    let a = Api::start("").await;
    let now = postured::daemon::now_s();
    let day = 86_400.0;
    let first = a.set(now - 9.0 * day, 12.0).await;
    let second = a.set(now - 2.0 * day, 16.0).await;
    a.daemon.store.correct_set(second, Some(2));
    for (set, pain, note) in [
        (first, 2, "fine"),
        (second, 5, "<script>alert(1)</script> & more"),
    ] {
        a.post_json(
            &format!("/api/sets/{}/feedback", set.0),
            &json!({"pain": pain, "effort": 4, "note": note}),
        )
        .await;
    }
    a.daemon.store.record_slouch(
        "chest",
        &SlouchEpisode {
            start_s: now - day,
            end_s: now - day + 200.0,
            peak_deg: 24.0,
            alert_s: Some(now - day + 90.0),
        },
    );
    a.daemon
        .store
        .add_posture_time((now - day) as i64, 3000.0, 600.0);
    a.daemon.store.flush().await.unwrap();

    let (s, kind, html) = a
        .get_text(&format!(
            "/report?from={}&to={}",
            now - 14.0 * day,
            now + 60.0
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(kind.starts_with("text/html"), "{kind}");
    for part in [
        "<!DOCTYPE html>",
        "@page",
        "A4",
        "@media print",
        "Adherence",
        "3 a day",
        "Doorway pectoral stretch",
        "Range of motion",
        "Short hold",
        "Pain and effort",
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more",
        "Posture",
        "Slouch alerts",
        "Corrections",
        "<svg",
    ] {
        assert!(html.contains(part), "the report lacks {part:?}");
    }
    assert!(!html.contains("<script"), "the report runs no script");
    assert!(!html.contains("src=\"http"), "the report loads nothing");

    let (s, v) = a.get("/report?from=10&to=5").await;
    assert!(s == StatusCode::BAD_REQUEST && !error(&v).is_empty(), "{v}");
    let (s, v) = a.get("/report?from=abc").await;
    assert!(s == StatusCode::BAD_REQUEST && !error(&v).is_empty(), "{v}");
}

#[tokio::test]
async fn postured_report_saves_the_page_of_the_days_asked_for() {
    let a = Api::start("").await;
    let now = postured::daemon::now_s();
    a.set(now - 3600.0, 16.0).await;
    let out = common::scratch("report").join("report.html");
    let today = postured::report::iso_date(now, 0.0);
    // The set's own day: yesterday, when the test runs in the first hour.
    let set_day = postured::report::iso_date(now - 3600.0, 0.0);
    let run = |args: Vec<String>| {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_postured"))
            .args(args)
            .env("XDG_CONFIG_HOME", common::scratch("report-config"))
            .output()
    };
    let args = |from: &str| -> Vec<String> {
        [
            "report", "--url", &a.base, "--from", from, "--to", &today, "--out",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([out.display().to_string()])
        .collect()
    };
    let done = run(args(&set_day)).await.unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains(&format!("{set_day} to {today}")), "{html}");
    assert!(html.contains("Doorway pectoral stretch"));

    let done = run(args("last tuesday")).await.unwrap();
    assert!(!done.status.success());
    let err = String::from_utf8_lossy(&done.stderr);
    assert!(err.contains("neither a date"), "{err}");
}

#[tokio::test]
async fn cue_switches_come_from_the_config_and_change_until_a_reload() {
    let a = Api::start("").await;
    let (s, v) = a.get("/api/cues").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        v,
        json!({"vibrate": true, "ticks": false, "tone": true, "speech": false})
    );
    let (s, v) = a
        .post_json("/api/cues", &json!({"ticks": true, "vibrate": false}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v,
        json!({"vibrate": false, "ticks": true, "tone": true, "speech": false})
    );
    assert_eq!(a.get("/api/cues").await.1, v);
    assert!(!a.daemon.settings().cues.vibrate);
    for body in [json!({"loud": true}), json!({"ticks": "yes"})] {
        let (s, v) = a.post_json("/api/cues", &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        assert!(!error(&v).is_empty());
    }
}
