//! Posture: slouch episodes and alerts from a chest or upper-back strap.
//!
//! The trunk's tilt is the angle between the up direction now and in the upright
//! reference pose. Tilting past the tolerance starts an episode; staying there past
//! the delay raises one alert. Walking, lying down and exercise sets end an episode
//! and keep the monitor quiet: the complaints users have of posture trainers are
//! about alerts that ignore context.

use serde::{Deserialize, Serialize};

use super::filter::Ema;
use super::still::StillFinder;
use super::vec3::{Vec3, unit, unit_angle_deg};
use super::{Frame, Sample, Tracker};

/// Default tilt beyond which the wearer is slouching (deg).
pub const DEFAULT_TOLERANCE_DEG: f64 = 15.0;
/// Default time slouched before an alert (s).
pub const DEFAULT_DELAY_S: f64 = 60.0;
/// Default hysteresis: an episode ends only this far back inside the tolerance (deg).
pub const DEFAULT_HYSTERESIS_DEG: f64 = 3.0;
/// Default tilt beyond which the wearer is lying down or bent over, not slouching (deg).
pub const DEFAULT_LYING_DEG: f64 = 55.0;
/// Default shortest slouch that counts as an episode (s): reaching for a cup is not one.
pub const DEFAULT_MIN_EPISODE_S: f64 = 3.0;
/// Smoothing of the tilt (s).
const TILT_TAU_S: f64 = 0.4;
/// Seconds of stillness that make the upright reference when none is given.
pub const REFERENCE_STILL_S: f64 = 3.0;

/// What the wearer chooses.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PostureConfig {
    /// Tilt from upright that counts as slouching (deg).
    pub tolerance_deg: f64,
    /// Time slouched before the alert (s).
    pub delay_s: f64,
    /// How far back inside the tolerance ends an episode (deg).
    pub hysteresis_deg: f64,
    /// Tilt beyond which the wearer is lying down (deg).
    pub lying_deg: f64,
    /// Shortest episode (s).
    pub min_episode_s: f64,
}

impl Default for PostureConfig {
    fn default() -> Self {
        Self {
            tolerance_deg: DEFAULT_TOLERANCE_DEG,
            delay_s: DEFAULT_DELAY_S,
            hysteresis_deg: DEFAULT_HYSTERESIS_DEG,
            lying_deg: DEFAULT_LYING_DEG,
            min_episode_s: DEFAULT_MIN_EPISODE_S,
        }
    }
}

/// What the wearer is doing, as far as posture goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostureState {
    /// No upright reference yet.
    Uncalibrated,
    /// Sitting or standing within the tolerance.
    Upright,
    /// Tilted past the tolerance.
    Slouched,
    /// Lying down (or bent far over).
    Lying,
    /// Walking or otherwise moving about.
    Moving,
    /// In an exercise set.
    Exercising,
}

/// One slouch episode.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SlouchEpisode {
    /// When the tilt passed the tolerance (s).
    pub start_s: f64,
    /// When it came back, or the wearer stood up, lay down or started moving (s).
    pub end_s: f64,
    /// Largest tilt (deg).
    pub peak_deg: f64,
    /// When the alert was raised, if it was.
    pub alert_s: Option<f64>,
}

/// What the monitor reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PostureEvent {
    /// The state changed.
    State {
        /// When (s).
        t: f64,
        /// The new state.
        state: PostureState,
    },
    /// A slouch lasted long enough to be an episode.
    SlouchStarted {
        /// When it began (s).
        start_s: f64,
    },
    /// The wearer has been slouching past the delay.
    SlouchAlert {
        /// When the episode began (s).
        start_s: f64,
        /// Now (s).
        t: f64,
        /// The current tilt (deg).
        tilt_deg: f64,
    },
    /// An episode ended.
    SlouchEnded(SlouchEpisode),
}

#[derive(Debug, Clone, Copy)]
struct Episode {
    start_s: f64,
    peak_deg: f64,
    confirmed: bool,
    alert_s: Option<f64>,
}

/// Time spent in each state, for the upright fraction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PostureTotals {
    /// Seconds upright.
    pub upright_s: f64,
    /// Seconds slouched.
    pub slouched_s: f64,
    /// Seconds lying, moving or exercising.
    pub other_s: f64,
}

impl PostureTotals {
    /// Upright time over upright plus slouched time; `None` before either.
    pub fn upright_fraction(&self) -> Option<f64> {
        let total = self.upright_s + self.slouched_s;
        (total > 0.0).then(|| self.upright_s / total)
    }
}

/// Watches one trunk strap for slouching.
#[derive(Debug, Clone)]
pub struct Monitor {
    cfg: PostureConfig,
    tracker: Tracker,
    finder: StillFinder,
    reference: Option<Vec3>,
    tilt: Ema,
    state: PostureState,
    episode: Option<Episode>,
    exercising: bool,
    last_up: Option<Vec3>,
    snoozed_until: f64,
    totals: PostureTotals,
}

impl Monitor {
    /// A monitor; without a reference, the first [`REFERENCE_STILL_S`] seconds of
    /// stillness become the upright pose.
    pub fn new(cfg: PostureConfig, reference: Option<Vec3>) -> Self {
        Self {
            cfg,
            tracker: Tracker::new(),
            finder: StillFinder::new(REFERENCE_STILL_S),
            reference: reference.and_then(unit),
            tilt: Ema::new(TILT_TAU_S),
            state: PostureState::Uncalibrated,
            episode: None,
            exercising: false,
            last_up: None,
            snoozed_until: f64::NEG_INFINITY,
            totals: PostureTotals::default(),
        }
    }

