//! Progression advice from the history, following the rule physiotherapists give
//! for home back care: start slowly and increase gradually. A longer hold or one
//! more rep is suggested only after several sets on target; a week whose volume
//! jumps well past the week before gets a warning. Pain comes first: pain that
//! rises, or reaches [`PAIN_HOLD`], holds the dose whatever the sets were, and a
//! step up needs pain not rising (the rule in `docs/exercises.md`). Pure: it reads
//! stored sessions and feedback and returns advice, with no clock or database of
//! its own.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::exercises::{Catalog, ExerciseSpec};
use crate::motion::Flag;
use crate::store::{EndReason, Feedback, SessionDetail, SetDetail, StoredRep};

/// Sets in a row on target before a step up is suggested.
pub const SETS_BEFORE_STEP: usize = 3;
/// Of those, the fewest different days they must span: one good morning is not
/// yet a habit the body has adapted to.
pub const DAYS_BEFORE_STEP: usize = 2;
/// Share of a set's reps that must meet the whole target for the set to count as
/// on target.
pub const ON_TARGET_SHARE: f64 = 0.8;
/// A week's volume above this multiple of the week before is a jump worth a
/// warning (and only when it is also at least [`JUMP_MIN_REPS`] more reps).
pub const JUMP_FACTOR: f64 = 1.5;
/// Smallest increase in weekly reps that is called a jump.
pub const JUMP_MIN_REPS: u32 = 10;
/// A step up in hold time (s).
pub const HOLD_STEP_S: f64 = 2.0;
/// Pain (0-10) at or above which the dose is held whatever the sets were.
pub const PAIN_HOLD: u8 = 7;

const WEEK_S: f64 = 7.0 * 86_400.0;

/// What to do next with one exercise.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Advice {
    /// Hold each rep longer: toward `to_s` (still inside or at the top of the
    /// target band).
    LongerHold {
        /// The mean hold of the recent sets (s).
        from_s: f64,
        /// What to aim for (s).
        to_s: f64,
    },
    /// Do one more rep a set.
    OneMoreRep {
        /// The spec's reps a set.
        from: u32,
        /// One more.
        to: u32,
    },
    /// Keep the dose: more sets on target are needed first.
    Keep {
        /// Sets on target still needed before a step up.
        sets_needed: usize,
    },
    /// Recent sets missed the target: work on what was missed before adding more.
    Consolidate {
        /// What most reps missed (`short_hold`, `partial_range`, ...).
        missed: Option<Flag>,
    },
    /// Pain rose, or is [`PAIN_HOLD`] or more: keep the dose, and stop and ask a
    /// clinician if it is sharp or spreading.
    HoldForPain {
        /// The latest pain given (0-10).
        pain: u8,
        /// The pain given before it, when the latest is higher.
        rose_from: Option<u8>,
    },
}

/// Advice for one exercise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// Exercise id.
    pub exercise: String,
    /// Exercise name.
    pub name: String,
    /// Sets looked at (the most recent, at most [`SETS_BEFORE_STEP`]).
    pub recent_sets: usize,
    /// Of those, how many were on target.
    pub on_target: usize,
    /// The latest pain given for this exercise's sets (0-10), if any.
    pub pain: Option<u8>,
    /// The advice.
    pub advice: Advice,
    /// The advice in a sentence.
    pub text: String,
}

/// Counted reps this week against the week before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeeklyVolume {
    /// Reps counted in the last seven days.
    pub this_week_reps: u32,
    /// Reps counted in the seven days before.
    pub last_week_reps: u32,
    /// A warning when this week jumped well past the last.
    pub warning: Option<String>,
}

/// Everything the dashboard's progress panel shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    /// One per exercise done in the period, most recently done first.
    pub suggestions: Vec<Suggestion>,
    /// Weekly volume.
    pub weekly: WeeklyVolume,
}

/// Reps that count for a set: the user's correction if any, else the counter's.
fn reps_of(set: &SetDetail) -> u32 {
    set.set.corrected_reps.unwrap_or(set.set.counted_reps)
}

/// A rep is on target when it was counted and met the whole target (hold,
/// range, pace): no flag. The one definition, used by set advice here and by
/// the history's totals ([`crate::totals`]).
pub fn rep_on_target(rep: &StoredRep) -> bool {
    rep.counted && rep.rep.flags.is_empty()
}

