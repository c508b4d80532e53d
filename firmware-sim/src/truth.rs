//! Ground truth of a scenario run, written next to a recording as JSON.

use serde::{Deserialize, Serialize};

/// One rep as planned and performed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruthRep {
    /// Start of the raise, seconds from the start of the recording.
    pub start_s: f64,
    /// End of the lowering.
    pub end_s: f64,
    /// Plateau: end of the raise ramp to start of the lower ramp.
    pub hold_s: f64,
    /// Start of the plateau (end of the raise ramp); the plateau ends `hold_s`
    /// later. The start of the rep for shoulder rolls.
    #[serde(default)]
    pub hold_start_s: f64,
    /// "left"/"right" for sided exercises, "forward"/"backward" for shoulder
    /// rolls, null otherwise.
    pub side: Option<String>,
}

/// One slouch episode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruthSlouch {
    /// Midpoint of the lean ramp.
    pub start_s: f64,
    /// Midpoint of the return ramp.
    pub end_s: f64,
    /// Planned forward tilt from upright, degrees.
    pub peak_deg: f64,
}

/// Everything a detector should find in a recording.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// Completed reps, in time order.
    pub reps: Vec<TruthRep>,
    /// Slouch episodes, in time order.
    pub slouches: Vec<TruthSlouch>,
    /// Partial attempts (about half the angle, short hold) that must NOT count.
    pub partial_reps: Vec<TruthRep>,
}
