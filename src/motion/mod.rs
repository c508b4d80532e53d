//! The detection core: pure, synchronous and sample-driven.
//!
//! Everything here takes [`Sample`]s with their own timestamps and returns events.
//! There is no I/O, no clock, no async and no logging: the same code runs live on a
//! strap, on a CSV replay (`postured analyze`), in benchmarks and in property tests,
//! and gives the same events whether samples arrive one at a time or in batches.
//!
//! Bad data is data: a sample whose timestamp does not move forward is skipped, not
//! reported as an error.

mod activity;
mod braking;
mod counter;
mod cycles;
mod filter;
mod orientation;
mod pose;
pub mod posture;
mod rep;
pub mod settle;
mod settled;
mod still;
mod tilt;
pub mod vec3;

pub use activity::Activity;
pub use counter::Counter;
pub use orientation::Orientation;
pub use posture::{
    Monitor, PostureConfig, PostureEvent, PostureState, PostureTotals, SlouchEpisode,
};
pub use rep::{Flag, Hold, Progress, Rep, RepEvent, Side};
pub use settled::{Settled, WithdrawReason, Withdrawn};
pub use still::StillFinder;
pub use vec3::Vec3;

/// One IMU reading: time in seconds (any origin, increasing), acceleration in g and,
/// when the strap has one, angular rate in degrees per second, both in the sensor's
/// own frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Seconds on the strap's (or recording's) clock.
    pub t: f64,
    /// Specific force in g (gravity reads as +1 g "up" at rest).
    pub accel: Vec3,
    /// Angular rate in deg/s, if the strap measures it.
    pub gyro: Option<Vec3>,
}

impl Sample {
    /// A sample without gyro.
    pub fn accel(t: f64, accel: Vec3) -> Self {
        Self {
            t,
            accel,
            gyro: None,
        }
    }
}

/// What every detector needs from one sample, computed once per sample by a
/// [`Tracker`] and shared by the rep counter and the posture monitor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Sample time (s).
    pub t: f64,
    /// Time since the previous sample (s); 0 for the first.
    pub dt: f64,
    /// The raw acceleration (g).
    pub accel: Vec3,
    /// The raw angular rate (deg/s), when the strap measures it.
    pub gyro: Option<Vec3>,
    /// Estimated up direction, unit length, sensor frame.
    pub up: Vec3,
    /// Whether the wearer is moving about.
    pub moving: bool,
}

/// Orientation and movement, the shared front of every detector.
#[derive(Debug, Clone, Default)]
pub struct Tracker {
    orientation: Orientation,
    activity: Activity,
}

impl Tracker {
    /// A fresh tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds a sample; `None` for one that does not move time forward or carries
    /// no usable acceleration (it changes nothing).
    #[inline]
    pub fn update(&mut self, s: &Sample) -> Option<Frame> {
        let (dt, up, size) = self.orientation.update_sized(s)?;
        let moving = self.activity.update(size, dt);
        Some(Frame {
            t: s.t,
            dt,
            accel: s.accel,
            gyro: s.gyro,
            up,
            moving,
        })
    }

    /// The current up direction, if any sample has been seen.
    pub fn up(&self) -> Option<Vec3> {
        self.orientation.up()
    }
}

/// Longest step between samples that filters treat as continuous; a longer gap
/// restarts them from the next sample rather than integrating across it.
pub const MAX_GAP_S: f64 = 0.5;