/// A set is on target when it reached its rep target and most of its reps met
/// the whole target (hold, range).
fn on_target(set: &SetDetail, spec: &ExerciseSpec) -> bool {
    // Judged on the reps seen: one counted across a gap in the samples is
    // neither good nor bad.
    let counted: Vec<_> = set
        .reps
        .iter()
        .filter(|r| r.counted && !r.rep.flags.contains(&Flag::Unseen))
        .collect();
    let target = set.set.info.target_reps.unwrap_or(spec.target.reps);
    if reps_of(set) < target || counted.is_empty() {
        return false;
    }
    let good = counted.iter().filter(|r| rep_on_target(r)).count();
    good as f64 >= ON_TARGET_SHARE * counted.len() as f64
}

/// The flag most of the recent sets' reps carried, if any.
fn most_missed(sets: &[&SetDetail]) -> Option<Flag> {
    let mut counts: BTreeMap<&'static str, (usize, Flag)> = BTreeMap::new();
    for r in sets.iter().flat_map(|s| &s.reps) {
        for f in r.rep.flags.iter().filter(|&&f| f != Flag::Unseen) {
            counts.entry(f.as_str()).or_insert((0, *f)).0 += 1;
        }
    }
    counts
        .into_values()
        .max_by_key(|(n, _)| *n)
        .map(|(_, flag)| flag)
}

/// The mean hold of the counted reps of `sets` (s), if they had holds.
fn mean_hold(sets: &[&SetDetail]) -> Option<f64> {
    let holds: Vec<f64> = sets
        .iter()
        .flat_map(|s| &s.reps)
        .filter(|r| r.counted)
        .filter_map(|r| r.rep.hold.map(|h| h.held_s))
        .collect();
    (!holds.is_empty()).then(|| holds.iter().sum::<f64>() / holds.len() as f64)
}

/// The pain given for `sets` (feedback on one of them, or on a session holding
/// one), oldest first.
fn pains(feedback: &[Feedback], sets: &[&SetDetail]) -> Vec<u8> {
    let mut given: Vec<(f64, u8)> = feedback
        .iter()
        .filter(|f| {
            sets.iter().any(|s| match f.set {
                Some(id) => id == s.set.info.id,
                None => f.session == s.set.info.session,
            })
        })
        .filter_map(|f| Some((f.at, f.pain?)))
        .collect();
    given.sort_by(|a, b| a.0.total_cmp(&b.0));
    given.into_iter().map(|(_, p)| p).collect()
}

/// Advice when pain says to hold the dose: rising, or [`PAIN_HOLD`] or more.
fn pain_advice(pains: &[u8]) -> Option<(Advice, String)> {
    let (&pain, before) = pains.split_last()?;
    let rose_from = before.last().copied().filter(|&b| pain > b);
    if pain < PAIN_HOLD && rose_from.is_none() {
        return None;
    }
    let why = match rose_from {
        Some(b) => format!("your pain rose from {b} to {pain} out of 10"),
        None => format!("your pain was {pain} out of 10"),
    };
    Some((
        Advice::HoldForPain { pain, rose_from },
        format!(
            "Keep this dose: {why}. If the pain is sharp or spreading, stop and ask a clinician."
        ),
    ))
}

fn advise(spec: &ExerciseSpec, recent: &[&SetDetail], utc_offset_s: f64) -> (Advice, String) {
    let good = recent.iter().filter(|s| on_target(s, spec)).count();
    let days = {
        let mut d: Vec<i64> = recent
            .iter()
            .map(|s| ((s.set.info.started_at + utc_offset_s) / 86_400.0).floor() as i64)
            .collect();
        d.dedup();
        d.len()
    };
    if good == recent.len() && recent.len() >= SETS_BEFORE_STEP && days >= DAYS_BEFORE_STEP {
        if let (Some([_, max]), Some(mean)) = (spec.target.hold_s, mean_hold(recent))
            && mean < max - 0.5
        {
            let to_s = (mean + HOLD_STEP_S).min(max).round();
            return (
                Advice::LongerHold { from_s: mean, to_s },
                format!(
                    "Your last {good} sets were on target. Try holding each rep about {to_s:.0} s (you held {mean:.1} s on average)."
                ),
            );
        }
        let from = spec.target.reps;
        return (
            Advice::OneMoreRep { from, to: from + 1 },
            format!(
                "Your last {good} sets were on target. Try one more rep a set: {} instead of {from}.",
                from + 1
            ),
        );
    }
    if recent.len() - good >= 2 {
        let missed = most_missed(recent);
        let what = match missed {
            Some(Flag::ShortHold) => "holding each rep for the whole target time",
            Some(Flag::PartialRange) => "reaching the target angle",
            Some(Flag::OverRange) => "not going past the target angle",
            Some(Flag::TooFast) => "moving more slowly",
            Some(Flag::Drifted) => "keeping still during the hold",
            Some(Flag::LongHold) => "not holding longer than the target",
            // Never the most missed: a rep the strap did not see missed nothing.
            Some(Flag::Unseen) | None => "completing every rep",
        };
        return (
            Advice::Consolidate { missed },
            format!("Keep this dose and work on {what} before adding more."),
        );
    }
    let sets_needed = SETS_BEFORE_STEP.saturating_sub(good).max(1);
    (
        Advice::Keep { sets_needed },
        format!(
            "Keep this dose: {sets_needed} more set{} on target, on more than one day, before increasing.",
            if sets_needed == 1 { "" } else { "s" }
        ),
    )
}

