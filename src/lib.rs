//! postured: back-care exercise and posture tracking from BLE IMU straps.

pub mod cli;
