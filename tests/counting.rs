//! Rep and hold counting on synthetic motions with known truth: exact counts and
//! holds within 0.3 s, through noise, bias, tremor, mounting rotation, sample rates,
//! uneven spacing and the ways people actually move.

use postured::exercises::builtin;
use postured::motion::{Counter, Flag, Rep, RepEvent, Side};
use postured::synth::{Motion, Sensor};

fn reps(events: &[RepEvent]) -> Vec<Rep> {
    events
        .iter()
        .filter_map(|e| match e {
            RepEvent::RepDone(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

fn leg_raises(holds: &[f64]) -> Motion {
    let mut m = Motion::new().rest(3.0);
    for (i, &h) in holds.iter().enumerate() {
        m = m.rep(15.0 + i as f64 * 1.5, 1.5, h, 1.5).rest(3.0);
    }
    m
}

fn count(spec: &str, m: &Motion, sensor: &Sensor) -> Vec<Rep> {
    let spec = builtin(spec).unwrap();
    let mut c = Counter::new(&spec, Some(Side::Left), None);
    reps(&c.push_batch(&m.render(sensor)))
}

fn assert_holds(found: &[Rep], m: &Motion) {
    assert_eq!(found.len(), m.truth().reps.len(), "{found:#?}");
    for (r, (start, end, hold)) in found.iter().zip(&m.truth().reps) {
        let held = r.hold.unwrap().held_s;
        assert!(
            (held - hold).abs() <= 0.3,
            "hold {held:.2} vs truth {hold:.2}"
        );
        assert!(
            (r.start_s - start).abs() < 1.0 && (r.end_s - end).abs() < 1.0,
            "{r:?} vs {start}..{end}"
        );
    }
}

#[test]
fn prone_leg_raises_with_noise_bias_tremor_and_mounting() {
    let m = leg_raises(&[8.0, 10.0, 12.0, 9.0, 11.0]);
    for (seed, gyro) in [(1, false), (2, true), (3, false), (4, true)] {
        let mut rng = postured::synth::Rng::new(seed);
        let sensor = Sensor {
            gyro,
            seed,
            mounting: rng.rotation(180.0),
            tremor_deg: 0.5,
            ..Sensor::default()
        };
        let found = count("prone-leg-raise", &m, &sensor);
        assert_holds(&found, &m);
        assert!(
            found
                .iter()
                .all(|r| r.flags.is_empty() && r.side == Some(Side::Left)),
            "{found:#?}"
        );
    }
}

#[test]
fn any_rate_from_10_to_400_hz_with_uneven_spacing() {
    let m = leg_raises(&[8.5, 10.0, 11.5]);
    for rate_hz in [10.0, 12.5, 25.0, 52.0, 100.0, 200.0, 400.0] {
        let sensor = Sensor {
            rate_hz,
            jitter: 0.3,
            ..Sensor::default()
        };
        assert_holds(&count("prone-leg-raise", &m, &sensor), &m);
    }
}

#[test]
fn the_other_legs_raises_are_not_counted() {
    // Strap on the left thigh; right-leg raises shift the left leg by 2-3 deg.
    let mut m = Motion::new().rest(3.0);
    for _ in 0..5 {
        m = m.rep(16.0, 1.5, 10.0, 1.5).rest(2.0);
        let before = m.truth().reps.len();
        m = m.ramp(2.5, 1.5).rest(10.0).ramp(0.0, 1.5).rest(2.0);
        assert_eq!(m.truth().reps.len(), before);
    }
    let found = count("prone-leg-raise", &m, &Sensor::default());
    assert_holds(&found, &m);
}

#[test]
fn tremor_at_rest_is_not_a_rep() {
    let m = Motion::new().rest(30.0);
    let sensor = Sensor {
        tremor_deg: 2.0,
        noise_g: 0.03,
        ..Sensor::default()
    };
    assert!(count("prone-leg-raise", &m, &sensor).is_empty());
}

#[test]
fn a_pause_mid_rep_and_a_slow_rep_stay_one_rep() {
    // Up, a brief sag to 4 deg (re-grip) for a moment, back up, hold, down.
    let m = Motion::new()
        .rest(3.0)
        .ramp(15.0, 1.5)
        .rest(4.0)
        .ramp(4.0, 0.4)
        .ramp(15.0, 0.4)
        .rest(5.0)
        .ramp(0.0, 1.5)
        .rest(3.0)
        // A slow rep: 8 s up, 9 s hold, 8 s down.
        .rep(18.0, 8.0, 9.0, 8.0)
        .rest(3.0);
    let found = count("prone-leg-raise", &m, &Sensor::default());
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn short_hold_and_partial_range_are_flagged() {
    let m = Motion::new()
        .rest(3.0)
        .rep(16.0, 1.5, 4.0, 1.5)
        .rest(3.0)
        .rep(8.5, 1.5, 10.0, 1.5)
        .rest(3.0);
    let found = count("prone-leg-raise", &m, &Sensor::default());
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].flags.contains(&Flag::ShortHold), "{:?}", found[0]);
    assert!(found[0].score < 0.6);
    assert!(
        found[1].flags.contains(&Flag::PartialRange),
        "{:?}",
        found[1]
    );
}

#[test]
fn attempts_that_fall_short_are_reported_not_counted() {
    // A half-height raise (5 deg of a 10-25 deg target) and a raise to the target
    // lowered at once: neither is a rep of a hold exercise.
    let m = Motion::new()
        .rest(3.0)
        .rep(5.5, 1.5, 6.0, 1.5)
        .rest(3.0)
        .rep(15.0, 1.5, 0.5, 1.5)
        .rest(3.0)
        .rep(15.0, 1.5, 9.0, 1.5)
        .rest(3.0);
    let spec = builtin("prone-leg-raise").unwrap();
    let mut c = Counter::new(&spec, None, None);
    let events = c.push_batch(&m.render(&Sensor::default()));
    let attempts: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, RepEvent::Attempt(_)))
        .collect();
    assert_eq!(attempts.len(), 2, "{events:#?}");
    assert_eq!(reps(&events).len(), 1);
    assert_eq!(c.reps(), 1);
}

#[test]
fn a_hold_that_drifts_out_and_back_is_reported() {
    let m = Motion::new()
        .rest(3.0)
        .ramp(16.0, 1.5)
        .rest(5.0)
        .ramp(5.0, 0.8)
        .rest(1.0)
        .ramp(16.0, 0.8)
        .rest(5.0)
        .ramp(0.0, 1.5)
        .rest(3.0);
    let found = count("prone-leg-raise", &m, &Sensor::default());
    assert_eq!(found.len(), 1, "{found:#?}");
    let hold = found[0].hold.unwrap();
    assert_eq!(hold.breaks, 1);
    assert!(found[0].flags.contains(&Flag::Drifted));
    assert!((hold.held_s - 10.0).abs() < 0.6, "{hold:?}");
}

#[test]
fn wall_slides_and_a_long_stretch() {
    let mut m = Motion::new().rest(3.0);
    for h in [5.0, 5.5, 6.0] {
        m = m.rep(45.0, 2.0, h, 2.0).rest(2.5);
    }
    assert_holds(
        &count(
            "wall-slide",
            &m,
            &Sensor {
                gyro: true,
                ..Sensor::default()
            },
        ),
        &m,
    );
    let m = Motion::new().rest(3.0).rep(20.0, 2.0, 18.0, 2.0).rest(3.0);
    assert_holds(&count("pectoral-stretch", &m, &Sensor::default()), &m);
}

#[test]
fn set_done_once_the_target_is_reached() {
    let m = leg_raises(&[9.0; 6]);
    let spec = builtin("prone-leg-raise").unwrap();
    let mut c = Counter::new(&spec, None, None);
    let events = c.push_batch(&m.render(&Sensor::default()));
    let done: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, RepEvent::SetDone { .. }))
        .collect();
    assert_eq!(done.len(), 1);
    assert!(matches!(done[0], RepEvent::SetDone { reps: 5, .. }));
    assert_eq!(c.reps(), 6);
}

