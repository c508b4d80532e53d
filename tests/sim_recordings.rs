//! The detection core against recordings made by firmware-sim, an independent
//! body model with its own noise, mounting, uneven tempo, sway, partial reps and
//! the other leg's reps, compared with the truth it writes beside them; at 50 Hz
//! with a gyro and, as an H10 records, at 200 Hz without; and at rest.

use std::path::Path;

use firmware_sim::record::{record, strap_for};
use firmware_sim::scenario::{Placement, Restless, Scenario, Segment};
use firmware_sim::truth::{Truth, TruthRep};
use postured::analyze::{self, RepReport};
use postured::exercises::builtin;
use postured::motion::{PostureConfig, Side};

const SEEDS: [u64; 3] = [1, 2, 3];

fn recorded(scenario: &str, seed: u64) -> (Vec<postured::motion::Sample>, Truth, Option<Side>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("firmware-sim/scenarios")
        .join(format!("{scenario}.toml"));
    recorded_at(&path, seed, 50.0, false)
}

/// A scenario file recorded at `rate_hz`, with the gyro (as the sim's IMU
/// gives it) or without (an H10).
fn recorded_at(
    path: &Path,
    seed: u64,
    rate_hz: f64,
    accel_only: bool,
) -> (Vec<postured::motion::Sample>, Truth, Option<Side>) {
    recorded_restless(path, seed, rate_hz, accel_only, Restless::Still)
}

/// [`recorded_at`], with the body `restless` throughout.
fn recorded_restless(
    path: &Path,
    seed: u64,
    rate_hz: f64,
    accel_only: bool,
    restless: Restless,
) -> (Vec<postured::motion::Sample>, Truth, Option<Side>) {
    let mut sc = Scenario::load(path).unwrap();
    sc.restless = restless;
    record_scenario(&sc, path, seed, rate_hz, accel_only)
}

/// Records scenario `sc` (loaded from `path`) as [`recorded_at`] does.
fn record_scenario(
    sc: &Scenario,
    path: &Path,
    seed: u64,
    rate_hz: f64,
    accel_only: bool,
) -> (Vec<postured::motion::Sample>, Truth, Option<Side>) {
    let placement = sc.straps[0].placement;
    let mut csv = Vec::new();
    let truth = record(sc, seed, placement, rate_hz, &mut csv).unwrap();
    let mut samples = postured::recording::parse(csv.as_slice(), path)
        .unwrap()
        .samples;
    if accel_only {
        samples.iter_mut().for_each(|s| s.gyro = None);
    }
    let limb = matches!(placement, Placement::Thigh | Placement::Ankle);
    let side = limb.then(|| match strap_for(sc, placement).1 {
        firmware_sim::scenario::Side::Left => Side::Left,
        firmware_sim::scenario::Side::Right => Side::Right,
    });
    (samples, truth, side)
}

/// The reps of `truth` a strap on `side` sees: its own leg's, or all.
fn seen_by(truth: &Truth, side: Option<Side>) -> Vec<&TruthRep> {
    let side_name = side.map(|s| if s == Side::Left { "left" } else { "right" });
    truth
        .reps
        .iter()
        .filter(|r| side_name.is_none() || r.side.is_none() || r.side.as_deref() == side_name)
        .collect()
}

/// Counts exactly the reps this strap should see; holds within `hold_tol` s.
fn check(exercise: &str, hold_tol: f64) {
    check_seeds(exercise, hold_tol, &SEEDS);
}

fn check_seeds(exercise: &str, hold_tol: f64, seeds: &[u64]) {
    for &seed in seeds {
        let (samples, truth, side) = recorded(exercise, seed);
        let spec = builtin(exercise).unwrap();
        let report: RepReport = analyze::reps(&spec, &samples, side, None);
        let mine = seen_by(&truth, side);
        assert_eq!(
            report.reps.len(),
            mine.len(),
            "{exercise} seed {seed}: {report:#?}"
        );
        for (got, want) in report.reps.iter().zip(&mine) {
            assert!(
                (got.start_s - want.start_s).abs() < 1.5 && (got.end_s - want.end_s).abs() < 1.5,
                "{exercise} seed {seed}: {got:?} vs {want:?}"
            );
            if let Some(h) = got.hold_s {
                assert!(
                    (h - want.hold_s).abs() <= hold_tol,
                    "{exercise} seed {seed}: hold {h} vs {}",
                    want.hold_s
                );
            }
            let sided = spec.target.sides != postured::exercises::Sides::None;
            assert_eq!(got.side, side.filter(|_| sided), "{exercise}");
        }
    }
}

