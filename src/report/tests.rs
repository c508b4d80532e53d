//! The report's sums and page from hand-made history.

use super::*;
use crate::motion::{Hold, Rep, SlouchEpisode};
use crate::store::{
    EndReason, PostureHour, SessionId, SetId, SetInfo, SetSummary, StoredRep, StoredSlouch,
};

const DAY: f64 = 86_400.0;
/// 2026-12-01 00:00 UTC.
const T0: f64 = 1_796_083_200.0;

fn rep(n: u32, t: f64, peak: f64, flags: Vec<Flag>) -> StoredRep {
    StoredRep {
        withdrawn: None,
        rep: Rep {
            n,
            start_s: t,
            end_s: t + 20.0,
            hold: Some(Hold {
                start_s: t + 2.0,
                end_s: t + 18.0,
                held_s: 16.0,
                breaks: 0,
            }),
            peak_deg: peak,
            side: None,
            score: 1.0,
            flags,
        },
        counted: true,
    }
}

fn session(t: f64, exercise: &str, reps: Vec<StoredRep>, corrected: Option<u32>) -> SessionDetail {
    let id = (t * 1000.0) as i64;
    SessionDetail {
        id: SessionId(id),
        started_at: t,
        ended_at: Some(t + 300.0),
        routine: None,
        sets: vec![SetDetail {
            set: SetSummary {
                info: SetInfo {
                    id: SetId(id),
                    session: SessionId(id),
                    exercise: exercise.into(),
                    strap: "chest".into(),
                    side: None,
                    started_at: t,
                    target_reps: Some(3),
                    note: None,
                },
                ended_at: Some(t + 300.0),
                end_reason: Some(EndReason::TargetReached),
                counted_reps: reps.len() as u32,
                live_reps: None,
                corrected_reps: corrected,
            },
            reps,
            heart_rate: None,
        }],
    }
}

fn history() -> (Vec<SessionDetail>, Vec<Feedback>, PostureHistory) {
    let short = || vec![Flag::ShortHold];
    let sessions = vec![
        session(
            T0 + 3600.0,
            "cobra",
            vec![
                rep(1, T0 + 3600.0, 20.0, vec![]),
                rep(2, T0 + 3700.0, 24.0, short()),
            ],
            None,
        ),
        session(
            T0 + 7200.0,
            "cobra",
            vec![rep(1, T0 + 7200.0, 22.0, vec![])],
            Some(2),
        ),
        session(
            T0 + 8.0 * DAY,
            "cobra",
            vec![rep(1, T0 + 8.0 * DAY, 30.0, short())],
            None,
        ),
    ];
    let feedback = vec![Feedback {
        session: sessions[1].id,
        set: Some(sessions[1].sets[0].set.info.id),
        at: T0 + 7500.0,
        pain: Some(4),
        effort: Some(6),
        note: Some("a \"sharp\" <twinge> & ache".into()),
    }];
    let posture = PostureHistory {
        episodes: vec![StoredSlouch {
            strap: "chest".into(),
            episode: SlouchEpisode {
                start_s: T0 + 2.0 * DAY,
                end_s: T0 + 2.0 * DAY + 300.0,
                peak_deg: 25.0,
                alert_s: Some(T0 + 2.0 * DAY + 120.0),
            },
        }],
        hours: vec![PostureHour {
            hour_start: (T0 + 2.0 * DAY) as i64,
            upright_s: 2700.0,
            slouched_s: 900.0,
        }],
    };
    (sessions, feedback, posture)
}

fn input<'a>(
    h: &'a (Vec<SessionDetail>, Vec<Feedback>, PostureHistory),
    catalog: &'a Catalog,
) -> Input<'a> {
    Input {
        sessions: &h.0,
        feedback: &h.1,
        posture: &h.2,
        catalog,
        from: T0,
        to: T0 + 14.0 * DAY,
        utc_offset_s: 0.0,
        generated_at: T0 + 14.0 * DAY,
    }
}

#[test]
fn dates_are_civil_dates() {
    assert_eq!(iso_date(T0, 0.0), "2026-12-01");
    assert_eq!(iso_date(T0 - 1.0, 0.0), "2026-11-30");
    assert_eq!(iso_date(T0 - 1.0, 3600.0), "2026-12-01");
    assert_eq!(iso_date(951_782_400.0, 0.0), "2000-02-29");
    assert_eq!(parse_iso_date("2026-12-01"), Some(T0));
    assert_eq!(parse_iso_date("2000-02-29"), Some(951_782_400.0));
    assert_eq!(parse_iso_date("2001-02-29"), None);
    assert_eq!(parse_iso_date("2026-13-01"), None);
    assert_eq!(parse_iso_date("yesterday"), None);
}

#[test]
fn sums_days_exercises_feedback_and_corrections() {
    let catalog = Catalog::load(None).unwrap();
    let h = history();
    let sum = summarize(&input(&h, &catalog));
    assert_eq!(sum.days.len(), 14);
    assert_eq!(sum.days[0].sessions, 2);
    assert_eq!(sum.days[8].sessions, 1);
    assert_eq!((sum.days[2].alerts, sum.days[2].upright_s), (1, 2700.0));
    let cobra = &sum.exercises[0];
    assert_eq!((cobra.sets, cobra.reps), (3, 5));
    assert_eq!((cobra.holds, cobra.holds_on_target), (4, 2));
    assert_eq!(cobra.missed, [(Flag::ShortHold, 2)]);
    let weeks: Vec<(f64, f64)> = cobra.peaks.iter().map(|p| (p.1, p.2)).collect();
    assert_eq!(weeks, [(24.0, 22.0), (30.0, 30.0)]);
    assert_eq!(sum.corrections.len(), 1);
    assert_eq!(
        (sum.corrections[0].counted, sum.corrections[0].corrected),
        (1, 2)
    );
    assert_eq!(sum.felt[0].exercise.as_deref(), Some(cobra.name.as_str()));
}

#[test]
fn the_page_escapes_notes_and_runs_no_script() {
    let catalog = Catalog::load(None).unwrap();
    let h = history();
    let page = render(&input(&h, &catalog));
    assert!(page.contains("a &quot;sharp&quot; &lt;twinge&gt; &amp; ache"));
    assert!(!page.contains("<twinge>"));
    assert!(!page.contains("<script"));
    assert!(page.contains("@page { size: A4"));
    assert_eq!(page.matches("<svg class=\"chart\"").count(), 5);
    assert!(page.contains("Short hold (2)"));
    assert!(page.contains("2026-12-01 to 2026-12-14"));
}

#[test]
fn a_rep_counted_across_a_dropped_link_is_not_a_miss() {
    let catalog = Catalog::load(None).unwrap();
    let mut h = history();
    h.0.push(session(
        T0 + 2.0 * DAY,
        "cobra",
        vec![
            rep(1, T0 + 2.0 * DAY, 22.0, vec![Flag::Unseen]),
            rep(2, T0 + 2.0 * DAY + 100.0, 22.0, vec![Flag::Unseen]),
            rep(3, T0 + 2.0 * DAY + 200.0, 22.0, vec![Flag::Unseen]),
        ],
        None,
    ));
    let sum = summarize(&input(&h, &catalog));
    let cobra = sum.exercises.iter().find(|e| e.id == "cobra").unwrap();
    assert_eq!(cobra.missed, [(Flag::ShortHold, 2)]);
}