#[test]
fn cycles_of_any_movement_are_counted_whatever_the_mounting() {
    // Ten squat-like swings of the thigh, then rest.
    let mut m = Motion::new().rest(2.0);
    for _ in 0..10 {
        m = m.ramp(60.0, 1.2).ramp(0.0, 1.2).rest(0.3);
    }
    m = m.rest(3.0);
    for seed in 1..=4 {
        let mut rng = postured::synth::Rng::new(seed);
        let sensor = Sensor {
            seed,
            mounting: rng.rotation(180.0),
            ..Sensor::default()
        };
        assert_eq!(count("reps", &m, &sensor).len(), 10, "seed {seed}");
        assert_eq!(count("squat", &m, &sensor).len(), 10, "seed {seed}");
    }
}

/// Sway of +-`deg` at 0.25 Hz for about `secs` (breathing, postural sway), ending
/// where it started.
fn sway(mut m: Motion, secs: f64, deg: f64) -> Motion {
    let base = 0.0;
    for _ in 0..(secs / 4.0).round() as u32 {
        m = m.ramp(base + deg, 2.0).ramp(base - deg, 2.0);
    }
    m.ramp(base, 1.0)
}

#[test]
fn a_swaying_noisy_start_still_finds_the_rest_pose() {
    // A wearer who never holds perfectly still, on a noisy accelerometer-only strap
    // at 200 Hz (a Polar H10 has no gyroscope): sway between every rep too.
    let mut m = sway(Motion::new(), 6.0, 1.5);
    let holds = [9.0, 10.0, 8.5, 11.0];
    for &h in &holds {
        m = sway(m.rep(18.0, 1.5, h, 1.5), 4.0, 1.5);
    }
    for (seed, noise_g) in [(1, 0.02), (2, 0.04), (3, 0.06)] {
        let sensor = Sensor {
            rate_hz: 200.0,
            gyro: false,
            noise_g,
            seed,
            ..Sensor::default()
        };
        let spec = builtin("prone-leg-raise").unwrap();
        let mut c = Counter::new(&spec, Some(Side::Left), None);
        let found = reps(&c.push_batch(&m.render(&sensor)));
        assert_eq!(found.len(), holds.len(), "noise {noise_g} g: {found:#?}");
        for (r, (_, _, hold)) in found.iter().zip(&m.truth().reps) {
            let held = r.hold.unwrap().held_s;
            assert!(
                (held - hold).abs() <= 0.5,
                "noise {noise_g}: hold {held:.2} vs {hold:.2}"
            );
        }
        assert!(c.settle().warnings.is_empty(), "a rest pose was found");
    }
}