#[test]
fn leg_and_thigh_holds_within_0_3_s() {
    for exercise in ["prone-leg-raise", "supine-leg-raise", "wall-slide"] {
        check(exercise, 0.3);
    }
}

#[test]
fn trunk_and_arm_holds() {
    for exercise in [
        "upright-back-stretch",
        "back-extension",
        "ball-bridge",
        "prone-scapular-squeeze",
        "pelvic-tilt",
    ] {
        check(exercise, 0.45);
    }
}

#[test]
fn long_chest_holds_within_a_second() {
    // Known: long holds on a chest strap read 0.2-0.8 s long (the sim's slow ramp
    // tails count as held); see the issue notes.
    for exercise in [
        "pectoral-stretch",
        "cobra",
        "childs-pose",
        "plank",
        "side-plank",
        "knees-to-chest",
        "hamstring-stretch",
    ] {
        check(exercise, 0.9);
    }
}

#[test]
fn a_half_rep_among_full_ones_is_not_counted() {
    // Seeds whose sets hold a partial rep (about half the angle, a short hold)
    // that the truth does not count: the live count reports it, flagged, and
    // the settled count withdraws it.
    for (exercise, seeds) in [
        ("pelvic-tilt", &[7, 8, 14][..]),
        ("ball-bridge", &[8, 14, 28]),
        ("back-extension", &[8]),
        ("prone-scapular-squeeze", &[12]),
        // Half squats and crunches that still reach the (wide) band.
        ("squat", &[5, 7]),
        ("crunch", &[7]),
    ] {
        for &seed in seeds {
            let (_, truth, _) = recorded(exercise, seed);
            assert!(!truth.partial_reps.is_empty(), "{exercise} seed {seed}");
        }
        check_seeds(exercise, f64::INFINITY, seeds);
    }
}

#[test]
fn an_accelerometer_only_strap_at_200_hz_counts_the_same() {
    // Chest exercises as an H10 records them: 200 Hz, no gyro.
    for exercise in ["upright-back-stretch", "back-extension", "crunch", "plank"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("firmware-sim/scenarios")
            .join(format!("{exercise}.toml"));
        for seed in SEEDS {
            let (samples, truth, _) = recorded_at(&path, seed, 200.0, true);
            assert!(samples.iter().all(|s| s.gyro.is_none()));
            let report = analyze::reps(&builtin(exercise).unwrap(), &samples, None, None);
            assert_eq!(
                report.reps.len(),
                truth.reps.len(),
                "{exercise} seed {seed}: {report:#?}"
            );
        }
    }
}

#[test]
fn sitting_and_standing_at_rest_count_nothing() {
    // A minute sitting, a minute standing (and getting up between), on an
    // accelerometer-only strap at 200 Hz: breathing, sway and the sensor's noise
    // are not reps, whatever is being counted.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rest-sit-stand.toml");
    for seed in SEEDS {
        let (samples, _, _) = recorded_at(&path, seed, 200.0, true);
        for exercise in ["reps", "upright-back-stretch", "crunch"] {
            let report = analyze::reps(&builtin(exercise).unwrap(), &samples, None, None);
            assert!(
                report.reps.is_empty(),
                "{exercise} seed {seed}: {report:#?}"
            );
        }
    }
}

#[test]
fn movements_are_counted_exactly() {
    for exercise in ["crunch", "squat"] {
        check(exercise, f64::INFINITY);
    }
}

#[test]
fn cat_cow_without_getting_down_and_standing_up() {
    // Ten cycles on all fours between standing before and after: getting down
    // and standing up are not reps (a cycle's boundaries are its turning
    // points, not the truth's rest-to-rest, so only the count is compared).
    for seed in SEEDS {
        let (samples, truth, _) = recorded("cat-cow", seed);
        let report = analyze::reps(&builtin("cat-cow").unwrap(), &samples, None, None);
        assert_eq!(
            report.reps.len(),
            truth.reps.len(),
            "seed {seed}: {report:#?}"
        );
    }
}

