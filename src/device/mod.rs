//! Straps: finding them, connecting, streaming and reconnecting, through btleplug
//! and nothing else. Behind it a narrow interface of our own: a connected strap
//! gives a stream of [`StrapEvent`]s (decoded samples, heart rate, battery, link
//! state) and accepts [`Command`]s.
//!
//! Pure parts: the connection state machine ([`link`]), the frame-to-sample
//! work ([`stream`], [`clock`]) and the PMD control point conversation
//! ([`pmd`]). I/O: the adapter ([`ble`]), one task per strap running the state
//! machine ([`strap`]) and connecting/setting up ([`setup`]). Stalled streams
//! are counted for `/metrics` in [`recovery`].

pub mod ble;
pub mod clock;
pub mod link;
pub mod pmd;
pub mod recovery;
mod setup;
mod strap;
pub mod stream;

use serde::{Deserialize, Serialize};

use crate::motion::Sample;
use crate::protocol::hrs::HeartRate;
use crate::protocol::open_imu::Haptic;

pub use ble::{Bluetooth, FoundStrap};

/// The kinds of strap postured speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StrapKind {
    /// Polar H10: heart rate and a 3-axis accelerometer over PMD.
    PolarH10,
    /// A strap of our open IMU profile: accelerometer, gyro, haptics.
    OpenImu,
    /// Any strap with the standard Heart Rate service.
    HeartRate,
}

impl StrapKind {
    /// The name used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            StrapKind::PolarH10 => "polar-h10",
            StrapKind::OpenImu => "open-imu",
            StrapKind::HeartRate => "heart-rate",
        }
    }

    /// Whether it measures movement (and so posture and reps).
    pub fn has_motion(self) -> bool {
        !matches!(self, StrapKind::HeartRate)
    }
}

/// Where a strap's link is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Waiting to see it.
    Scanning,
    /// Connecting for the first time.
    Connecting,
    /// Connected and streaming.
    Streaming,
    /// The stream stopped or went silent on a live link: restarting it.
    Restarting,
    /// The link dropped.
    Lost,
    /// Connecting again after a loss.
    Reconnecting,
    /// Stopped on request.
    Stopped,
}

/// What a strap's task reports.
#[derive(Debug, Clone, PartialEq)]
pub struct StrapEvent {
    /// Which strap (its configured label: address or name).
    pub strap: String,
    /// What happened.
    pub kind: StrapEventKind,
}

/// What happened on a strap.
#[derive(Debug, Clone, PartialEq)]
pub enum StrapEventKind {
    /// The link state changed.
    State(LinkState),
    /// The strap was identified after connecting.
    Identified {
        /// Its kind.
        kind: StrapKind,
        /// Its Bluetooth address.
        address: String,
        /// Its advertised name.
        name: Option<String>,
    },
    /// New samples, in order, on the wall clock.
    Samples(Vec<Sample>),
    /// Data is missing before the next samples: a link loss or lost frames. The
    /// gap is never filled with invented samples.
    Gap {
        /// Frames known to be lost (0 when unknown, as after a link loss).
        lost_frames: u32,
    },
    /// A heart-rate reading.
    HeartRate(HeartRate),
    /// Battery level (%).
    Battery(u8),
    /// A notification that could not be decoded; counted and skipped.
    BadFrame(String),
}

/// What can be asked of a strap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Vibrate, on straps that can.
    Vibrate(Haptic),
    /// Stop streaming and disconnect.
    Stop,
}

/// Why the Bluetooth layer failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// btleplug (BlueZ) said no.
    #[error("Bluetooth: {0}")]
    Ble(#[from] btleplug::Error),
    /// No adapter.
    #[error(
        "no Bluetooth adapter found: is the adapter plugged in and powered? (`bluetoothctl show`)"
    )]
    NoAdapter,
    /// BlueZ cannot be reached over D-Bus.
    #[error(
        "cannot reach BlueZ on the system D-Bus ({0}): is the bluetooth service running (`systemctl status bluetooth`)? Without a strap, try the simulator: `firmware-sim serve --bus-dir DIR`"
    )]
    NoBluez(String),
    /// Something took too long.
    #[error("{what} timed out after {secs} s")]
    Timeout {
        /// What.
        what: &'static str,
        /// How long.
        secs: u64,
    },
    /// A required characteristic is missing.
    #[error("the strap has no {0} characteristic")]
    Missing(&'static str),
    /// The strap refused a request.
    #[error("the strap answered {0}")]
    Refused(&'static str),
    /// The link dropped.
    #[error("link lost")]
    LinkLost,
}