#[test]
fn no_still_moment_at_all_takes_the_steadiest_stretch_and_says_so() {
    // Sway of +-4 degrees from the first sample, never within a small band for a
    // second: the count still comes, with a warning.
    let mut m = Motion::new();
    for _ in 0..3 {
        m = m.ramp(4.0, 1.0).ramp(-4.0, 1.0);
    }
    m = m.ramp(0.0, 0.5);
    let holds = [9.0, 10.0];
    for &h in &holds {
        m = m
            .rep(20.0, 1.5, h, 1.5)
            .ramp(4.0, 1.0)
            .ramp(-4.0, 1.0)
            .ramp(0.0, 0.5);
    }
    let spec = builtin("prone-leg-raise").unwrap();
    let mut c = Counter::new(&spec, Some(Side::Left), None);
    let found = reps(&c.push_batch(&m.render(&Sensor::default())));
    assert_eq!(found.len(), holds.len(), "{found:#?}");
    let warnings = c.settle().warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("rest pose"), "{warnings:?}");
}

#[test]
fn sway_inside_the_tolerance_never_cuts_a_hold() {
    // Each hold sways +-2 degrees about its plateau, every second (a tremulous
    // leg) or every 3 s (a slow wobble), inside the prone leg raise's 3-degree
    // tolerance.
    let mut m = Motion::new().rest(3.0);
    let holds = [9.0, 9.0, 12.0, 12.0];
    for (i, &h) in holds.iter().enumerate() {
        let top = 16.0 + i as f64;
        let period = if i % 2 == 0 { 1.0 } else { 3.0 };
        m = m.ramp(top, 1.5);
        for _ in 0..(h / period) as u32 {
            m = m
                .ramp(top + 2.0, period / 4.0)
                .ramp(top - 2.0, period / 2.0)
                .ramp(top, period / 4.0);
        }
        m = m.ramp(0.0, 1.5).rest(3.0);
    }
    let spec = builtin("prone-leg-raise").unwrap();
    for sensor in [
        Sensor::default(),
        Sensor {
            rate_hz: 200.0,
            noise_g: 0.02,
            ..Sensor::default()
        },
    ] {
        let mut c = Counter::new(&spec, Some(Side::Left), None);
        let found = reps(&c.push_batch(&m.render(&sensor)));
        assert_eq!(found.len(), holds.len(), "{found:#?}");
        for (r, hold) in found.iter().zip(holds) {
            let h = r.hold.unwrap();
            assert!(
                (h.held_s - hold).abs() <= 0.5,
                "held {:.2} of {hold}",
                h.held_s
            );
            assert_eq!(h.breaks, 0, "{h:?}");
        }
    }
}