/// Advice from `sessions` (any order) as of `now` (Unix s). `utc_offset_s` is the
/// wearer's offset from UTC, for telling days apart.
pub fn assess(
    sessions: &[SessionDetail],
    feedback: &[Feedback],
    catalog: &Catalog,
    now: f64,
    utc_offset_s: f64,
) -> Progress {
    let mut sets: Vec<&SetDetail> = sessions
        .iter()
        .flat_map(|s| &s.sets)
        .filter(|s| {
            s.set
                .end_reason
                .is_some_and(|r| r != EndReason::Interrupted)
        })
        .collect();
    // Newest first.
    sets.sort_by(|a, b| b.set.info.started_at.total_cmp(&a.set.info.started_at));

    let mut seen: Vec<&str> = Vec::new();
    let mut suggestions = Vec::new();
    for set in &sets {
        let id = set.set.info.exercise.as_str();
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        let Some(spec) = catalog.get(id) else {
            continue;
        };
        let recent: Vec<&SetDetail> = sets
            .iter()
            .filter(|s| s.set.info.exercise == id)
            .take(SETS_BEFORE_STEP)
            .copied()
            .collect();
        let all: Vec<&SetDetail> = sets
            .iter()
            .filter(|s| s.set.info.exercise == id)
            .copied()
            .collect();
        let pains = pains(feedback, &all);
        let (advice, text) =
            pain_advice(&pains).unwrap_or_else(|| advise(spec, &recent, utc_offset_s));
        suggestions.push(Suggestion {
            exercise: id.to_owned(),
            name: spec.name.clone(),
            recent_sets: recent.len(),
            on_target: recent.iter().filter(|s| on_target(s, spec)).count(),
            pain: pains.last().copied(),
            advice,
            text,
        });
    }

    Progress {
        suggestions,
        weekly: weekly(&sets, now),
    }
}

