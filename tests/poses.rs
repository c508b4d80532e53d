//! Holds measured from upright (`kind = "pose"`: plank, side plank): counted
//! however the wearer gets into them, from lying, kneeling or standing, with the
//! hold timed from the angle's plateau, sway and all, at any rate, with or
//! without a gyro.

use postured::exercises::builtin;
use postured::motion::{Counter, RepEvent, Sample};
use postured::synth::{Motion, Sensor};

/// Upright in the sensor frame: the synthetic strap's rest pose (no mounting).
const UPRIGHT: [f64; 3] = [0.0, 0.0, 1.0];

fn count(samples: &[Sample], upright: Option<[f64; 3]>) -> (Vec<f64>, Vec<String>) {
    let mut c = Counter::new(&builtin("plank").unwrap(), None, upright);
    let events = c.push_batch(samples);
    let holds = events
        .iter()
        .filter_map(|e| match e {
            RepEvent::RepDone(r) => r.hold.map(|h| h.held_s),
            _ => None,
        })
        .collect();
    (holds, c.settle().warnings)
}

/// A 20 s forearm plank (75 deg from upright), swaying +-2 deg while held.
fn plank(m: Motion, ramp_s: f64) -> Motion {
    let mut m = m.ramp(75.0, ramp_s).rest(2.0);
    for _ in 0..4 {
        m = m.ramp(77.0, 1.0).ramp(73.0, 2.0).ramp(75.0, 1.0);
    }
    m.rest(2.0)
}

/// The one hold counted in `m` as `sensor` records it, from upright.
fn the_hold(m: &Motion, sensor: &Sensor, what: &str) -> f64 {
    let (holds, _) = count(&m.render(sensor), Some(UPRIGHT));
    assert_eq!(holds.len(), 1, "{what}, {} Hz: {holds:?}", sensor.rate_hz);
    holds[0]
}

fn sensors() -> Vec<Sensor> {
    let mut out = Vec::new();
    for (rate_hz, gyro) in [(200.0, false), (10.0, false), (25.0, true), (100.0, true)] {
        out.push(Sensor {
            rate_hz,
            gyro,
            ..Sensor::default()
        });
    }
    out
}

#[test]
fn a_plank_counts_from_lying_kneeling_or_standing() {
    let from_standing = plank(Motion::new().rest(3.0), 2.5).ramp(0.0, 2.5).rest(3.0);
    let from_kneeling = plank(Motion::new().ramp(12.0, 1.0).rest(3.0), 2.0)
        .ramp(12.0, 2.0)
        .rest(3.0);
    let from_lying = plank(Motion::new().ramp(90.0, 3.0).rest(5.0), 1.5)
        .ramp(90.0, 1.5)
        .rest(5.0);
    for (start, m) in [
        ("standing", &from_standing),
        ("kneeling", &from_kneeling),
        ("lying", &from_lying),
    ] {
        for sensor in sensors() {
            let held = the_hold(m, &sensor, &format!("from {start}"));
            // Held 20 s from settling to leaving, sway included (measured:
            // 19.6-20.1 s; the shortest after the fast 63-75 degree ramps from
            // kneeling and standing, which the angle's smoothing trails).
            assert!(
                (held - 20.0).abs() < 0.45,
                "from {start}, {} Hz: held {held:.2} s",
                sensor.rate_hz,
            );
        }
    }
}

#[test]
fn lying_or_passing_through_is_not_a_plank() {
    // Lie down, stay, get up: the trunk passes through a plank's angle and rests
    // beyond it, never held there.
    let m = Motion::new()
        .rest(3.0)
        .ramp(90.0, 3.0)
        .rest(20.0)
        .ramp(0.0, 3.0)
        .rest(3.0);
    for sensor in sensors() {
        let (holds, _) = count(&m.render(&sensor), Some(UPRIGHT));
        assert!(holds.is_empty(), "{} Hz: {holds:?}", sensor.rate_hz);
    }
}

#[test]
fn without_a_calibration_the_first_still_pose_stands_in_and_the_count_says_so() {
    // Standing first: upright is found, the plank counts.
    let standing = plank(Motion::new().rest(3.0), 2.5).ramp(0.0, 2.5).rest(3.0);
    let (holds, warnings) = count(&standing.render(&Sensor::default()), None);
    assert_eq!(holds.len(), 1);
    assert!(
        warnings.iter().any(|w| w.contains("upright")),
        "{warnings:?}"
    );
}

#[test]
fn a_plank_raised_slowly_from_lying_is_timed_from_arriving_to_leaving() {
    // Lying prone, the trunk rises 12 deg into a plank over an eased 2 s, holds
    // 20 s and lowers the same way. Turning under 9 deg/s, the ramps are
    // judged against the still floor, whose crossing comes 0.15 s before a ramp
    // arrives and after one leaves. Measured 19.93-19.98 s; without that
    // taken back, 20.20-20.30 s.
    let m = Motion::new()
        .rest(3.0)
        .ramp(90.0, 3.0)
        .rest(5.0)
        .ramp(78.0, 2.0)
        .rest(20.0)
        .ramp(90.0, 2.0)
        .rest(5.0);
    for sensor in sensors() {
        let held = the_hold(&m, &sensor, "raised slowly");
        assert!(
            (held - 20.0).abs() < 0.12,
            "{} Hz, gyro {}: held {held:.2} s",
            sensor.rate_hz,
            sensor.gyro,
        );
    }
}

#[test]
fn a_plank_left_quicker_or_slower_than_it_was_entered_reads_its_length() {
    // The way out is judged from its own ramp, as the way in is: against the
    // ramp in's, a quick way out (1.2 s after a 3 s way in) was found leaving
    // early and a slow one late, and 20 s holds read 19.47-19.54 s and
    // 20.38-20.56 s; from the ramp out, 19.76-20.27 s.
    for (rise_s, lower_s) in [(3.0, 1.2), (1.2, 3.0)] {
        let m = Motion::new()
            .rest(3.0)
            .ramp(90.0, 3.0)
            .rest(5.0)
            .ramp(78.0, rise_s)
            .rest(20.0)
            .ramp(90.0, lower_s)
            .rest(5.0);
        for sensor in sensors() {
            let held = the_hold(&m, &sensor, "entered and left at different speeds");
            assert!(
                (held - 20.0).abs() <= 0.3,
                "in over {rise_s} s, out over {lower_s} s, {} Hz, gyro {}: held {held:.2} s",
                sensor.rate_hz,
                sensor.gyro,
            );
        }
    }
}