/// Three holds of 20 s at `angle` deg, each entered and left by an eased ramp
/// of `ramp_s`: the hold times, at 50 Hz with a gyro and at 200 Hz without.
fn holds_after_ramps(exercise: &str, angle: f64, ramp_s: f64) -> Vec<f64> {
    let mut held = three_holds(exercise, angle, ramp_s, ramp_s, &Sensor::default());
    let sensor = Sensor {
        rate_hz: 200.0,
        gyro: false,
        ..Sensor::default()
    };
    held.extend(three_holds(exercise, angle, ramp_s, ramp_s, &sensor));
    held
}

/// The holds read from three 20 s holds at `angle`, raised in `rise_s` and
/// lowered in `lower_s`, as `sensor` senses them; three are counted.
fn three_holds(exercise: &str, angle: f64, rise_s: f64, lower_s: f64, sensor: &Sensor) -> Vec<f64> {
    let mut m = Motion::new().rest(3.0);
    for _ in 0..3 {
        m = m.rep(angle, rise_s, 20.0, lower_s).rest(4.0);
    }
    let found = count(exercise, &m, sensor);
    assert_eq!(found.len(), 3, "{exercise}: {found:#?}");
    found.iter().map(|r| r.hold.unwrap().held_s).collect()
}

#[test]
fn the_slow_end_of_a_gentle_ramp_into_a_big_stretch_is_not_held() {
    // Child's pose: 100 deg over a slow, eased 3.5 s, held 20 s, and back.
    // The ramp's last half second still turns the trunk several deg/s, more
    // than a fifth of its fastest: that is moving, not holding.
    let held = holds_after_ramps("childs-pose", 100.0, 3.5);
    // Measured 20.28-20.33 s (20.66-20.68 s with the peak-only threshold).
    assert!(held.iter().all(|h| (h - 20.0).abs() <= 0.4), "{held:?}");
}

#[test]
fn the_tail_of_a_quick_ramp_into_a_big_stretch_is_not_held() {
    // Knees to chest: 110 deg in an eased 1.5 s, held 20 s, and back. The
    // ramp's last tenth of a second still turns the thigh over 10 deg/s,
    // however big the stretch: moving, not holding (the sway of a held pose
    // does not grow with the angle it is held at).
    let held = holds_after_ramps("knees-to-chest", 110.0, 1.5);
    assert!(held.iter().all(|h| (h - 20.0).abs() <= 0.15), "{held:?}");
}

