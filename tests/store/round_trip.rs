//! What goes in comes back out: sessions, sets, reps, samples, heart rate,
//! corrections, posture, export; paging and date filters.

use postured::motion::{Rep, SlouchEpisode, WithdrawReason};
use postured::store::{EndReason, SessionId, SetId, Settlement, Store};

use crate::{TempDir, rep, samples, set_info};

fn attempt(n: u32, t: f64) -> Rep {
    Rep {
        hold: None,
        side: None,
        flags: vec![],
        score: 0.0,
        ..rep(n, t)
    }
}

#[tokio::test]
async fn a_session_comes_back_with_its_sets_reps_heart_rate_and_samples() {
    let dir = TempDir::new("session");
    let store = Store::open(dir.db()).unwrap();
    store.start_session(SessionId(1), 100.0, Some("back care"));
    store.start_set(set_info(11, 1, 101.0));
    let raw = samples(101.0, 450);
    store.append_samples(SetId(11), &raw[..200]);
    store.record_rep(SetId(11), &rep(1, 106.0), true);
    store.record_rep(SetId(11), &attempt(1, 108.0), false);
    store.append_samples(SetId(11), &raw[200..]);
    store.record_rep(SetId(11), &rep(2, 110.0), true);
    for (t, bpm) in [(102.0, 70), (104.0, 90), (106.0, 80)] {
        store.append_heart_rate(SetId(11), t, bpm);
    }
    // The set settled: the first live rep was getting into position.
    let count = Settlement {
        reps: 1,
        live_reps: 2,
        withdrawn: vec![(1, WithdrawReason::LeadIn)],
    };
    store.end_set(SetId(11), 111.0, EndReason::Stopped, count);
    store.end_session(SessionId(1), 112.0);

    let s = store.session(SessionId(1)).await.unwrap().unwrap();
    assert_eq!((s.started_at, s.ended_at), (100.0, Some(112.0)));
    assert_eq!(s.routine.as_deref(), Some("back care"));
    let set = &s.sets[0];
    assert_eq!(set.set.info, set_info(11, 1, 101.0));
    assert_eq!(set.set.end_reason, Some(EndReason::Stopped));
    assert_eq!(
        (
            set.set.counted_reps,
            set.set.live_reps,
            set.set.corrected_reps
        ),
        (1, Some(2), None)
    );
    let reps: Vec<_> = set
        .reps
        .iter()
        .map(|r| (r.rep.clone(), r.counted, r.withdrawn))
        .collect();
    assert_eq!(
        reps,
        [
            (rep(1, 106.0), true, Some(WithdrawReason::LeadIn)),
            (attempt(1, 108.0), false, None),
            (rep(2, 110.0), true, None)
        ]
    );
    let hr = set.heart_rate.unwrap();
    assert_eq!(
        (hr.count, hr.min_bpm, hr.max_bpm, hr.mean_bpm),
        (3, 70, 90, 80.0)
    );

    let back = store.set_samples(SetId(11)).await.unwrap();
    assert_eq!(back.len(), raw.len());
    for (a, b) in raw.iter().zip(&back) {
        assert!((a.t - b.t).abs() < 1e-6 && (a.accel[0] - b.accel[0]).abs() < 1e-6);
        assert!((a.gyro.unwrap()[2] - b.gyro.unwrap()[2]).abs() < 1e-4);
    }
    assert!(store.session(SessionId(2)).await.unwrap().is_none());
}

#[tokio::test]
async fn a_correction_is_kept_beside_the_automatic_count() {
    let store = Store::open_in_memory().unwrap();
    store.start_session(SessionId(1), 100.0, None);
    store.start_set(set_info(11, 1, 101.0));
    let count = Settlement {
        reps: 10,
        live_reps: 10,
        withdrawn: vec![],
    };
    store.end_set(SetId(11), 150.0, EndReason::TargetReached, count);
    store.correct_set(SetId(11), Some(9));
    let page = store.sessions(None, None, 10, 0).await.unwrap();
    let set = &page.items[0].sets[0];
    assert_eq!((set.counted_reps, set.corrected_reps), (10, Some(9)));
    store.correct_set(SetId(11), None);
    let s = store.session(SessionId(1)).await.unwrap().unwrap();
    assert_eq!(
        (s.sets[0].set.counted_reps, s.sets[0].set.corrected_reps),
        (10, None)
    );
}

#[tokio::test]
async fn sessions_page_newest_first_within_the_dates_asked() {
    let store = Store::open_in_memory().unwrap();
    for i in 1..=5 {
        let t = f64::from(i) * 1000.0;
        store.start_session(SessionId(i.into()), t, None);
        store.start_set(set_info(i.into(), i.into(), t + 1.0));
    }
    let page = store.sessions(None, None, 2, 0).await.unwrap();
    let ids = |p: &postured::store::Page<postured::store::SessionSummary>| {
        p.items.iter().map(|s| s.id.0).collect::<Vec<_>>()
    };
    assert_eq!((page.total, ids(&page)), (5, vec![5, 4]));
    let page = store.sessions(None, None, 2, 4).await.unwrap();
    assert_eq!((page.total, page.offset, ids(&page)), (5, 4, vec![1]));
    assert_eq!(page.items[0].sets[0].info.id, SetId(1));
    let page = store
        .sessions(Some(2000.0), Some(4000.0), 10, 0)
        .await
        .unwrap();
    assert_eq!((page.total, ids(&page)), (2, vec![3, 2]));
    let page = store.sessions(Some(4500.0), None, 10, 0).await.unwrap();
    assert_eq!((page.total, ids(&page)), (1, vec![5]));
}