    /// Replaces the upright reference (calibration).
    pub fn set_reference(&mut self, up: Vec3) {
        self.reference = unit(up);
    }

    /// Takes the current pose as upright, if a sample has been seen.
    pub fn calibrate_now(&mut self) -> Option<Vec3> {
        let up = self.last_up?;
        self.reference = Some(up);
        Some(up)
    }

    /// The upright reference, if known.
    pub fn reference(&self) -> Option<Vec3> {
        self.reference
    }

    /// Tells the monitor an exercise set started or ended.
    pub fn set_exercising(&mut self, on: bool) {
        self.exercising = on;
    }

    /// No alerts before sample time `until_s`.
    pub fn snooze(&mut self, until_s: f64) {
        self.snoozed_until = until_s;
    }

    /// Replaces the configuration (tolerance, delay, ...).
    pub fn set_config(&mut self, cfg: PostureConfig) {
        self.cfg = cfg;
    }

    /// The current state.
    pub fn state(&self) -> PostureState {
        self.state
    }

    /// The current smoothed tilt from upright (deg).
    pub fn tilt_deg(&self) -> f64 {
        self.tilt.value()
    }

    /// Time spent in each state so far.
    pub fn totals(&self) -> PostureTotals {
        self.totals
    }

    /// Feeds one sample and returns what happened.
    pub fn push(&mut self, s: &Sample) -> Vec<PostureEvent> {
        let mut out = Vec::new();
        self.push_into(s, &mut out);
        out
    }

    /// Feeds one sample, appending events to `out`.
    pub fn push_into(&mut self, s: &Sample, out: &mut Vec<PostureEvent>) {
        if let Some(frame) = self.tracker.update(s) {
            self.update(&frame, out);
        }
    }

    /// Feeds a frame from a [`Tracker`] shared with other detectors. Use either this
    /// or the `push` methods on one monitor, not both.
    #[inline]
    pub fn update(&mut self, f: &Frame, out: &mut Vec<PostureEvent>) {
        self.last_up = Some(f.up);
        if self.reference.is_none() {
            self.reference = self.finder.update(f.t, f.up, f.moving);
        }
        let Some(reference) = self.reference else {
            return;
        };
        let tilt = self.tilt.update(unit_angle_deg(f.up, reference), f.dt);
        let state = self.classify(tilt, f.moving);
        self.account(f.dt);
        if state != PostureState::Slouched {
            self.end_episode(f.t, out);
        } else {
            self.slouching(f.t, tilt, out);
        }
        if state != self.state {
            self.state = state;
            out.push(PostureEvent::State { t: f.t, state });
        }
    }

    fn classify(&self, tilt: f64, moving: bool) -> PostureState {
        let slouch_threshold = if self.episode.is_some() {
            self.cfg.tolerance_deg - self.cfg.hysteresis_deg
        } else {
            self.cfg.tolerance_deg
        };
        if self.exercising {
            PostureState::Exercising
        } else if moving {
            PostureState::Moving
        } else if tilt > self.cfg.lying_deg {
            PostureState::Lying
        } else if tilt > slouch_threshold {
            PostureState::Slouched
        } else {
            PostureState::Upright
        }
    }

    fn account(&mut self, dt: f64) {
        match self.state {
            PostureState::Upright => self.totals.upright_s += dt,
            PostureState::Slouched => self.totals.slouched_s += dt,
            PostureState::Uncalibrated => {}
            _ => self.totals.other_s += dt,
        }
    }

    fn slouching(&mut self, t: f64, tilt: f64, out: &mut Vec<PostureEvent>) {
        let ep = self.episode.get_or_insert(Episode {
            start_s: t,
            peak_deg: tilt,
            confirmed: false,
            alert_s: None,
        });
        ep.peak_deg = ep.peak_deg.max(tilt);
        if !ep.confirmed && t - ep.start_s >= self.cfg.min_episode_s {
            ep.confirmed = true;
            out.push(PostureEvent::SlouchStarted {
                start_s: ep.start_s,
            });
        }
        if ep.confirmed
            && ep.alert_s.is_none()
            && t - ep.start_s >= self.cfg.delay_s
            && t >= self.snoozed_until
        {
            ep.alert_s = Some(t);
            out.push(PostureEvent::SlouchAlert {
                start_s: ep.start_s,
                t,
                tilt_deg: tilt,
            });
        }
    }

    fn end_episode(&mut self, t: f64, out: &mut Vec<PostureEvent>) {
        if let Some(ep) = self.episode.take()
            && ep.confirmed
        {
            out.push(PostureEvent::SlouchEnded(SlouchEpisode {
                start_s: ep.start_s,
                end_s: t,
                peak_deg: ep.peak_deg,
                alert_s: ep.alert_s,
            }));
        }
    }

    /// Ends any open episode at `t` (the end of a recording or a session).
    pub fn finish(&mut self, t: f64) -> Vec<PostureEvent> {
        let mut out = Vec::new();
        self.end_episode(t, &mut out);
        out
    }
}
