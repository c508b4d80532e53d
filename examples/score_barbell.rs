//! Scores the rep counter on the real barbell sets (a MetaMotion IMU on the
//! wrist, 12.5 Hz; 57 sets nobody here made): counted reps against each set's
//! nominal count. The data is not in this repository: it is read from
//! `$POSTURED_BARBELL_DATA`, else `../shared/data/barbell-metamotion`, and the
//! example fails saying so when it is not there.
//!
//! ```text
//! cargo run --release --example score_barbell              # one spec per lift
//! cargo run --release --example score_barbell -- --generic # the built-in `reps`
//! cargo run --release --example score_barbell -- --grid    # search each lift's parameters
//! cargo run --release --example score_barbell -- --data DIR
//! cargo run --example score_barbell -- --check             # fail below the pinned accuracy
//! ```
//!
//! `--check` is the accuracy test (it was `tests/barbell.rs`): it pins what was
//! reached so a change that makes it worse fails. `scripts/test.sh` runs it when
//! the data is there and says loudly when it is not.

#[path = "barbell/score.rs"]
mod score;

use std::path::PathBuf;

use postured::exercises::Measure;
use score::{Set, count, spec_for, tally};

const LIFTS: [&str; 5] = ["bench", "dead", "ohp", "row", "squat"];

/// Searches each lift's cycle parameters on the sets; prints the best found.
fn grid(sets: &[Set]) {
    for lift in LIFTS {
        let mine: Vec<_> = sets.iter().filter(|s| s.exercise == lift).collect();
        let mut best = (0, 0, String::new());
        for cutoff_hz in [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.5, 2.0] {
            for hysteresis in [0.3, 0.5, 0.7, 0.9, 1.2, 1.5, 2.0] {
                for min_amplitude_g in [0.0, 0.01, 0.02, 0.04, 0.06] {
                    for min_rep_s in [0.8, 1.0, 1.2, 1.5, 1.8, 2.2] {
                        let mut spec = spec_for(lift, false);
                        let Measure::Cycles { axis, settle, .. } = spec.measure else {
                            continue;
                        };
                        spec.measure = Measure::Cycles {
                            cutoff_hz,
                            min_amplitude_g,
                            hysteresis,
                            axis,
                            settle,
                        };
                        spec.target.min_rep_s = min_rep_s;
                        let d: Vec<_> = mine
                            .iter()
                            .map(|s| (count(s, &spec) - s.nominal).abs())
                            .collect();
                        let exact = d.iter().filter(|d| **d == 0).count();
                        let one = d.iter().filter(|d| **d <= 1).count();
                        if (exact, one) > (best.0, best.1) {
                            best = (
                                exact,
                                one,
                                format!(
                                    "cutoff_hz = {cutoff_hz}, hysteresis = {hysteresis}, min_amplitude_g = {min_amplitude_g}, min_rep_s = {min_rep_s}"
                                ),
                            );
                        }
                    }
                }
            }
        }
        println!(
            "{lift}: {}/{} exact, {} within one: {}",
            best.0,
            mine.len(),
            best.1,
            best.2
        );
    }
}

/// The per-lift specs keep their accuracy on the barbell sets.
fn check(sets: &[Set]) -> anyhow::Result<()> {
    let exercise_sets = sets.iter().filter(|s| s.exercise != "rest").count();
    anyhow::ensure!(exercise_sets == 57, "{exercise_sets} exercise sets, not 57");
    let counted: Vec<i64> = sets
        .iter()
        .map(|s| count(s, &spec_for(&s.exercise, false)))
        .collect();
    let (exact, one, n) = tally(sets, &counted, |s| s.exercise != "rest");
    // Measured: 50/57 exact (88%), 54/57 within one (95%). The published simple
    // counter gets 68% and 86%. Three sets hold fewer reps than their label (see
    // docs/barbell-labels.md), so 100% within one is out of reach honestly.
    // D-squat-medium-2 (eight squats and the start of a ninth, labelled 10) read
    // 10 by two reps counted in its rest, which the squat spec's least swing
    // (0.01 g, as the other lifts') no longer counts (49 then); D-bench-medium-3
    // read 11 while a set resting at the top of its reps was counted at its tops
    // (2026-12-07: 50).
    anyhow::ensure!(exact >= 50, "exact {exact}/{n}");
    let off: Vec<_> = sets
        .iter()
        .zip(&counted)
        .filter(|(s, c)| s.exercise != "rest" && (*c - s.nominal).abs() > 1)
        .map(|(s, c)| format!("{} {}/{}", s.file, c, s.nominal))
        .collect();
    anyhow::ensure!(one >= 54, "within one {one}/{n}; off by more: {off:?}");
    let (heavy_exact, heavy_one, heavy_n) = tally(sets, &counted, |s| s.category == "heavy");
    anyhow::ensure!(
        heavy_one == heavy_n,
        "every heavy set within one: {heavy_one}/{heavy_n} ({heavy_exact} exact)"
    );
    println!("barbell check passed: {exact}/{n} exact, {one}/{n} within one");
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let generic = args.iter().any(|a| a == "--generic");
    let dir = args
        .iter()
        .position(|a| a == "--data")
        .and_then(|i| args.get(i + 1))
        .map_or_else(score::default_dir, PathBuf::from);
    let sets = score::load(&dir)?;
    if args.iter().any(|a| a == "--grid") {
        grid(&sets);
        return Ok(());
    }
    if args.iter().any(|a| a == "--check") {
        return check(&sets);
    }
    let counted: Vec<i64> = sets
        .iter()
        .map(|s| count(s, &spec_for(&s.exercise, generic)))
        .collect();
    println!(
        "{:<24} {:>7} {:>7} {:>5}",
        "set", "nominal", "counted", "diff"
    );
    for (s, c) in sets.iter().zip(&counted) {
        println!(
            "{:<24} {:>7} {:>7} {:>+5}",
            s.file,
            s.nominal,
            c,
            c - s.nominal
        );
    }
    println!("\n| sets | n | exact | within one |\n|---|---|---|---|");
    let row = |name: &str, keep: &dyn Fn(&Set) -> bool| {
        let (exact, one, n) = tally(&sets, &counted, keep);
        let pct = |k: usize| 100.0 * k as f64 / n.max(1) as f64;
        println!("| {name} | {n} | {:.0}% | {:.0}% |", pct(exact), pct(one));
    };
    row("all exercise sets", &|s| s.exercise != "rest");
    row("heavy (5 reps)", &|s| s.category == "heavy");
    row("medium (10 reps)", &|s| s.category == "medium");
    for lift in LIFTS {
        row(lift, &|s| s.exercise == lift);
    }
    row("rest (0 reps)", &|s| s.exercise == "rest");
    Ok(())
}