/// Counted reps in the seven days to `now` against the seven before.
fn weekly(sets: &[&SetDetail], now: f64) -> WeeklyVolume {
    let week = |from: f64, to: f64| -> u32 {
        sets.iter()
            .filter(|s| (from..to).contains(&s.set.info.started_at))
            .map(|s| reps_of(s))
            .sum()
    };
    let this_week_reps = week(now - WEEK_S, now + 1.0);
    let last_week_reps = week(now - 2.0 * WEEK_S, now - WEEK_S);
    let jumped = last_week_reps > 0
        && f64::from(this_week_reps) > JUMP_FACTOR * f64::from(last_week_reps)
        && this_week_reps - last_week_reps >= JUMP_MIN_REPS;
    let warning = jumped.then(|| {
        format!(
            "This week's {this_week_reps} reps are {:.0}% more than last week's {last_week_reps}. Increase gradually: too much too soon causes injury.",
            (f64::from(this_week_reps) / f64::from(last_week_reps) - 1.0) * 100.0
        )
    });
    WeeklyVolume {
        this_week_reps,
        last_week_reps,
        warning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::motion::{Hold, Rep};
    use crate::store::{SessionId, SetId, SetInfo, SetSummary, StoredRep};

    const DAY: f64 = 86_400.0;
    const NOW: f64 = 1_800_000_000.0;

    fn catalog() -> Catalog {
        Catalog::load(None).unwrap()
    }

    /// A finished set of `exercise` at `t` with `holds` (one rep each), flagged
    /// `short_hold` when shorter than `min`.
    fn set(exercise: &str, t: f64, holds: &[f64], min: f64, target: u32) -> SessionDetail {
        let reps = holds
            .iter()
            .enumerate()
            .map(|(i, &h)| StoredRep {
                withdrawn: None,
                rep: Rep {
                    n: i as u32 + 1,
                    start_s: 0.0,
                    end_s: h + 2.0,
                    hold: Some(Hold {
                        start_s: 1.0,
                        end_s: 1.0 + h,
                        held_s: h,
                        breaks: 0,
                    }),
                    peak_deg: 20.0,
                    side: None,
                    score: 1.0,
                    flags: if h < min {
                        vec![Flag::ShortHold]
                    } else {
                        vec![]
                    },
                },
                counted: true,
            })
            .collect();
        let id = (t * 1000.0) as i64;
        SessionDetail {
            id: SessionId(id),
            started_at: t,
            ended_at: Some(t + 60.0),
            routine: None,
            sets: vec![SetDetail {
                set: SetSummary {
                    info: SetInfo {
                        id: SetId(id),
                        session: SessionId(id),
                        exercise: exercise.into(),
                        strap: "s".into(),
                        side: None,
                        started_at: t,
                        target_reps: Some(target),
                        note: None,
                    },
                    ended_at: Some(t + 60.0),
                    end_reason: Some(EndReason::TargetReached),
                    counted_reps: holds.len() as u32,
                    live_reps: None,
                    corrected_reps: None,
                },
                reps,
                heart_rate: None,
            }],
        }
    }

    fn doorway(t: f64, hold: f64) -> SessionDetail {
        // The doorway stretch: hold 15-20 s.
        let spec = catalog().get("pectoral-stretch").cloned().unwrap();
        let n = spec.target.reps;
        set("pectoral-stretch", t, &vec![hold; n as usize], 15.0, n)
    }

    #[test]
    fn a_longer_hold_only_after_three_sets_on_target_on_two_days() {
        let c = catalog();
        let one_day = [
            doorway(NOW - 3000.0, 16.0),
            doorway(NOW - 2000.0, 16.0),
            doorway(NOW - 1000.0, 16.0),
        ];
        let p = assess(&one_day, &[], &c, NOW, 0.0);
        assert!(
            matches!(p.suggestions[0].advice, Advice::Keep { .. }),
            "{p:?}"
        );

        let two_days = [
            doorway(NOW - DAY - 3000.0, 16.0),
            doorway(NOW - 2000.0, 16.0),
            doorway(NOW - 1000.0, 16.0),
        ];
        let p = assess(&two_days, &[], &c, NOW, 0.0);
        assert_eq!(
            p.suggestions[0].advice,
            Advice::LongerHold {
                from_s: 16.0,
                to_s: 18.0
            }
        );
        assert_eq!(p.suggestions[0].on_target, 3);
    }

    #[test]
    fn a_rep_the_strap_did_not_see_neither_makes_nor_mars_a_set() {
        // Three good sets over two days, each with one rep counted across a
        // dropped link: judged on the reps seen, they are on target, and the
        // unseen rep is not what was missed.
        let c = catalog();
        let unseen = |mut s: SessionDetail| {
            let last = s.sets[0].reps.last_mut().unwrap();
            last.rep.flags = vec![Flag::Unseen];
            last.rep.hold = None;
            s
        };
        let s = [
            unseen(doorway(NOW - DAY - 3000.0, 16.0)),
            unseen(doorway(NOW - 2000.0, 16.0)),
            unseen(doorway(NOW - 1000.0, 16.0)),
        ];
        let p = assess(&s, &[], &c, NOW, 0.0);
        assert_eq!(p.suggestions[0].on_target, 3, "{p:?}");
        assert!(
            matches!(p.suggestions[0].advice, Advice::LongerHold { .. }),
            "{p:?}"
        );
        assert_eq!(
            most_missed(&s.iter().flat_map(|d| &d.sets).collect::<Vec<_>>()),
            None
        );
    }

    #[test]
    fn one_more_rep_once_holds_reach_the_top_of_the_band() {
        let c = catalog();
        let s = [
            doorway(NOW - 2.0 * DAY, 19.8),
            doorway(NOW - DAY, 19.9),
            doorway(NOW - 100.0, 20.0),
        ];
        let p = assess(&s, &[], &c, NOW, 0.0);
        let n = c.get("pectoral-stretch").unwrap().target.reps;
        assert_eq!(
            p.suggestions[0].advice,
            Advice::OneMoreRep { from: n, to: n + 1 }
        );
    }

    #[test]
    fn short_holds_keep_the_dose_and_say_what_was_missed() {
        let c = catalog();
        let s = [
            doorway(NOW - 2.0 * DAY, 9.0),
            doorway(NOW - DAY, 10.0),
            doorway(NOW - 100.0, 16.0),
        ];
        let p = assess(&s, &[], &c, NOW, 0.0);
        assert_eq!(
            p.suggestions[0].advice,
            Advice::Consolidate {
                missed: Some(Flag::ShortHold)
            }
        );
        assert!(
            p.suggestions[0].text.contains("whole target time"),
            "{}",
            p.suggestions[0].text
        );
    }

    #[test]
    fn a_weekly_jump_warns_and_steady_weeks_do_not() {
        let c = catalog();
        let last: Vec<_> = (0..2)
            .map(|i| doorway(NOW - 8.0 * DAY - f64::from(i) * DAY, 16.0))
            .collect();
        let mut steady = last.clone();
        steady.extend((0..2).map(|i| doorway(NOW - f64::from(i) * DAY - 10.0, 16.0)));
        let p = assess(&steady, &[], &c, NOW, 0.0);
        assert_eq!(p.weekly.this_week_reps, p.weekly.last_week_reps);
        assert_eq!(p.weekly.warning, None);

        let mut jump = last;
        jump.extend((0..6).map(|i| doorway(NOW - f64::from(i) * DAY - 10.0, 16.0)));
        let p = assess(&jump, &[], &c, NOW, 0.0);
        assert_eq!(p.weekly.this_week_reps, 3 * p.weekly.last_week_reps);
        assert!(
            p.weekly
                .warning
                .as_deref()
                .is_some_and(|w| w.contains("200%")),
            "{:?}",
            p.weekly
        );
    }

    #[test]
    fn exercises_are_listed_most_recent_first_and_corrections_count() {
        let c = catalog();
        let mut a = doorway(NOW - DAY, 16.0);
        let b = set("shoulder-rolls", NOW - 100.0, &[], 0.0, 20);
        a.sets[0].set.corrected_reps = Some(1);
        let p = assess(&[a, b], &[], &c, NOW, 0.0);
        let ids: Vec<_> = p.suggestions.iter().map(|s| s.exercise.as_str()).collect();
        assert_eq!(ids, ["shoulder-rolls", "pectoral-stretch"]);
        assert_eq!(p.weekly.this_week_reps, 1);
        assert!(matches!(
            p.suggestions[1].advice,
            Advice::Keep { .. } | Advice::Consolidate { .. }
        ));
    }

    fn pain(session: &SessionDetail, pain: u8) -> Feedback {
        Feedback {
            session: session.id,
            set: Some(session.sets[0].set.info.id),
            at: session.started_at + 100.0,
            pain: Some(pain),
            effort: Some(5),
            note: None,
        }
    }

    #[test]
    fn rising_pain_holds_a_dose_that_would_step_up_and_says_when_to_stop() {
        let c = catalog();
        let s = [
            doorway(NOW - DAY - 3000.0, 16.0),
            doorway(NOW - 2000.0, 16.0),
            doorway(NOW - 1000.0, 16.0),
        ];
        // Steady pain lets the step up through.
        let steady = [pain(&s[0], 2), pain(&s[1], 2), pain(&s[2], 2)];
        let p = assess(&s, &steady, &c, NOW, 0.0);
        assert!(
            matches!(p.suggestions[0].advice, Advice::LongerHold { .. }),
            "{p:?}"
        );
        assert_eq!(p.suggestions[0].pain, Some(2));

        let rising = [pain(&s[0], 2), pain(&s[1], 2), pain(&s[2], 4)];
        let p = assess(&s, &rising, &c, NOW, 0.0);
        assert_eq!(
            p.suggestions[0].advice,
            Advice::HoldForPain {
                pain: 4,
                rose_from: Some(2)
            }
        );
        let text = &p.suggestions[0].text;
        assert!(text.contains("rose from 2 to 4"), "{text}");
        assert!(text.contains("sharp or spreading"), "{text}");
        assert!(text.contains("clinician"), "{text}");
    }

    #[test]
    fn pain_of_seven_holds_the_dose_even_when_falling_and_session_feedback_counts() {
        let c = catalog();
        let s = [
            doorway(NOW - DAY - 3000.0, 16.0),
            doorway(NOW - 2000.0, 16.0),
            doorway(NOW - 1000.0, 16.0),
        ];
        let mut whole = pain(&s[2], 7);
        whole.set = None;
        let p = assess(&s, &[pain(&s[1], 8), whole], &c, NOW, 0.0);
        assert_eq!(
            p.suggestions[0].advice,
            Advice::HoldForPain {
                pain: 7,
                rose_from: None
            }
        );
        assert!(p.suggestions[0].text.contains("7 out of 10"));
    }
}
