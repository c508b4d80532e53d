//! postured: back-care exercise and posture tracking from BLE IMU straps.
//!
//! The detection core ([`motion`]) is pure and sample-driven; reading files and
//! printing ([`recording`], [`cli`]) happen at the edges.

pub mod alerts;
pub mod analyze;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod demo;
pub mod device;
pub mod exercises;
pub mod http;
pub mod logging;
pub mod motion;
pub mod progress;
pub mod protocol;
pub mod recording;
pub mod remote;
pub mod rescore;
pub mod store;
pub mod synth;
pub mod vocab;
