//! The report for a clinician (`GET /report`, `postured report`): one
//! self-contained HTML page that prints on A4, with inline SVG charts and no
//! scripts. This module sums the stored history up (pure: sessions, feedback and
//! posture in, numbers out); [`html`] writes the page and [`svg`] its charts.
//!
//! What it shows: adherence (sessions a day against the three a day of
//! `docs/exercises.md`), per exercise the sets, reps, holds on target
//! ([`crate::progress::rep_on_target`]), the peak angle week by week, the flags
//! most often missed; pain and effort over time with the notes; posture (upright
//! share by day, slouch alerts); and the counts the wearer corrected.

mod html;
mod svg;

use std::collections::{BTreeMap, HashMap};

use crate::exercises::Catalog;
use crate::motion::Flag;
use crate::progress::rep_on_target;
use crate::store::{Feedback, PostureHistory, SessionDetail, SetDetail};

pub use html::render;

/// Sessions a day the seed material recommends (stretching three times a day).
pub const ADVISED_PER_DAY: u32 = 3;

const DAY_S: f64 = 86_400.0;
const WEEK_S: f64 = 7.0 * DAY_S;

/// What a report is made from.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// Sessions that started in the period, any order.
    pub sessions: &'a [SessionDetail],
    /// Feedback given in the period.
    pub feedback: &'a [Feedback],
    /// Posture in the period.
    pub posture: &'a PostureHistory,
    /// The exercises, for names and targets.
    pub catalog: &'a Catalog,
    /// The period, `[from, to)` (Unix s).
    pub from: f64,
    /// Its end (Unix s).
    pub to: f64,
    /// The wearer's offset from UTC (s), for telling days apart.
    pub utc_offset_s: f64,
    /// When the report is made (Unix s).
    pub generated_at: f64,
}

/// One local day of the period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Day {
    /// Its local midnight (Unix s).
    pub start: f64,
    /// Sessions started that day.
    pub sessions: u32,
    /// Time upright (s).
    pub upright_s: f64,
    /// Time slouched (s).
    pub slouched_s: f64,
    /// Slouch alerts that day.
    pub alerts: u32,
}

/// One exercise over the period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exercise {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Sets done (interrupted ones included).
    pub sets: u32,
    /// Reps, the wearer's corrections counting over the counter's.
    pub reps: u32,
    /// Counted reps with a hold.
    pub holds: u32,
    /// Of those, on target.
    pub holds_on_target: u32,
    /// Per week from `from`: (week start, best peak, mean peak) of counted reps.
    pub peaks: Vec<(f64, f64, f64)>,
    /// The target angle band (deg), if the exercise has one.
    pub band: Option<[f64; 2]>,
    /// Flags on counted reps, most frequent first.
    pub missed: Vec<(Flag, u32)>,
}

/// A set whose count the wearer corrected.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    /// When the set started (Unix s).
    pub at: f64,
    /// Exercise name.
    pub exercise: String,
    /// The counter's count.
    pub counted: u32,
    /// The wearer's.
    pub corrected: u32,
}

/// Feedback with the exercise it was given for.
#[derive(Debug, Clone, PartialEq)]
pub struct Felt {
    /// The entry.
    pub feedback: Feedback,
    /// The set's exercise name, or `None` for a whole session.
    pub exercise: Option<String>,
}

/// Everything the page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Every local day of the period, oldest first.
    pub days: Vec<Day>,
    /// Exercises by name.
    pub exercises: Vec<Exercise>,
    /// Feedback, oldest first.
    pub felt: Vec<Felt>,
    /// Corrections, oldest first.
    pub corrections: Vec<Correction>,
}

/// The local midnight before `t`.
fn day_start(t: f64, utc_offset_s: f64) -> f64 {
    ((t + utc_offset_s) / DAY_S).floor() * DAY_S - utc_offset_s
}

/// Sums the input up.
pub fn summarize(i: &Input<'_>) -> Summary {
    let mut sets: Vec<&SetDetail> = i.sessions.iter().flat_map(|s| &s.sets).collect();
    sets.sort_by(|a, b| a.set.info.started_at.total_cmp(&b.set.info.started_at));
    let name = |id: &str| i.catalog.get(id).map_or(id.to_owned(), |s| s.name.clone());
    let exercise_of: HashMap<i64, &str> = sets
        .iter()
        .map(|s| (s.set.info.id.0, s.set.info.exercise.as_str()))
        .collect();
    let felt = i
        .feedback
        .iter()
        .map(|f| Felt {
            exercise: f.set.and_then(|id| exercise_of.get(&id.0)).map(|e| name(e)),
            feedback: f.clone(),
        })
        .collect();
    let corrections = sets
        .iter()
        .filter_map(|s| {
            Some(Correction {
                at: s.set.info.started_at,
                exercise: name(&s.set.info.exercise),
                counted: s.set.counted_reps,
                corrected: s.set.corrected_reps?,
            })
        })
        .collect();
    let mut exercises: Vec<Exercise> = group(&sets)
        .into_iter()
        .map(|(id, sets)| exercise(i, id, &sets, name(id)))
        .collect();
    exercises.sort_by(|a, b| a.name.cmp(&b.name));
    Summary {
        days: days(i),
        exercises,
        felt,
        corrections,
    }
}

