//! What goes into the set coordinator and what comes out of it.

use crate::config::Routine;
use crate::exercises::{ExerciseSpec, Placement};
use crate::motion::{Rep, Side};
use crate::store::{EndReason, SessionId, SetId, SetInfo, Settlement};

use super::super::ControlError;
use super::super::live::LiveEvent;

/// A strap a set can be counted on.
#[derive(Debug, Clone, PartialEq)]
pub struct Seat {
    /// Its label.
    pub strap: String,
    /// Where it is worn.
    pub placement: Placement,
    /// Which side, for a limb.
    pub side: Option<Side>,
    /// Whether it streams now.
    pub streaming: bool,
}

/// The settings a reload may change.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Settings {
    /// A set with no detector event for this long (s, strap clock) ends by itself.
    pub quiet_timeout_s: f64,
    /// The configured routines.
    pub routines: Vec<Routine>,
}

/// What a counting strap's detector saw.
#[derive(Debug, Clone, PartialEq)]
pub enum Detected {
    /// A rep was counted.
    Rep(Rep),
    /// A movement fell short: kept, not counted.
    Attempt(Rep),
    /// The counter reached the set's target.
    TargetReached,
    /// Anything else (a rep or hold began or ended): the wearer is active.
    Activity,
}

/// Everything the coordinator reacts to.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Start a set of this exercise.
    StartSet(String),
    /// Start the configured routine of this name.
    StartRoutine(String),
    /// Stop the running set (and its routine).
    Stop,
    /// A strap started or stopped streaming.
    Link {
        /// Its label.
        strap: String,
        /// Whether it streams now.
        streaming: bool,
    },
    /// New settings from a reload.
    Reconfigure(Settings),
    /// The counting strap's detector saw something at `t` (strap clock, Unix s).
    Detected {
        /// The set it was counting.
        set: SetId,
        /// When.
        t: f64,
        /// What.
        event: Detected,
    },
    /// The counting strap's clock reached `t` (quiet timeouts are measured on it).
    Time {
        /// The set it is counting.
        set: SetId,
        /// Its latest sample (Unix s).
        t: f64,
    },
    /// The strap finished counting `set` (after [`Action::Finish`]): its final,
    /// settled count.
    Counted {
        /// The set.
        set: SetId,
        /// The settled count, the live one, and the live reps withdrawn.
        count: Settlement,
    },
}

/// The answer to a command.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// The set started on this strap.
    Started {
        /// The set.
        set: SetId,
        /// The strap counting it.
        strap: String,
    },
    /// The set is being stopped.
    Stopping {
        /// The set.
        set: SetId,
        /// The strap counting it.
        strap: String,
    },
}

/// A write to the history.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A session starts.
    StartSession {
        /// Its id.
        id: SessionId,
        /// When (Unix s).
        at: f64,
        /// The routine it follows.
        routine: Option<String>,
    },
    /// A set starts.
    StartSet(SetInfo),
    /// A rep or (not `counted`) an attempt.
    Rep {
        /// The set.
        set: SetId,
        /// The rep.
        rep: Rep,
        /// Whether it counts.
        counted: bool,
    },
    /// A set ends.
    EndSet {
        /// The set.
        set: SetId,
        /// When (Unix s).
        at: f64,
        /// Why.
        reason: EndReason,
        /// Its final count.
        count: Settlement,
    },
    /// A session ends.
    EndSession {
        /// Its id.
        id: SessionId,
        /// When (Unix s).
        at: f64,
    },
}

/// What the wiring does, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Answer the command being handled.
    Reply(Result<Reply, ControlError>),
    /// Write to the history.
    Record(Record),
    /// Have `strap` count a set.
    Count {
        /// The strap.
        strap: String,
        /// The set.
        set: SetId,
        /// Its exercise.
        spec: Box<ExerciseSpec>,
        /// The routine it belongs to.
        routine: Option<String>,
        /// When it started (Unix s).
        started_at: f64,
    },
    /// Have `strap` stop counting `set` and answer [`Input::Counted`] with its
    /// final count: the place where the count settles.
    Finish {
        /// The strap.
        strap: String,
        /// The set.
        set: SetId,
    },
    /// A set is (or no longer is) running: posture alerts pause meanwhile.
    Exercising(bool),
    /// Send on the live stream.
    Publish(LiveEvent),
}