#[test]
fn walking_to_the_mat_first() {
    // Eight seconds of walking (steps of about half a second) before the set,
    // at 50 Hz and as an H10: the steps are quicker than a cat-cow can be, so
    // not reps; and the plank, with no calibration, still finds the wearer's
    // moment standing still after the walk as upright.
    for (exercise, seed, rate, accel_only) in [
        ("cat-cow", 1, 50.0, false),
        ("cat-cow", 2, 200.0, true),
        ("plank", 1, 50.0, false),
        ("plank", 2, 200.0, true),
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("firmware-sim/scenarios")
            .join(format!("{exercise}.toml"));
        let mut sc = Scenario::load(&path).unwrap();
        sc.segments.insert(
            0,
            Segment::Walk {
                duration_s: 8.0,
                cadence_hz: None,
            },
        );
        let (samples, truth, _) = record_scenario(&sc, &path, seed, rate, accel_only);
        let report = analyze::reps(&builtin(exercise).unwrap(), &samples, None, None);
        assert_eq!(
            report.reps.len(),
            truth.reps.len(),
            "{exercise} seed {seed} at {rate} Hz: {report:#?}"
        );
    }
}

#[test]
fn a_breathing_or_swaying_wearer_counts_the_same() {
    // Breathing or postural sway throughout, before the set too (while the
    // rest pose is found): every rep counted, none more.
    for exercise in [
        "prone-leg-raise",
        "childs-pose",
        "plank",
        "squat",
        "cat-cow",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("firmware-sim/scenarios")
            .join(format!("{exercise}.toml"));
        for restless in [Restless::Breathing, Restless::Sway] {
            for (seed, rate, accel_only) in [(1, 50.0, false), (2, 200.0, true), (3, 12.5, false)] {
                let (samples, truth, side) =
                    recorded_restless(&path, seed, rate, accel_only, restless);
                let report = analyze::reps(&builtin(exercise).unwrap(), &samples, side, None);
                let mine = seen_by(&truth, side).len();
                assert_eq!(
                    report.reps.len(),
                    mine,
                    "{exercise} {restless:?} seed {seed} at {rate} Hz: {report:#?}"
                );
            }
        }
    }
}

/// The p90 of |hold error| (s) over every hold of `exercises`, swaying
/// throughout, seeds `1..=seeds`, at 50 Hz with the gyro; with where it falls.
fn swaying_hold_p90(exercises: &[&str], seeds: u64) -> (f64, String) {
    let mut errors = Vec::new();
    for exercise in exercises {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("firmware-sim/scenarios")
            .join(format!("{exercise}.toml"));
        for seed in 1..=seeds {
            let (samples, truth, side) =
                recorded_restless(&path, seed, 50.0, false, Restless::Sway);
            let report = analyze::reps(&builtin(exercise).unwrap(), &samples, side, None);
            let mine = seen_by(&truth, side);
            assert_eq!(report.reps.len(), mine.len(), "{exercise} seed {seed}");
            for (got, want) in report.reps.iter().zip(&mine) {
                let held = got.hold_s.expect("a hold exercise's rep has a hold");
                errors.push((
                    (held - want.hold_s).abs(),
                    format!("{exercise} seed {seed}"),
                ));
            }
        }
    }
    errors.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (p90, at) = &errors[(errors.len() - 1) * 9 / 10];
    let (worst, worst_at) = &errors[errors.len() - 1];
    (
        *p90,
        format!(
            "{} holds, p90 at {at}, worst {worst:.2} s ({worst_at})",
            errors.len()
        ),
    )
}

