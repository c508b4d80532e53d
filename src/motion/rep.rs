//! Reps, holds and what the counters report about them; scoring against a spec.

use serde::{Deserialize, Serialize};

use crate::exercises::Target;

/// Left or right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The wearer's left.
    Left,
    /// The wearer's right.
    Right,
}

impl std::str::FromStr for Side {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "left" | "l" => Ok(Side::Left),
            "right" | "r" => Ok(Side::Right),
            other => Err(format!("{other:?} is not a side: use left or right")),
        }
    }
}

/// What a rep missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// The angle never reached the target band.
    PartialRange,
    /// The angle went past the band by more than the tolerance.
    OverRange,
    /// Held for less than the target's minimum.
    ShortHold,
    /// Held for longer than the target's maximum.
    LongHold,
    /// The hold drifted out of tolerance and came back.
    Drifted,
    /// The movement was quicker than the spec's tempo.
    TooFast,
    /// Not seen: made while the strap sent no samples (its link dropped), and
    /// counted from the set's rhythm around the gap; how it went is not known.
    Unseen,
}

impl Flag {
    /// The name used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::PartialRange => "partial_range",
            Flag::OverRange => "over_range",
            Flag::ShortHold => "short_hold",
            Flag::LongHold => "long_hold",
            Flag::Drifted => "drifted",
            Flag::TooFast => "too_fast",
            Flag::Unseen => "unseen",
        }
    }
}

/// The time a rep spent at the target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Hold {
    /// When the angle first settled in the band (s).
    pub start_s: f64,
    /// When it last left (s).
    pub end_s: f64,
    /// Time at the target within tolerance (s); short wobbles are bridged, longer
    /// drifts out of tolerance are not counted.
    pub held_s: f64,
    /// How many times the hold drifted out of tolerance and came back.
    pub breaks: u32,
}

/// One counted rep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rep {
    /// 1-based number within the set.
    pub n: u32,
    /// Start of the movement (s).
    pub start_s: f64,
    /// End of the movement (s).
    pub end_s: f64,
    /// The hold, for exercises that have one.
    pub hold: Option<Hold>,
    /// Largest angle from the rest pose (tilt) or range of motion (cycles), deg.
    pub peak_deg: f64,
    /// Which side, when known.
    pub side: Option<Side>,
    /// 0..=1, 1 for a rep that met every part of the target.
    pub score: f64,
    /// What was missed.
    pub flags: Vec<Flag>,
}

/// What a counter reports as samples arrive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RepEvent {
    /// A movement away from the rest pose began (it may still turn out too short).
    RepStarted {
        /// The number it will get.
        n: u32,
        /// When (s).
        t: f64,
    },
    /// The angle settled at the target.
    HoldStarted {
        /// Rep number.
        n: u32,
        /// When (s).
        t: f64,
    },
    /// The hold left the target (drift or the end of the hold), as judged
    /// live. The rep's hold in [`RepEvent::RepDone`] is timed again once the
    /// ramp out of it is known, and can end a few tenths of a second away:
    /// keep that one.
    HoldEnded {
        /// Rep number.
        n: u32,
        /// When (s).
        t: f64,
        /// Held so far in this rep (s).
        held_s: f64,
    },
    /// A rep was completed and counted.
    RepDone(Rep),
    /// A movement toward the target that fell short of it (it never came within
    /// the band's tolerance, or a hold exercise's excursion was not held at all):
    /// reported, flagged, not counted. `n` numbers the attempts.
    Attempt(Rep),
    /// The set's target number of reps was reached.
    SetDone {
        /// When (s).
        t: f64,
        /// Reps counted.
        reps: u32,
    },
}

/// A snapshot for live displays.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Current angle from the rest pose (deg); 0 before a reference is known.
    pub angle_deg: f64,
    /// Whether a reference pose is known.
    pub referenced: bool,
    /// Reps counted.
    pub reps: u32,
    /// Whether a rep is under way.
    pub in_rep: bool,
    /// Whether the angle is at the target now.
    pub holding: bool,
    /// Held so far in the current rep (s).
    pub held_s: f64,
}

/// Holds this much shorter than the target's minimum still count as reaching it:
/// the measurement's own uncertainty (s).
pub const HOLD_GRACE_S: f64 = 0.3;

/// Scores a rep against the target; returns the score and the flags.
pub fn score(
    target: &Target,
    peak_deg: f64,
    hold: Option<&Hold>,
    moving_s: f64,
) -> (f64, Vec<Flag>) {
    let mut flags = Vec::new();
    let mut score = 1.0;
    if let Some([lo, hi]) = target.angle_deg {
        if peak_deg < lo {
            flags.push(Flag::PartialRange);
            score *= (peak_deg / lo).clamp(0.0, 1.0);
        } else if peak_deg > hi + target.tolerance_deg {
            flags.push(Flag::OverRange);
            score *= (1.0 - (peak_deg - hi - target.tolerance_deg) / hi.max(1.0)).clamp(0.5, 1.0);
        }
    }
    if let (Some([min, max]), Some(h)) = (target.hold_s, hold) {
        if h.held_s < min - HOLD_GRACE_S {
            flags.push(Flag::ShortHold);
            score *= (h.held_s / min).clamp(0.0, 1.0);
        } else if h.held_s > max + 2.0 {
            flags.push(Flag::LongHold);
            score *= 0.9;
        }
        if h.breaks > 0 {
            flags.push(Flag::Drifted);
            score *= 0.9;
        }
    }
    if let Some(tempo) = target.tempo_s
        && moving_s < tempo
    {
        flags.push(Flag::TooFast);
        score *= 0.8;
    }
    ((score * 100.0).round() / 100.0, flags)
}
