//! Totals from small hand-made histories.

use super::*;
use crate::motion::{Flag, Hold, Rep};
use crate::store::{SessionId, SetDetail, SetId, SetInfo, SetSummary, StoredRep};

const T0: f64 = 1_800_000_000.0; // a Unix time; its UTC day starts at T0 - 28_800

fn rep(n: u32, hold: bool, flags: Vec<Flag>, counted: bool) -> StoredRep {
    StoredRep {
        withdrawn: None,
        rep: Rep {
            n,
            start_s: 0.0,
            end_s: 1.0,
            hold: hold.then_some(Hold {
                start_s: 0.0,
                end_s: 1.0,
                held_s: 1.0,
                breaks: 0,
            }),
            peak_deg: 10.0,
            side: None,
            score: 1.0,
            flags,
        },
        counted,
    }
}

fn session(at: f64, reps: Vec<StoredRep>) -> SessionDetail {
    let info = SetInfo {
        id: SetId(1),
        session: SessionId(1),
        exercise: "wall-slide".into(),
        strap: "thigh".into(),
        side: None,
        started_at: at,
        target_reps: Some(5),
        note: None,
    };
    SessionDetail {
        id: SessionId(1),
        started_at: at,
        ended_at: Some(at + 60.0),
        routine: None,
        sets: vec![SetDetail {
            set: SetSummary {
                info,
                ended_at: Some(at + 60.0),
                end_reason: None,
                counted_reps: 0,
                live_reps: None,
                corrected_reps: None,
            },
            reps,
            heart_rate: None,
        }],
    }
}

#[test]
fn sessions_fall_on_the_wearers_local_day() {
    let day0 = day_start(T0, 0.0);
    let late = day0 + DAY_S - 600.0; // 23:50 UTC
    let sessions = [session(day0 + 3600.0, vec![]), session(late, vec![])];
    let utc = totals(&sessions, &[], day0, day0 + 2.0 * DAY_S, 0.0);
    let counts: Vec<u32> = utc.days.iter().map(|d| d.sessions).collect();
    assert_eq!(counts, [2, 0, 0]);
    // An hour east of UTC, 23:50 UTC is 00:50 the next day.
    let east = totals(&sessions, &[], day0, day0 + 2.0 * DAY_S, 3600.0);
    let counts: Vec<u32> = east.days.iter().map(|d| d.sessions).collect();
    assert_eq!(counts, [1, 1, 0]);
    assert_eq!(east.days[0].start, day0 - 3600.0);
}

#[test]
fn holds_on_target_have_no_flag_and_attempts_and_plain_reps_do_not_count() {
    let from = T0;
    let reps = vec![
        rep(1, true, vec![], true),
        rep(2, true, vec![Flag::ShortHold], true),
        rep(3, true, vec![Flag::LongHold], true),
        rep(4, false, vec![], true),
        rep(1, true, vec![], false),
    ];
    let t = totals(
        &[session(from + 8.0 * DAY_S, reps)],
        &[],
        from,
        from + 13.0 * DAY_S,
        0.0,
    );
    assert_eq!(t.weeks.len(), 2);
    assert_eq!((t.weeks[0].holds, t.weeks[0].holds_on_target), (0, 0));
    assert_eq!((t.weeks[1].holds, t.weeks[1].holds_on_target), (3, 1));
    assert_eq!(t.weeks[1].start, from + WEEK_S);
}

#[test]
fn posture_hours_add_up_by_day() {
    let day0 = day_start(T0, 0.0);
    let hour = |h: f64, up: f64, down: f64| PostureHour {
        hour_start: (day0 + h * 3600.0) as i64,
        upright_s: up,
        slouched_s: down,
    };
    let hours = [
        hour(9.0, 3000.0, 600.0),
        hour(10.0, 2000.0, 0.0),
        hour(33.0, 100.0, 100.0),
    ];
    let t = totals(&[], &hours, day0, day0 + DAY_S + 1.0, 0.0);
    assert_eq!(t.days.len(), 2);
    assert_eq!((t.days[0].upright_s, t.days[0].slouched_s), (5000.0, 600.0));
    assert_eq!((t.days[1].upright_s, t.days[1].slouched_s), (100.0, 100.0));
}