#[test]
fn a_swaying_wearers_holds_are_timed_from_the_ramps_with_a_gyro() {
    // Swaying throughout (1.6 deg at 0.1-0.5 Hz, on the body model's own
    // plateau sway): the angle keeps turning at a few deg/s after a ramp has
    // arrived, over a speed threshold for up to a second. With a gyro, a hold
    // is timed from where the ramps into and out of it brake: over every tilt
    // hold of five seeds, p90 within 0.25 s (0.22 s; 0.29 s by the speed
    // threshold alone).
    let (p90, at) = swaying_hold_p90(
        &[
            "back-extension",
            "ball-bridge",
            "childs-pose",
            "cobra",
            "hamstring-stretch",
            "knees-to-chest",
            "pectoral-stretch",
            "pelvic-tilt",
            "prone-leg-raise",
            "prone-scapular-squeeze",
            "supine-leg-raise",
            "upright-back-stretch",
            "wall-slide",
        ],
        5,
    );
    assert!(p90 <= 0.25, "tilt holds: p90 {p90:.2} s, {at}");
    // Planks and side planks, measured from upright, come in by a slow 12-15
    // deg ramp that a 1.7 deg sway hides more of: over ten seeds, p90 0.53 s
    // (0.64 s by the still threshold and its lead alone).
    let (p90, at) = swaying_hold_p90(&["plank", "side-plank"], 10);
    assert!(p90 <= 0.6, "planks: p90 {p90:.2} s, {at}");
}

#[test]
fn a_swaying_wearer_settling_into_the_starting_position_counts_the_first_rep() {
    // Lying flat, then knees bent: the thigh settles about 43 deg from the rest
    // pose found lying flat, the edge of "far beyond the band" (15 + 3 + 25
    // deg), and the first pelvic tilt comes 4.5 s later. Swaying, the angle
    // dips under the edge and turns at up to 4 deg/s: judged by angular speed,
    // the wearer never settled there before the first rep, which was lost.
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("firmware-sim/scenarios/pelvic-tilt.toml");
    for seed in [11, 18, 23] {
        let (samples, truth, side) = recorded_restless(&path, seed, 50.0, false, Restless::Sway);
        let report = analyze::reps(&builtin("pelvic-tilt").unwrap(), &samples, side, None);
        assert_eq!(
            report.reps.len(),
            truth.reps.len(),
            "seed {seed}: {report:#?}"
        );
        let first = &truth.reps[0];
        assert!(
            (report.reps[0].start_s - first.start_s).abs() < 1.0,
            "seed {seed}: first rep at {} s, truth {} s",
            report.reps[0].start_s,
            first.start_s
        );
    }
}

#[test]
fn shoulder_rolls_count_exactly() {
    // Rolls swing the chest about the neutral pose the wearer starts, pauses
    // and ends at: each direction's first half swing goes out from it and its
    // last comes back, and the two together are no rep. At 12.5 Hz, the
    // sensors' noise between the sets lies all inside the movement band.
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("firmware-sim/scenarios/shoulder-rolls.toml");
    for seed in SEEDS {
        for (rate, accel_only) in [(50.0, false), (200.0, true), (12.5, false)] {
            let (samples, truth, _) = recorded_at(&path, seed, rate, accel_only);
            let report = analyze::reps(&builtin("shoulder-rolls").unwrap(), &samples, None, None);
            assert_eq!(
                report.reps.len(),
                truth.reps.len(),
                "seed {seed} at {rate} Hz, accel only {accel_only}"
            );
        }
    }
    // At 10 Hz without a gyro, seed 5's first stretch runs from the wearer
    // getting into position to the rest after the second set: only its end
    // rests at the middle, and the last roll's half swing back to it counted
    // as a roll of its own (121) while the start was not at rest either.
    let (samples, truth, _) = recorded_at(&path, 5, 10.0, true);
    let report = analyze::reps(&builtin("shoulder-rolls").unwrap(), &samples, None, None);
    assert_eq!(
        report.reps.len(),
        truth.reps.len(),
        "seed 5 at 10 Hz, accel only"
    );
}

