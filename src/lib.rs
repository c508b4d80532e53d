//! postured: back-care exercise and posture tracking from BLE IMU straps.
//!
//! The detection core ([`motion`]) is pure and sample-driven; the set
//! coordinator ([`daemon::sets`]) is pure too; the daemon wires them to the
//! straps ([`device`]), the history ([`store`]) and the API ([`http::serve`]).
//! The command line, remote commands, the demo and `postured run`'s life under
//! systemd are the binary's (`src/main.rs`); the library returns its own error
//! types.
//!
//! The docs are written for the people who work on postured: they link to
//! private items freely, and read best built with
//! `cargo doc --document-private-items` (which `scripts/test.sh` checks).

#![allow(rustdoc::private_intra_doc_links)]

pub mod alerts;
pub mod analyze;
pub mod config;
pub mod daemon;
pub mod device;
pub mod exercises;
pub mod http;
pub mod logging;
pub mod motion;
pub mod mqtt;
pub mod plot;
pub mod progress;
pub mod protocol;
pub mod recording;
pub mod report;
pub mod rescore;
pub mod store;
pub mod synth;
pub mod totals;
pub mod vocab;
