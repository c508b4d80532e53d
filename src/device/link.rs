//! One strap's connection as a pure state machine: scanning, connecting,
//! streaming, restarting a stalled stream, lost and waiting to retry. It takes
//! what the Bluetooth I/O saw ([`Input`]) and the time as data, and returns what
//! to do ([`Action`]); it never reads a clock and does no I/O, so it is tested
//! by short scripts and the exact trace of actions they must give
//! (`tests/device_link.rs`). [`super::strap`] runs it against btleplug.

use super::LinkState;

/// Reconnect backoff: first wait after a failed attempt.
pub const BACKOFF_START_S: f64 = 0.25;
/// Reconnect backoff cap.
pub const BACKOFF_CAP_S: f64 = 5.0;
/// A stream counts as silent after this many frame periods without data...
pub const SILENT_FRAMES: f64 = 5.0;
/// ...and never sooner than this.
pub const SILENCE_MIN_S: f64 = 1.0;

/// What the I/O around the machine saw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Input {
    /// The strap's task started.
    Start,
    /// The strap was found or heard advertising.
    Seen,
    /// The adapter powered on.
    AdapterOn,
    /// Connected and set up: its data flows. `restartable`: the stream can be
    /// restarted on the live link (PMD); `silence_s`: how long without data
    /// counts as a stalled stream (None: no data stream to watch).
    Connected {
        /// PMD STOP + START can bring the stream back.
        restartable: bool,
        /// Longest quiet spell of a healthy stream.
        silence_s: Option<f64>,
    },
    /// Connecting or setting up failed.
    ConnectFailed,
    /// A data frame arrived.
    Data,
    /// The strap indicated it stopped the stream on its own.
    StoppedByStrap,
    /// The stream was restarted on the live link.
    Restarted,
    /// Restarting the stream failed.
    RestartFailed,
    /// The link dropped.
    LinkLost,
    /// Time passed (the I/O wakes the machine at [`Link::deadline`]).
    Tick,
    /// Stop streaming and disconnect (shutdown or a `Stop` command).
    Stop,
}

/// Why a stream that was up needed help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stall {
    /// The strap indicated it stopped the stream.
    StoppedByStrap,
    /// No data for longer than the stream's silence limit.
    Silent,
    /// Restarting it failed, so the link is dropped and made again.
    RestartFailed,
}

/// What the I/O must do, in order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    /// Report the link state.
    Report(LinkState),
    /// Report that samples are missing before the next ones.
    MarkGap,
    /// Connect and set the strap up; answer `Connected` or `ConnectFailed`.
    Connect,
    /// Stop and start the stream on the live link; answer `Restarted` or
    /// `RestartFailed`.
    RestartStream,
    /// Drop the link ourselves (a stalled stream that would not restart).
    Disconnect,
    /// Stop the stream and disconnect (shutdown).
    StopAndDisconnect,
    /// Count a stall (for `/metrics`).
    Count(Stall),
}

/// Where the machine is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Phase {
    /// Not started yet.
    Idle,
    /// Waiting to see the strap.
    Scanning,
    /// Connecting (first time or again).
    Connecting,
    /// Streaming; `last_data` is when data last came.
    Streaming {
        /// Time of the last data frame (or of the connect).
        last_data: f64,
    },
    /// Restarting a stalled stream.
    Restarting,
    /// Lost; retrying at `until` (or when the strap is heard).
    Backoff {
        /// When to retry.
        until: f64,
    },
    /// Stopped for good.
    Stopped,
}

/// The connection state machine of one strap.
#[derive(Debug, Clone)]
pub struct Link {
    phase: Phase,
    /// Wait before the next retry after a failure.
    backoff_s: f64,
    restartable: bool,
    silence_s: Option<f64>,
    /// Tried to connect before (later attempts report `Reconnecting`).
    attempted: bool,
}

impl Default for Link {
    fn default() -> Self {
        Self::new()
    }
}

impl Link {
    /// A machine that has not started.
    pub fn new() -> Self {
        Self {
            phase: Phase::Idle,
            backoff_s: BACKOFF_START_S,
            restartable: false,
            silence_s: None,
            attempted: false,
        }
    }

    /// Where it is.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// When to send [`Input::Tick`] next, if anything is due by time.
    pub fn deadline(&self) -> Option<f64> {
        match self.phase {
            Phase::Backoff { until } => Some(until),
            Phase::Streaming { last_data } => self.silence_s.map(|s| last_data + s),
            _ => None,
        }
    }

