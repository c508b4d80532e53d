//! What the daemon knows right now, for the API and the live event stream.

use std::collections::BTreeMap;
use std::sync::RwLock;

use serde::Serialize;

use crate::device::{LinkState, StrapKind};
use crate::exercises::Placement;
use crate::motion::{PostureState, Rep, Side, SlouchEpisode};

/// One strap as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrapStatus {
    /// Configured label (address or name).
    pub strap: String,
    /// Kind, once identified.
    pub kind: Option<StrapKind>,
    /// Bluetooth address, once seen.
    pub address: Option<String>,
    /// Advertised name, once seen.
    pub name: Option<String>,
    /// Link state.
    pub state: LinkState,
    /// Battery (%).
    pub battery: Option<u8>,
    /// Where it is worn.
    pub placement: Placement,
    /// Which side, for a limb.
    pub side: Option<Side>,
    /// Last heart rate (bpm).
    pub heart_rate: Option<u16>,
    /// Malformed frames skipped so far.
    pub bad_frames: u64,
    /// Frames lost so far.
    pub lost_frames: u64,
}

/// The running set, as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetStatus {
    /// Set id.
    pub id: i64,
    /// Exercise id.
    pub exercise: String,
    /// Exercise name.
    pub name: String,
    /// The strap counting it.
    pub strap: String,
    /// The side being counted, for a one-sided exercise.
    pub side: Option<Side>,
    /// The routine the set belongs to, if any.
    pub routine: Option<String>,
    /// Reps counted.
    pub reps: u32,
    /// Reps the spec asks for.
    pub target_reps: u32,
    /// Target hold range (s).
    pub hold_s: Option<[f64; 2]>,
    /// Target angle band (deg), for exercises measured by tilt.
    pub angle_target_deg: Option<[f64; 2]>,
    /// How far outside the band still counts as in it (deg).
    pub tolerance_deg: f64,
    /// Held so far in the current rep (s).
    pub held_s: f64,
    /// Whether at the target now.
    pub holding: bool,
    /// Whether a rep is under way.
    pub in_rep: bool,
    /// Whether the rest pose is known (tilt exercises start counting once it is).
    pub referenced: bool,
    /// Angle from the rest pose (deg).
    pub angle_deg: f64,
    /// When it started (Unix s).
    pub started_at: f64,
}

/// Posture right now.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct PostureStatus {
    /// State, once a trunk strap streams.
    pub state: Option<PostureState>,
    /// Tilt from upright (deg).
    pub tilt_deg: f64,
    /// Slouch tolerance (deg).
    pub tolerance_deg: f64,
    /// Whether the upright pose is known.
    pub calibrated: bool,
    /// Alerts are snoozed until this time (Unix s).
    pub snoozed_until: Option<f64>,
    /// When the slouch that was alerted began (Unix s), while it lasts.
    pub alert_start_s: Option<f64>,
}

/// Events on the live stream (`GET /api/events`), as JSON with a `type` field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A strap's status changed.
    Strap(StrapStatus),
    /// A few times a second: angles and hold progress.
    Tick {
        /// Unix s (the strap's clock, mapped to wall time).
        t: f64,
        /// The running set, if any (on whichever strap).
        set: Option<SetStatus>,
        /// Posture.
        posture: PostureStatus,
    },
    /// A set started.
    SetStarted(SetStatus),
    /// A rep was counted.
    Rep {
        /// Set id.
        set: i64,
        /// The rep.
        rep: Rep,
    },
    /// A set ended.
    SetEnded {
        /// Set id.
        set: i64,
        /// Reps counted.
        reps: u32,
        /// Why: target_reached, stopped, quiet_timeout.
        reason: &'static str,
    },
    /// The wearer has slouched past the delay.
    SlouchAlert {
        /// Unix s the episode began.
        start_s: f64,
        /// Tilt (deg).
        tilt_deg: f64,
    },
    /// A slouch episode ended.
    Slouch(SlouchEpisode),
    /// A routine ended: all its sets done, or stopped.
    RoutineEnded {
        /// Its name.
        name: String,
        /// Whether every set reached its target.
        completed: bool,
    },
}

/// Shared live state.
#[derive(Debug, Default)]
pub struct Live {
    /// Straps by label.
    pub straps: RwLock<BTreeMap<String, StrapStatus>>,
    /// The running set.
    pub set: RwLock<Option<SetStatus>>,
    /// Posture.
    pub posture: RwLock<PostureStatus>,
}

impl Live {
    /// All straps.
    pub fn straps(&self) -> Vec<StrapStatus> {
        self.straps
            .read()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Updates one strap and returns its new status.
    pub fn update_strap(
        &self,
        label: &str,
        f: impl FnOnce(&mut StrapStatus),
    ) -> Option<StrapStatus> {
        let mut map = self.straps.write().ok()?;
        let s = map.get_mut(label)?;
        f(s);
        Some(s.clone())
    }

    /// The running set.
    pub fn set(&self) -> Option<SetStatus> {
        self.set.read().ok().and_then(|s| s.clone())
    }

    /// Posture now.
    pub fn posture(&self) -> PostureStatus {
        self.posture.read().map(|p| p.clone()).unwrap_or_default()
    }
}
