//! `record`: a scenario rendered to the project's CSV format plus its truth.

use std::io::Write;

use crate::imu::Imu;
use crate::motion::plan::Timeline;
use crate::scenario::{Placement, Scenario, Side};
use crate::truth::Truth;

/// CSV header of a recording.
pub const HEADER: &str = "t,ax,ay,az,gx,gy,gz";

/// Default mounting rotation bound, degrees per axis.
pub const DEFAULT_MOUNT_MAX_DEG: f64 = 15.0;

/// Writes the recording of `placement` at `rate_hz` to `out` and returns the truth.
pub fn record(
    scenario: &Scenario,
    seed: u64,
    placement: Placement,
    rate_hz: f64,
    out: &mut impl Write,
) -> std::io::Result<Truth> {
    let timeline = Timeline::new(scenario, seed);
    let (index, side) = strap_for(scenario, placement);
    let mut imu = Imu::new(
        placement,
        side,
        seed,
        index,
        scenario.mount_max_deg.unwrap_or(DEFAULT_MOUNT_MAX_DEG),
    );
    writeln!(out, "{HEADER}")?;
    let n = (timeline.duration() * rate_hz).floor() as u64;
    for k in 0..n {
        let t = k as f64 / rate_hz;
        let s = imu.sample(&timeline, t);
        writeln!(
            out,
            "{:.6},{:.5},{:.5},{:.5},{:.4},{:.4},{:.4}",
            s.t, s.accel[0], s.accel[1], s.accel[2], s.gyro[0], s.gyro[1], s.gyro[2]
        )?;
    }
    Ok(timeline.truth())
}

/// Index and side of the scenario's strap at `placement` (index = number of
/// straps when none is there: a strap put on just for the recording).
pub fn strap_for(scenario: &Scenario, placement: Placement) -> (u64, Side) {
    scenario
        .straps
        .iter()
        .position(|s| s.placement == placement)
        .map_or((scenario.straps.len() as u64, Side::Left), |i| {
            (i as u64, scenario.straps[i].side)
        })
}