fn group<'a>(sets: &[&'a SetDetail]) -> BTreeMap<&'a str, Vec<&'a SetDetail>> {
    let mut by: BTreeMap<&str, Vec<&SetDetail>> = BTreeMap::new();
    for s in sets {
        by.entry(s.set.info.exercise.as_str()).or_default().push(s);
    }
    by
}

fn exercise(i: &Input<'_>, id: &str, sets: &[&SetDetail], name: String) -> Exercise {
    let counted: Vec<_> = sets
        .iter()
        .flat_map(|s| s.reps.iter().filter(|r| r.counted))
        .collect();
    let holds: Vec<_> = counted.iter().filter(|r| r.rep.hold.is_some()).collect();
    let mut weeks: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for r in &counted {
        let week = ((r.rep.start_s - i.from) / WEEK_S).floor() as i64;
        weeks.entry(week).or_default().push(r.rep.peak_deg);
    }
    let peaks = weeks
        .into_iter()
        .map(|(w, p)| {
            let best = p.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mean = p.iter().sum::<f64>() / p.len() as f64;
            (i.from + w as f64 * WEEK_S, best, mean)
        })
        .collect();
    let mut missed: BTreeMap<&str, (Flag, u32)> = BTreeMap::new();
    for f in counted
        .iter()
        .flat_map(|r| &r.rep.flags)
        .filter(|&&f| f != Flag::Unseen)
    {
        missed.entry(f.as_str()).or_insert((*f, 0)).1 += 1;
    }
    let mut missed: Vec<(Flag, u32)> = missed.into_values().collect();
    missed.sort_by_key(|m| std::cmp::Reverse(m.1));
    Exercise {
        id: id.to_owned(),
        name,
        sets: sets.len() as u32,
        reps: sets
            .iter()
            .map(|s| s.set.corrected_reps.unwrap_or(s.set.counted_reps))
            .sum(),
        holds: holds.len() as u32,
        holds_on_target: holds.iter().filter(|r| rep_on_target(r)).count() as u32,
        peaks,
        band: i.catalog.get(id).and_then(|s| s.target.angle_deg),
        missed,
    }
}

fn days(i: &Input<'_>) -> Vec<Day> {
    let first = day_start(i.from, i.utc_offset_s);
    let last = day_start((i.to - 1.0).max(i.from), i.utc_offset_s);
    let n = ((last - first) / DAY_S).round() as usize + 1;
    let mut days: Vec<Day> = (0..n)
        .map(|k| Day {
            start: first + k as f64 * DAY_S,
            ..Day::default()
        })
        .collect();
    let at = |t: f64| -> Option<usize> {
        let k = ((day_start(t, i.utc_offset_s) - first) / DAY_S).round();
        (k >= 0.0 && (k as usize) < n).then_some(k as usize)
    };
    for s in i.sessions {
        if let Some(k) = at(s.started_at) {
            days[k].sessions += 1;
        }
    }
    for h in &i.posture.hours {
        if let Some(k) = at(h.hour_start as f64) {
            days[k].upright_s += h.upright_s;
            days[k].slouched_s += h.slouched_s;
        }
    }
    for e in &i.posture.episodes {
        if e.episode.alert_s.is_some()
            && let Some(k) = at(e.episode.start_s)
        {
            days[k].alerts += 1;
        }
    }
    days
}

/// `(year, month, day)` of the local date of `t`.
pub fn civil(t: f64, utc_offset_s: f64) -> (i64, u32, u32) {
    // Howard Hinnant's days-to-civil.
    let z = ((t + utc_offset_s) / DAY_S).floor() as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `2026-12-02`.
pub fn iso_date(t: f64, utc_offset_s: f64) -> String {
    let (y, m, d) = civil(t, utc_offset_s);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The Unix time of midnight UTC starting `2026-12-02`, if it is such a date.
pub fn parse_iso_date(s: &str) -> Option<f64> {
    let mut parts = s.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days-from-civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let t = (era * 146_097 + doe - 719_468) as f64 * DAY_S;
    (iso_date(t, 0.0) == format!("{:04}-{m:02}-{d:02}", if m <= 2 { y + 1 } else { y }))
        .then_some(t)
}

#[cfg(test)]
mod tests;
