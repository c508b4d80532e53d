//! Cues during a set (`[cues]`): what the daemon does itself (a buzz on straps
//! that can vibrate) and what the dashboard does by default with the daemon's
//! `cue` events (each also switchable on the page).

use serde::{Deserialize, Serialize};

/// Cues during a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CueConfig {
    /// A buzz on straps that can vibrate (open IMU straps) when a hold reaches
    /// its minimum target, and a double buzz at its maximum.
    pub vibrate: bool,
    /// The dashboard ticks once a second in the last five seconds before a hold
    /// reaches its target.
    pub ticks: bool,
    /// The dashboard sounds a tone when a hold reaches its target.
    pub tone: bool,
    /// The dashboard speaks the count ("three of five") with the browser's
    /// speech synthesis.
    pub speech: bool,
}

impl Default for CueConfig {
    fn default() -> Self {
        Self {
            vibrate: true,
            ticks: false,
            tone: true,
            speech: false,
        }
    }
}