    /// One step: `input` at time `now` (s, monotonic) and what to do about it.
    pub fn step(&mut self, now: f64, input: Input) -> Vec<Action> {
        use Action::{Disconnect, Report, StopAndDisconnect};
        if input == Input::Stop {
            let linked = matches!(self.phase, Phase::Streaming { .. } | Phase::Restarting);
            let connecting = self.phase == Phase::Connecting;
            if self.phase == Phase::Stopped {
                return Vec::new();
            }
            self.phase = Phase::Stopped;
            let mut out = Vec::new();
            if linked {
                out.push(StopAndDisconnect);
            } else if connecting {
                out.push(Disconnect);
            }
            out.push(Report(LinkState::Stopped));
            return out;
        }
        match self.phase {
            Phase::Idle => self.idle(input),
            Phase::Scanning => self.scanning(input),
            Phase::Connecting => self.connecting(now, input),
            Phase::Streaming { last_data } => self.streaming(now, last_data, input),
            Phase::Restarting => self.restarting(now, input),
            Phase::Backoff { until } => self.backoff(now, until, input),
            Phase::Stopped => Vec::new(),
        }
    }

    fn idle(&mut self, input: Input) -> Vec<Action> {
        if input != Input::Start {
            return Vec::new();
        }
        self.phase = Phase::Scanning;
        vec![Action::Report(LinkState::Scanning)]
    }

    fn scanning(&mut self, input: Input) -> Vec<Action> {
        if input != Input::Seen {
            return Vec::new();
        }
        self.connect()
    }

    fn connect(&mut self) -> Vec<Action> {
        self.phase = Phase::Connecting;
        let state = if std::mem::replace(&mut self.attempted, true) {
            LinkState::Reconnecting
        } else {
            LinkState::Connecting
        };
        vec![Action::Report(state), Action::Connect]
    }

    fn connecting(&mut self, now: f64, input: Input) -> Vec<Action> {
        match input {
            Input::Connected {
                restartable,
                silence_s,
            } => {
                self.restartable = restartable;
                self.silence_s = silence_s;
                // It streams: the next loss is retried at once.
                self.backoff_s = 0.0;
                self.phase = Phase::Streaming { last_data: now };
                vec![Action::Report(LinkState::Streaming)]
            }
            Input::ConnectFailed | Input::LinkLost => {
                self.wait(now);
                vec![Action::Report(LinkState::Lost)]
            }
            _ => Vec::new(),
        }
    }

    fn streaming(&mut self, now: f64, last_data: f64, input: Input) -> Vec<Action> {
        match input {
            Input::Data => {
                self.phase = Phase::Streaming { last_data: now };
                Vec::new()
            }
            Input::StoppedByStrap => self.stalled(now, Stall::StoppedByStrap),
            Input::Tick if self.silence_s.is_some_and(|s| now - last_data >= s) => {
                self.stalled(now, Stall::Silent)
            }
            Input::LinkLost => self.lost(now),
            _ => Vec::new(),
        }
    }

    fn stalled(&mut self, now: f64, why: Stall) -> Vec<Action> {
        use Action::{Count, MarkGap, Report};
        if self.restartable {
            self.phase = Phase::Restarting;
            vec![
                Count(why),
                Report(LinkState::Restarting),
                MarkGap,
                Action::RestartStream,
            ]
        } else {
            let mut out = vec![Count(why), Action::Disconnect];
            out.extend(self.lost(now));
            out
        }
    }

    fn restarting(&mut self, now: f64, input: Input) -> Vec<Action> {
        match input {
            Input::Restarted => {
                self.phase = Phase::Streaming { last_data: now };
                vec![Action::Report(LinkState::Streaming)]
            }
            Input::RestartFailed => {
                let mut out = vec![Action::Count(Stall::RestartFailed), Action::Disconnect];
                self.wait(now);
                out.push(Action::Report(LinkState::Lost));
                out
            }
            Input::LinkLost => {
                // The gap was marked when the stream stalled.
                self.wait(now);
                vec![Action::Report(LinkState::Lost)]
            }
            _ => Vec::new(),
        }
    }

    fn lost(&mut self, now: f64) -> Vec<Action> {
        self.wait(now);
        vec![Action::Report(LinkState::Lost), Action::MarkGap]
    }

    /// Waits out the current backoff, and doubles it for the next failure.
    fn wait(&mut self, now: f64) {
        self.phase = Phase::Backoff {
            until: now + self.backoff_s,
        };
        self.backoff_s = (self.backoff_s * 2.0).clamp(BACKOFF_START_S, BACKOFF_CAP_S);
    }

    fn backoff(&mut self, now: f64, until: f64, input: Input) -> Vec<Action> {
        match input {
            Input::Tick if now >= until => self.connect(),
            // Heard again, or the adapter is back: no point waiting longer.
            Input::Seen | Input::AdapterOn => self.connect(),
            _ => Vec::new(),
        }
    }
}

/// How long without data counts as a stalled stream at `rate_hz` with frames of
/// about `samples_per_frame` samples.
pub fn silence_limit(rate_hz: f64, samples_per_frame: f64) -> f64 {
    (SILENT_FRAMES * samples_per_frame / rate_hz.max(1.0)).max(SILENCE_MIN_S)
}
