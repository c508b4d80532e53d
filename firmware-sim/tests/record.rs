//! `record` output decodes back to its truth: reps appear as angle excursions at
//! the truth's times, holds last as long as the truth says, slouches reach their
//! planned tilt, and the same seed gives the same bytes.

use std::path::Path;

use firmware_sim::record::{HEADER, record};
use firmware_sim::scenario::{Placement, Scenario};
use firmware_sim::truth::Truth;

fn load(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    Scenario::load(&path).unwrap()
}

/// (t, tilt from the first second's gravity direction in degrees), smoothed
/// over 0.5 s to take out the noise.
fn tilt_series(
    scenario: &Scenario,
    placement: Placement,
    rate: f64,
    seed: u64,
) -> (Vec<(f64, f64)>, Truth) {
    let mut buf = Vec::new();
    let truth = record(scenario, seed, placement, rate, &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(HEADER));
    let rows: Vec<[f64; 7]> = lines
        .map(|l| {
            let v: Vec<f64> = l.split(',').map(|x| x.parse().unwrap()).collect();
            v.try_into().unwrap()
        })
        .collect();
    let win = (rate / 4.0) as usize;
    let smooth: Vec<(f64, [f64; 3])> = (0..rows.len())
        .map(|i| {
            let lo = i.saturating_sub(win);
            let hi = (i + win + 1).min(rows.len());
            let mut a = [0.0; 3];
            for r in &rows[lo..hi] {
                for k in 0..3 {
                    a[k] += r[k + 1] / (hi - lo) as f64;
                }
            }
            (rows[i][0], a)
        })
        .collect();
    let reference = smooth[(rate as usize) / 2].1;
    let series = smooth
        .iter()
        .map(|(t, a)| (*t, firmware_sim::math::angle_deg(reference, *a)))
        .collect();
    (series, truth)
}

fn at(series: &[(f64, f64)], t: f64) -> f64 {
    series[series
        .partition_point(|(ts, _)| *ts < t)
        .min(series.len() - 1)]
    .1
}

#[test]
fn prone_leg_raise_reps_match_truth_on_the_strapped_leg_only() {
    let sc = load("prone-leg-raise.toml");
    let (series, truth) = tilt_series(&sc, Placement::Thigh, 50.0, 2);
    assert_eq!(truth.reps.len(), 10);
    for rep in &truth.reps {
        let mid = (rep.start_s + rep.end_s) / 2.0;
        let plateau: Vec<f64> = series
            .iter()
            .filter(|(t, _)| (t - mid).abs() < rep.hold_s * 0.4)
            .map(|(_, a)| *a)
            .collect();
        let min = plateau.iter().cloned().fold(f64::MAX, f64::min);
        let max = plateau.iter().cloned().fold(f64::MIN, f64::max);
        if rep.side.as_deref() == Some("left") {
            assert!(min > 12.0 && max < 25.0, "left rep at {mid}: {min}..{max}");
            // Time above half the angle = hold + half of both ramps, within the noise.
            let half = (min + max) / 4.0;
            let above = series
                .iter()
                .filter(|(t, a)| *t > rep.start_s - 1.0 && *t < rep.end_s + 1.0 && *a > half)
                .count() as f64
                / 50.0;
            let expected = rep.hold_s + (rep.end_s - rep.start_s - rep.hold_s) / 2.0;
            assert!(
                (above - expected).abs() < 0.6,
                "rep at {mid}: {above} s vs {expected} s"
            );
        } else {
            assert!(max < 4.5, "right rep moved the left thigh by {max} deg");
        }
        assert!(
            at(&series, rep.start_s - 0.5) < 4.0,
            "not at rest before {}",
            rep.start_s
        );
    }
}

#[test]
fn desk_hour_slouches_reach_their_tilt() {
    let sc = load("desk-hour.toml");
    let (series, truth) = tilt_series(&sc, Placement::Chest, 10.0, 3);
    assert_eq!(truth.slouches.len(), 4);
    for s in &truth.slouches {
        let mid = (s.start_s + s.end_s) / 2.0;
        let tilt = at(&series, mid);
        assert!(
            (tilt - s.peak_deg).abs() < 3.0,
            "slouch at {mid}: {tilt} vs {}",
            s.peak_deg
        );
        assert!(at(&series, s.start_s - 10.0) < 4.0);
        assert!(at(&series, s.end_s + 10.0) < 4.0);
    }
    assert!(!truth.reps.is_empty());
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let sc = load("squat.toml");
    let run = |seed| {
        let mut buf = Vec::new();
        let t = record(&sc, seed, Placement::Thigh, 25.0, &mut buf).unwrap();
        (buf, t)
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5).0, run(6).0);
}

