//! Cues during a set, decided once in the daemon so that every client (the
//! dashboard, a strap that buzzes, anything on the event stream) gets the same:
//! the last five seconds before a hold reaches its target, the target reached,
//! the hold's maximum, and each rep counted. Pure: the counter's progress in,
//! cues out; the strap task publishes them as `cue` events and buzzes.

use serde::Serialize;

use crate::motion::Progress;

/// Seconds before a hold's target in which a tick a second is cued.
pub const COUNTDOWN_S: u32 = 5;

/// One cue, sent as the `cue` field of a `cue` event.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cue {
    /// Seconds left before the hold reaches its target (5, 4, ... 1).
    Countdown {
        /// Whole seconds left.
        left_s: u32,
    },
    /// The hold reached its minimum target (a buzz).
    HoldReached {
        /// The target (s).
        target_s: f64,
    },
    /// The hold reached its maximum: time to come back (a double buzz).
    HoldMax {
        /// The maximum (s).
        max_s: f64,
    },
    /// A rep was counted: `n` of `of` (spoken as "three of five").
    Count {
        /// Reps counted.
        n: u32,
        /// Reps the spec asks for.
        of: u32,
    },
}

/// The cues of one rep's hold: each is given once a rep.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HoldCues {
    /// The target hold `[min, max]` (s), if the exercise holds.
    hold_s: Option<[f64; 2]>,
    /// The last countdown second cued this rep.
    counted_down: Option<u32>,
    reached: bool,
    maxed: bool,
    last_held_s: f64,
}

impl HoldCues {
    /// Cues for an exercise holding for `hold_s` (none without a hold).
    pub fn new(hold_s: Option<[f64; 2]>) -> Self {
        Self {
            hold_s,
            ..Self::default()
        }
    }

    /// The cues the counter's progress now calls for.
    pub fn update(&mut self, p: &Progress) -> Vec<Cue> {
        let Some([min, max]) = self.hold_s else {
            return Vec::new();
        };
        // A new rep (or a hold started over): cue it afresh.
        if !p.in_rep || p.held_s + 1e-9 < self.last_held_s {
            *self = Self::new(self.hold_s);
        }
        self.last_held_s = p.held_s;
        let mut out = Vec::new();
        if !p.holding {
            return out;
        }
        let left = (min - p.held_s).ceil();
        if !self.reached && left >= 1.0 && left <= f64::from(COUNTDOWN_S) {
            let left_s = left as u32;
            if self.counted_down != Some(left_s) {
                self.counted_down = Some(left_s);
                out.push(Cue::Countdown { left_s });
            }
        }
        if !self.reached && p.held_s >= min {
            self.reached = true;
            out.push(Cue::HoldReached { target_s: min });
        }
        if !self.maxed && p.held_s >= max {
            self.maxed = true;
            out.push(Cue::HoldMax { max_s: max });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(held_s: f64, holding: bool, in_rep: bool) -> Progress {
        Progress {
            angle_deg: 20.0,
            referenced: true,
            reps: 0,
            in_rep,
            holding,
            held_s,
        }
    }

    /// Runs a hold from 0 to `to` s in steps of 0.1 s; returns the cues.
    fn hold(c: &mut HoldCues, to: f64) -> Vec<Cue> {
        let steps = (to * 10.0).round() as u32;
        (0..=steps)
            .flat_map(|i| c.update(&at(f64::from(i) / 10.0, true, true)))
            .collect()
    }

    #[test]
    fn a_hold_counts_down_five_seconds_then_reaches_and_maxes_once_each() {
        let mut c = HoldCues::new(Some([8.0, 12.0]));
        let cues = hold(&mut c, 13.0);
        let mut want: Vec<Cue> = (1..=5)
            .rev()
            .map(|left_s| Cue::Countdown { left_s })
            .collect();
        want.push(Cue::HoldReached { target_s: 8.0 });
        want.push(Cue::HoldMax { max_s: 12.0 });
        assert_eq!(cues, want);
        // Holding on gives nothing more.
        assert!(c.update(&at(13.5, true, true)).is_empty());
    }

    #[test]
    fn the_next_rep_is_cued_afresh_and_a_break_pauses_the_cues() {
        let mut c = HoldCues::new(Some([3.0, 5.0]));
        assert_eq!(hold(&mut c, 3.0).len(), 4);
        assert!(c.update(&at(3.2, false, true)).is_empty());
        assert!(c.update(&at(0.0, false, false)).is_empty());
        let again = hold(&mut c, 3.0);
        assert_eq!(again.first(), Some(&Cue::Countdown { left_s: 3 }));
        assert_eq!(again.last(), Some(&Cue::HoldReached { target_s: 3.0 }));
    }

    #[test]
    fn exercises_without_a_hold_have_no_hold_cues() {
        let mut c = HoldCues::new(None);
        assert!(hold(&mut c, 30.0).is_empty());
    }
}
