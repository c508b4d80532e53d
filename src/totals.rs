//! Daily and weekly totals for the history charts: sessions and posture a day,
//! holds and holds on target a week. Pure, beside [`crate::progress`], whose
//! [`rep_on_target`] is the one definition of a rep on target; the dashboard
//! draws these numbers and computes none of its own.

use serde::Serialize;

use crate::progress::rep_on_target;
use crate::store::{PostureHour, SessionDetail};

const DAY_S: f64 = 86_400.0;
const WEEK_S: f64 = 7.0 * DAY_S;

/// One local day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Day {
    /// Its local midnight (Unix s).
    pub start: f64,
    /// Sessions started that day.
    pub sessions: u32,
    /// Time upright (s).
    pub upright_s: f64,
    /// Time slouched (s).
    pub slouched_s: f64,
}

/// Seven days from `start`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Week {
    /// Its first moment (Unix s).
    pub start: f64,
    /// Counted reps with a hold.
    pub holds: u32,
    /// Of those, the ones on target ([`rep_on_target`]).
    pub holds_on_target: u32,
}

/// The totals from `from` to `now`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    /// Every local day from the one holding `from` to today, oldest first.
    pub days: Vec<Day>,
    /// Weeks from `from`, oldest first; the last one ends at or after `now`.
    pub weeks: Vec<Week>,
}

/// The local midnight before `t`, for a wearer `utc_offset_s` east of UTC.
fn day_start(t: f64, utc_offset_s: f64) -> f64 {
    ((t + utc_offset_s) / DAY_S).floor() * DAY_S - utc_offset_s
}

/// Totals of `sessions` and posture `hours` from `from` to `now` (Unix s).
pub fn totals(
    sessions: &[SessionDetail],
    hours: &[PostureHour],
    from: f64,
    now: f64,
    utc_offset_s: f64,
) -> Totals {
    let first = day_start(from, utc_offset_s);
    let n_days = (((now - first) / DAY_S).floor() as usize) + 1;
    let mut days: Vec<Day> = (0..n_days)
        .map(|i| Day {
            start: first + i as f64 * DAY_S,
            sessions: 0,
            upright_s: 0.0,
            slouched_s: 0.0,
        })
        .collect();
    let day_of = |t: f64| -> Option<usize> {
        let i = ((day_start(t, utc_offset_s) - first) / DAY_S).round();
        (i >= 0.0 && (i as usize) < n_days).then_some(i as usize)
    };
    for s in sessions {
        if let Some(i) = day_of(s.started_at) {
            days[i].sessions += 1;
        }
    }
    for h in hours {
        if let Some(i) = day_of(h.hour_start as f64) {
            days[i].upright_s += h.upright_s;
            days[i].slouched_s += h.slouched_s;
        }
    }
    Totals {
        days,
        weeks: weeks(sessions, from, now),
    }
}

/// Holds a week, weeks counted from `from`.
fn weeks(sessions: &[SessionDetail], from: f64, now: f64) -> Vec<Week> {
    let n = (((now - from) / WEEK_S).ceil() as usize).max(1);
    let mut weeks: Vec<Week> = (0..n)
        .map(|i| Week {
            start: from + i as f64 * WEEK_S,
            holds: 0,
            holds_on_target: 0,
        })
        .collect();
    for set in sessions.iter().flat_map(|s| &s.sets) {
        let w = ((set.set.info.started_at - from) / WEEK_S).floor();
        if w < 0.0 {
            continue;
        }
        let week = &mut weeks[(w as usize).min(n - 1)];
        for r in set
            .reps
            .iter()
            .filter(|r| r.counted && r.rep.hold.is_some())
        {
            week.holds += 1;
            week.holds_on_target += u32::from(rep_on_target(r));
        }
    }
    weeks
}

#[cfg(test)]
mod tests;