#[test]
fn a_gentle_ramp_into_a_small_stretch_is_held_from_where_it_ends() {
    // Doorway pectoral stretch: 20 deg over an eased 2.5 s, held 20 s, and back.
    // The ramp brakes so gently that its last quarter second turns the trunk
    // slower than plateau sway does (under 3 deg/s over half a second), so over
    // half a second the hold seemed to start before the ramp ended and end after
    // the lowering began (measured 20.28-20.34 s); judged over a window that
    // reads the ramp's braking above the sway: 20.16-20.24 s.
    let held = holds_after_ramps("pectoral-stretch", 20.0, 2.5);
    assert!(held.iter().all(|h| (h - 20.0).abs() <= 0.25), "{held:?}");
}

#[test]
fn a_hold_is_timed_from_its_ramp_not_from_the_sway_around_the_rep() {
    // Pelvic tilts (8 deg, 5 s holds) by a wearer who sways at rest: before
    // each rep the thigh stops for a moment 2 deg up, and after it comes back
    // there for a second and a half before settling. That is inside the band's
    // tolerance (it reaches down to 1 deg), above where a rep ends (1.8 deg) and
    // below where one starts (3 deg): the rest around the rep, not its hold.
    let mut m = Motion::new().rest(3.0);
    let holds = [5.0, 4.5, 5.5, 5.0];
    for &h in &holds {
        m = m
            .ramp(2.0, 1.0)
            .rest(0.4)
            .rep(8.0, 1.0, h, 1.0)
            .rest(1.5)
            .ramp(0.0, 1.0)
            .rest(3.0);
    }
    let spec = builtin("pelvic-tilt").unwrap();
    for sensor in [
        Sensor::default(),
        Sensor {
            rate_hz: 200.0,
            gyro: false,
            noise_g: 0.02,
            ..Sensor::default()
        },
    ] {
        let mut c = Counter::new(&spec, Some(Side::Left), None);
        let found = reps(&c.push_batch(&m.render(&sensor)));
        assert_eq!(found.len(), holds.len(), "{found:#?}");
        for (r, (start, _, hold)) in found.iter().zip(&m.truth().reps) {
            // The plateau runs from the end of the 1 s ramp for `hold` s; the
            // hold is found a little late at both ends (the angle's smoothing).
            let h = r.hold.unwrap();
            let (from, to) = (start + 1.0, start + 1.0 + hold);
            assert!(
                (h.start_s - from).abs() <= 0.4 && (h.end_s - to).abs() <= 0.4,
                "held {:.2}-{:.2}, plateau {from:.2}-{to:.2}",
                h.start_s,
                h.end_s
            );
            assert!(
                (h.held_s - hold).abs() <= 0.3,
                "held {:.2} of {hold}",
                h.held_s
            );
        }
    }
}

#[test]
fn a_hold_left_slower_or_quicker_than_it_was_entered_reads_its_length() {
    // The end of a hold is found from the ramp out, as its start is from the
    // ramp in: a quick raise and a slow lowering, and the other way round.
    // Against the ramp in's threshold, the slow lowering was found leaving
    // late and the quick one early: 20 s holds read 20.40-20.52 s and
    // 19.60-19.92 s; from the ramp out, 19.80-20.20 s.
    for (spec, angle, rise_s, lower_s) in [
        ("knees-to-chest", 110.0, 1.2, 3.5),
        ("knees-to-chest", 110.0, 3.5, 1.2),
        ("pectoral-stretch", 20.0, 1.0, 3.0),
        ("pectoral-stretch", 20.0, 3.0, 1.0),
    ] {
        for sensor in [
            Sensor::default(),
            Sensor {
                rate_hz: 10.0,
                gyro: false,
                ..Sensor::default()
            },
        ] {
            for held in three_holds(spec, angle, rise_s, lower_s, &sensor) {
                assert!(
                    (held - 20.0).abs() <= 0.25,
                    "{spec}, raised in {rise_s} s and lowered in {lower_s} s at {} Hz: \
                     held {held:.2} s of 20",
                    sensor.rate_hz
                );
            }
        }
    }
}