#[test]
fn desk_hour_slouches_are_found_and_alerted() {
    let (samples, truth, _) = recorded("desk-hour", 1);
    let report = analyze::posture(PostureConfig::default(), &samples, None);
    // Every slouch of the truth is an episode with an alert 60 s in (the delay)...
    for want in &truth.slouches {
        let got = report
            .episodes
            .iter()
            .find(|e| (e.start_s - want.start_s).abs() < 3.0 && (e.end_s - want.end_s).abs() < 3.0)
            .unwrap_or_else(|| panic!("{want:?} not in {:#?}", report.episodes));
        assert!((got.peak_deg - want.peak_deg).abs() < 3.0, "{got:?}");
        assert!(
            got.alert_s
                .is_some_and(|a| (a - got.start_s - 60.0).abs() < 0.1)
        );
    }
    // ...and nothing else alerts: walks, sitting, the stretch break.
    assert_eq!(report.alerts as usize, truth.slouches.len());
}

#[test]
fn shoulder_rolls_turning_from_forward_to_backward_with_a_restless_wearer() {
    // Rolls forward, a 3 s pause, rolls backward, three times, by a wearer who
    // sways or breathes throughout: the pause at the roll's middle, eased into
    // and out of with a sway or a breath on top, is no roll. Sway seed 4
    // counted 124 of 120 and breathing seed 6 125 before swings of up to 0.26
    // of a roll in such a pause counted as breaths (`MIDDLE_BREATHS`). Sway
    // seeds 6 and 15 and breathing seeds 4 and 6 then counted 121-122: a pause
    // that is one slow cycle, beside rolls the sway made smaller than 0.8 of
    // the set's; sway seed 10 119: its last forward roll, slowed into the
    // pause, taken for one. What tells them apart is that the pause holds
    // still about its turn (`PAUSE_DWELL`). Sway seed 24 and breathing seeds
    // 25 and 30 counted 121: a set's last roll ends in half a swing back to
    // neutral, into the rest between sets, which counted as a roll until it
    // could ease into the rest (`MIDDLE_BREATHS.eased`). Breathing seeds 15,
    // 18 and 21 and sway seed 27 counted 119: the breaths before a set's first
    // roll joined it into a cycle as long as a rest, dropped with it, until a
    // cycle started where its movement leaves for the last time
    // (`moving_ends`). Sway seeds 23, 31 and 55 (126, 121 and 125) and
    // breathing seed 45 (123) swayed or breathed at the start of the
    // recording, so that end of the stretch did not rest: the movement was
    // not taken to be about a middle, though the other end rested there, and
    // the pauses between forward and backward rolls counted, until an end
    // still moving stopped telling against it. Sway seed 19 (122) and
    // breathing seeds 16 and 29 (121, 122) rested at the middle at both ends,
    // but a sway or a breath there, before the first roll and after the last,
    // was taken for the movement's first and last half swings, which do not
    // turn about the rest, so that the movement was not about a middle either,
    // until the rest was judged where the sway ends (`rests_between`). Still
    // off by one or more, with swaying, breathing and mixed starts: 3, 0 and 2
    // seeds of 30 (`sim_holds 30 --start sway`), 10, 5 and 7 of 80.
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("firmware-sim/scenarios/shoulder-rolls.toml");
    for (restless, seed) in [
        (Restless::Sway, 1),
        (Restless::Sway, 4),
        (Restless::Sway, 6),
        (Restless::Sway, 10),
        (Restless::Sway, 15),
        (Restless::Sway, 19),
        (Restless::Sway, 23),
        (Restless::Sway, 24),
        (Restless::Sway, 27),
        (Restless::Sway, 31),
        (Restless::Sway, 55),
        (Restless::Breathing, 1),
        (Restless::Breathing, 4),
        (Restless::Breathing, 6),
        (Restless::Breathing, 15),
        (Restless::Breathing, 16),
        (Restless::Breathing, 18),
        (Restless::Breathing, 21),
        (Restless::Breathing, 25),
        (Restless::Breathing, 29),
        (Restless::Breathing, 30),
        (Restless::Breathing, 45),
    ] {
        let (samples, truth, _) = recorded_restless(&path, seed, 50.0, false, restless);
        let report = analyze::reps(&builtin("shoulder-rolls").unwrap(), &samples, None, None);
        let spans: Vec<_> = report.reps.iter().map(|r| (r.start_s, r.end_s)).collect();
        assert_eq!(
            report.reps.len(),
            truth.reps.len(),
            "{restless:?} seed {seed}: {} of {}: {spans:?}",
            report.reps.len(),
            truth.reps.len()
        );
    }
}
