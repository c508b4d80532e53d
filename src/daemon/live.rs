//! What the daemon knows right now, for the API and the live event stream.

use serde::Serialize;
use tokio::sync::{broadcast, mpsc, watch};

use crate::store::Store;

use crate::device::{LinkState, StrapKind};
use crate::exercises::Placement;
use crate::motion::{PostureState, Rep, Side, SlouchEpisode};
use crate::store::{EndReason, SetId};

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
    pub id: SetId,
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
        set: SetId,
        /// The rep.
        rep: Rep,
    },
    /// A set ended.
    SetEnded {
        /// Set id.
        set: SetId,
        /// Reps counted (the settled count).
        reps: u32,
        /// Reps the live count reported while the set ran.
        live_reps: u32,
        /// Why.
        reason: EndReason,
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
    /// A cue during a set ([`crate::daemon::cues`]): a countdown second, the
    /// hold's target or maximum reached, a rep counted.
    Cue {
        /// Set id.
        set: SetId,
        /// When (Unix s, the strap's clock mapped to wall time).
        t: f64,
        /// The cue.
        cue: super::cues::Cue,
    },
    /// A routine ended: all its sets done, or stopped.
    RoutineEnded {
        /// Its name.
        name: String,
        /// Whether every set reached its target.
        completed: bool,
    },
}

/// One strap's live state. Its strap task alone writes it (through a `watch`
/// channel); the API and the other tasks read it.
#[derive(Debug, Clone, PartialEq)]
pub struct StrapLive {
    /// The strap.
    pub status: StrapStatus,
    /// The set it counts, if any.
    pub set: Option<SetStatus>,
    /// Posture as this strap sees it (a trunk strap's monitor; on any strap
    /// the snooze).
    pub posture: PostureStatus,
}

/// Live state: every strap's, read from the channels their tasks write.
#[derive(Debug, Clone, Default)]
pub struct Live {
    straps: Vec<watch::Receiver<StrapLive>>,
}

impl Live {
    /// Live state read from these straps' channels.
    pub fn new(straps: Vec<watch::Receiver<StrapLive>>) -> Self {
        Self { straps }
    }

    /// All straps.
    pub fn straps(&self) -> Vec<StrapStatus> {
        self.straps
            .iter()
            .map(|s| s.borrow().status.clone())
            .collect()
    }

    /// The running set, on whichever strap.
    pub fn set(&self) -> Option<SetStatus> {
        self.straps.iter().find_map(|s| s.borrow().set.clone())
    }

    /// Posture now: a trunk strap's (the first), else the snooze alone.
    pub fn posture(&self) -> PostureStatus {
        let trunk =
            |s: &StrapLive| matches!(s.status.placement, Placement::Chest | Placement::UpperBack);
        self.straps
            .iter()
            .find(|s| trunk(&s.borrow()))
            .or_else(|| self.straps.first())
            .map(|s| s.borrow().posture.clone())
            .unwrap_or_default()
    }
}

/// Longest a live event waits for the database before it goes out anyway (the
/// disk may be full; alerts must not wait on it).
const COMMIT_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

/// Sends a strap's live events in order; a rep or the end of a set goes out once
/// the database has it, so what a listener has seen survives a crash.
pub fn ordered_publisher(
    store: Store,
    events: broadcast::Sender<LiveEvent>,
) -> mpsc::UnboundedSender<LiveEvent> {
    let (tx, mut rx) = mpsc::unbounded_channel::<LiveEvent>();
    tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            if matches!(
                e,
                LiveEvent::Rep { .. } | LiveEvent::SetEnded { .. } | LiveEvent::Slouch(_)
            ) {
                let _ = tokio::time::timeout(COMMIT_WAIT, store.flush()).await;
            }
            let _ = events.send(e);
        }
    });
    tx
}
