//! firmware-sim: a simulated strap wearer and strap firmware.
//!
//! A scenario (TOML timeline) drives a kinematic body model; each strap turns the
//! motion at its placement into sensor samples and encodes them as its firmware
//! would; an emulated BlueZ serves the straps on a private D-Bus so btleplug (and
//! postured) talk to them unchanged.

pub mod bluez;
pub mod body;
pub mod bus;
pub mod imu;
pub mod math;
pub mod motion;
pub mod protocol;
pub mod record;
pub mod scenario;
pub mod strap;
pub mod truth;
