//! What goes into the store and what comes out of it.
//!
//! Times are wall-clock Unix seconds (f64) throughout, as the daemon uses them.

use serde::{Deserialize, Serialize};

use crate::motion::{Rep, Side, SlouchEpisode, WithdrawReason};

/// A session's id, chosen by the caller so that starting one never waits for the
/// database (see [`SessionId::from_unix_s`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(pub i64);

/// A set's id, chosen by the caller so that recording never waits for the database
/// (see [`SetId::from_unix_s`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SetId(pub i64);

impl std::str::FromStr for SessionId {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Self)
    }
}

impl std::str::FromStr for SetId {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Self)
    }
}

/// Milliseconds since the epoch: unique enough for things a person starts.
fn unix_ms(t: f64) -> i64 {
    (t * 1000.0).round() as i64
}

impl SessionId {
    /// The id of a session started at `t` (Unix s): its start in milliseconds.
    pub fn from_unix_s(t: f64) -> Self {
        Self(unix_ms(t))
    }
}

impl SetId {
    /// The id of a set started at `t` (Unix s): its start in milliseconds. Two
    /// straps starting sets in the same millisecond need ids of their own.
    pub fn from_unix_s(t: f64) -> Self {
        Self(unix_ms(t))
    }
}

/// Why a set ended. Its text form (stored, sent) is [`EndReason::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The target number of reps (or hold) was reached.
    TargetReached,
    /// The user stopped it.
    Stopped,
    /// Nothing happened for the quiet timeout.
    QuietTimeout,
    /// The daemon stopped (crash, power loss) before the set ended; set on the
    /// next start.
    Interrupted,
}

impl EndReason {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::TargetReached => "target_reached",
            EndReason::Stopped => "stopped",
            EndReason::QuietTimeout => "quiet_timeout",
            EndReason::Interrupted => "interrupted",
        }
    }

    /// The reason named `s`, if any.
    pub fn parse(s: &str) -> Option<Self> {
        <Self as crate::vocab::Text>::from_text(s)
    }
}

/// What is known when a set starts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetInfo {
    /// The caller's id for it.
    pub id: SetId,
    /// The session it belongs to (started before it).
    pub session: SessionId,
    /// The exercise spec's id.
    pub exercise: String,
    /// The strap's label.
    pub strap: String,
    /// The side, for one-sided exercises.
    pub side: Option<Side>,
    /// Start (Unix s).
    pub started_at: f64,
    /// Reps aimed for, if the exercise counts reps.
    pub target_reps: Option<u32>,
    /// Free text.
    pub note: Option<String>,
}

/// One page of a longer list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    /// Items matching the filter, over all pages.
    pub total: u64,
    /// Most items a page.
    pub limit: u32,
    /// Items skipped before this page.
    pub offset: u64,
    /// This page's items.
    pub items: Vec<T>,
}

/// A stored set, without its reps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetSummary {
    /// What was known when it started.
    #[serde(flatten)]
    pub info: SetInfo,
    /// End (Unix s), unless still running.
    pub ended_at: Option<f64>,
    /// Why it ended, unless still running.
    pub end_reason: Option<EndReason>,
    /// Reps the counter counted (the settled count).
    pub counted_reps: u32,
    /// Reps the live count reported while the set ran, where the set settled
    /// (absent for sets stored before counts settled).
    pub live_reps: Option<u32>,
    /// The user's correction, kept beside the automatic count.
    pub corrected_reps: Option<u32>,
}

/// A set's final count: settled, live, and the live reps (by number) that
/// settling withdrew, with why.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settlement {
    /// The settled count.
    pub reps: u32,
    /// The live count.
    pub live_reps: u32,
    /// Live reps withdrawn.
    pub withdrawn: Vec<(u32, WithdrawReason)>,
}

impl Settlement {
    /// A count that settling left as it was counted live.
    pub fn unchanged(reps: u32) -> Self {
        Self {
            reps,
            live_reps: reps,
            withdrawn: Vec::new(),
        }
    }
}

/// A session and its sets: [`SessionSummary`] in lists, [`SessionDetail`] alone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session<S> {
    /// Its id.
    pub id: SessionId,
    /// Start (Unix s).
    pub started_at: f64,
    /// End (Unix s), unless still running.
    pub ended_at: Option<f64>,
    /// The routine followed, if any.
    pub routine: Option<String>,
    /// Its sets, oldest first.
    pub sets: Vec<S>,
}

/// A session with its sets' counts, for lists.
pub type SessionSummary = Session<SetSummary>;

/// A session with everything in it.
pub type SessionDetail = Session<SetDetail>;

/// A rep or an attempt as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRep {
    /// The rep as the counter reported it.
    #[serde(flatten)]
    pub rep: Rep,
    /// Counted, or only an attempt (a movement that fell short).
    pub counted: bool,
    /// A rep the live count reported that the settled count withdrew, and why.
    pub withdrawn: Option<WithdrawReason>,
}

/// Heart rate over a set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HeartRateSummary {
    /// Readings.
    pub count: u32,
    /// Lowest (bpm).
    pub min_bpm: u16,
    /// Highest (bpm).
    pub max_bpm: u16,
    /// Mean of the readings (bpm).
    pub mean_bpm: f64,
}

/// One heart-rate reading during a set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HeartRatePoint {
    /// The set.
    pub set: SetId,
    /// When (Unix s).
    pub t: f64,
    /// Beats per minute.
    pub bpm: u16,
}

/// A set with its reps and heart rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetDetail {
    /// The set.
    #[serde(flatten)]
    pub set: SetSummary,
    /// Reps and attempts in the order they happened.
    pub reps: Vec<StoredRep>,
    /// Heart rate, when a strap sent it.
    pub heart_rate: Option<HeartRateSummary>,
}

/// A slouch episode and the strap that saw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredSlouch {
    /// The strap's label.
    pub strap: String,
    /// The episode.
    #[serde(flatten)]
    pub episode: SlouchEpisode,
}

/// Posture time in one clock hour.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PostureHour {
    /// Start of the hour (Unix s, a multiple of 3600).
    pub hour_start: i64,
    /// Time sitting or standing upright (s).
    pub upright_s: f64,
    /// Time slouched (s).
    pub slouched_s: f64,
}

/// Posture over a time range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostureHistory {
    /// Slouch episodes that started in the range, oldest first.
    pub episodes: Vec<StoredSlouch>,
    /// Hours in the range, oldest first.
    pub hours: Vec<PostureHour>,
}

/// Everything in a time range, for JSON and CSV export (raw samples excepted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Export {
    /// Sessions that started in the range, oldest first, with sets and reps.
    pub sessions: Vec<SessionDetail>,
    /// Heart-rate readings of those sessions' sets.
    pub heart_rate: Vec<HeartRatePoint>,
    /// Posture in the range.
    pub posture: PostureHistory,
}

/// How the store's writing is going.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StoreHealth {
    /// Writes accepted but not yet committed.
    pub pending_writes: u64,
    /// Chunks of raw samples dropped because the queue was full while the
    /// database could not be written.
    pub dropped_sample_chunks: u64,
    /// Writes SQLite refused for good (say, a rep for a set never started); each
    /// is logged.
    pub rejected_writes: u64,
    /// The error writes are failing with now; `None` once they succeed.
    pub last_error: Option<String>,
}