#[test]
fn every_shipped_scenario_loads_and_has_truth() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let sc = Scenario::load(&path).unwrap();
        let tl = firmware_sim::motion::plan::Timeline::new(&sc, 1);
        let truth = tl.truth();
        assert!(!truth.reps.is_empty(), "{} has no reps", path.display());
        n += 1;
    }
    // One per built-in exercise, desk-hour, and the demo's.
    assert_eq!(n, 21);
}

#[test]
fn bad_scenarios_name_file_and_key() {
    let path = Path::new("bad.toml");
    let err = Scenario::parse("straps = []\nsegments = []\nbogus = 1\n", path)
        .unwrap_err()
        .to_string();
    assert!(err.contains("bad.toml") && err.contains("bogus"), "{err}");
    let text = "straps = [{kind = \"open-imu\", placement = \"chest\"}]\n[[segments]]\nactivity = \"exercise\"\nexercise = \"jumping-jacks\"\n";
    let err = Scenario::parse(text, path).unwrap_err().to_string();
    assert!(
        err.contains("bad.toml") && err.contains("segments[0].exercise"),
        "{err}"
    );
    let text = "straps = [{kind = \"open-imu\", placement = \"chest\"}]\n[[segments]]\nactivity = \"sit\"\nduration = 3\n";
    let err = Scenario::parse(text, path).unwrap_err().to_string();
    assert!(err.contains("duration"), "{err}");
}

#[test]
fn kinematics_have_no_jolts() {
    // Noise-free accelerometer magnitude of every placement in every shipped
    // scenario: gravity plus body accelerations of a few tenths of a g at most
    // (walking steps), never the spikes a velocity jump would cause.
    use firmware_sim::body::ideal;
    use firmware_sim::math::IDENTITY;
    use firmware_sim::motion::plan::Timeline;
    use firmware_sim::scenario::Side;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let placements = [
        Placement::Chest,
        Placement::UpperBack,
        Placement::Thigh,
        Placement::Ankle,
        Placement::Wrist,
        Placement::UpperArm,
    ];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let tl = Timeline::new(&Scenario::load(&path).unwrap(), 11);
        for p in placements {
            let mut t = 0.0;
            let (mut lo, mut hi) = (f64::MAX, f64::MIN);
            while t < tl.duration() {
                let a = ideal(&tl, p, Side::Right, &IDENTITY, t).accel_g;
                let m = (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt();
                lo = lo.min(m);
                hi = hi.max(m);
                t += 0.05;
            }
            // Ankle and wrist swing at the end of a chain while walking.
            let max = if matches!(p, Placement::Ankle | Placement::Wrist) {
                2.5
            } else {
                1.6
            };
            assert!(
                lo > 0.55 && hi < max,
                "{} {p:?}: |a| in {lo:.2}..{hi:.2} g",
                path.display()
            );
        }
    }
}

#[test]
fn a_timeline_starts_in_motion_as_it_carries_on() {
    // The faint sway every timeline has runs on before t = 0: clamped there, a
    // wearer standing still would start with a jolt (0.14 g at the chest), which
    // the counter saw as a movement before the first rep.
    use firmware_sim::body::ideal;
    use firmware_sim::math::IDENTITY;
    use firmware_sim::motion::plan::Timeline;
    use firmware_sim::scenario::Side;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let tl = Timeline::new(&Scenario::load(&path).unwrap(), 11);
        for p in [Placement::Chest, Placement::UpperBack] {
            let g = |t: f64| {
                let a = ideal(&tl, p, Side::Right, &IDENTITY, t).accel_g;
                (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt()
            };
            let first = g(0.0);
            let settled = g(0.5);
            assert!(
                (first - settled).abs() < 0.02,
                "{} {p:?}: |a| {first:.3} g at t = 0, {settled:.3} g at 0.5 s",
                path.display()
            );
        }
    }
}