#[tokio::test]
async fn posture_hours_add_up_and_episodes_filter_by_date() {
    let store = Store::open_in_memory().unwrap();
    store.add_posture_time(7200, 600.0, 60.0);
    store.add_posture_time(7200 + 1800, 300.0, 30.5); // inside the same hour
    store.add_posture_time(10800, 10.0, 0.0);
    let episode = |start_s: f64| SlouchEpisode {
        start_s,
        end_s: start_s + 40.0,
        peak_deg: 24.0,
        alert_s: (start_s > 8000.0).then_some(start_s + 30.0),
    };
    store.record_slouch("chest", &episode(7300.0));
    store.record_slouch("chest", &episode(9000.0));
    store.record_slouch("chest", &episode(11000.0));

    let all = store.posture(None, None).await.unwrap();
    let hours: Vec<_> = all
        .hours
        .iter()
        .map(|h| (h.hour_start, h.upright_s, h.slouched_s))
        .collect();
    assert_eq!(hours, [(7200, 900.0, 90.5), (10800, 10.0, 0.0)]);
    assert_eq!(all.episodes.len(), 3);
    assert_eq!(all.episodes[1].episode, episode(9000.0));
    assert_eq!(all.episodes[1].strap, "chest");

    let some = store.posture(Some(7200.0), Some(10800.0)).await.unwrap();
    assert_eq!(some.hours.len(), 1);
    assert_eq!(some.episodes.len(), 2);
    assert_eq!(some.episodes[0].episode.alert_s, None);
}

#[tokio::test]
async fn export_holds_everything_in_the_range_and_serializes() {
    let store = Store::open_in_memory().unwrap();
    for (id, t) in [(1, 1000.0), (2, 5000.0)] {
        store.start_session(SessionId(id), t, None);
        store.start_set(set_info(id, id, t));
        store.record_rep(SetId(id), &rep(1, t + 5.0), true);
        store.append_heart_rate(SetId(id), t + 2.0, 88);
    }
    store.add_posture_time(3600, 100.0, 5.0);
    let export = store.export(None, Some(4000.0)).await.unwrap();
    assert_eq!(export.sessions.len(), 1);
    assert_eq!(export.sessions[0].sets[0].reps.len(), 1);
    assert_eq!(export.heart_rate.len(), 1);
    assert_eq!(export.heart_rate[0].bpm, 88);
    assert_eq!(export.posture.hours.len(), 1);
    let json = serde_json::to_value(&export).unwrap();
    let rep = &json["sessions"][0]["sets"][0]["reps"][0];
    assert_eq!(rep["flags"], serde_json::json!(["short_hold", "drifted"]));
    assert_eq!(rep["counted"], true);
    assert_eq!(
        json["sessions"][0]["sets"][0]["exercise"],
        "prone-leg-raise"
    );
}

#[tokio::test]
async fn a_set_left_open_is_marked_interrupted_at_its_last_sample_on_reopening() {
    let dir = TempDir::new("interrupted");
    let store = Store::open(dir.db()).unwrap();
    store.start_session(SessionId(1), 100.0, None);
    store.start_set(set_info(11, 1, 101.0));
    store.record_rep(SetId(11), &rep(1, 106.0), true);
    store.record_rep(SetId(11), &rep(2, 110.0), true);
    store.append_samples(SetId(11), &samples(110.0, 400)); // up to 111.995
    store.start_set(set_info(12, 1, 120.0));
    store.flush().await.unwrap();
    drop(store);

    let store = Store::open(dir.db()).unwrap();
    let s = store.session(SessionId(1)).await.unwrap().unwrap();
    let (a, b) = (&s.sets[0].set, &s.sets[1].set);
    assert_eq!(a.end_reason, Some(EndReason::Interrupted));
    assert!((a.ended_at.unwrap() - 111.995).abs() < 1e-9, "{a:?}");
    assert_eq!(a.counted_reps, 2);
    assert_eq!(
        (b.end_reason, b.ended_at),
        (Some(EndReason::Interrupted), Some(120.0))
    );
    assert_eq!(s.ended_at, Some(120.0));
}

#[tokio::test]
async fn a_write_the_database_refuses_is_skipped_not_retried_forever() {
    let store = Store::open_in_memory().unwrap();
    store.record_rep(SetId(404), &rep(1, 10.0), true); // no such set
    store.start_session(SessionId(1), 100.0, None);
    store.flush().await.unwrap();
    let health = store.health();
    assert_eq!((health.rejected_writes, health.pending_writes), (1, 0));
    assert!(store.session(SessionId(1)).await.unwrap().is_some());
}
