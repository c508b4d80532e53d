//! The rep counter on real data nobody here made: 57 barbell sets recorded with a
//! MetaMotion wrist IMU (../shared/data/barbell-metamotion). Pins the accuracy
//! reached so far so that a change that makes it worse fails; the full table is
//! `cargo run --release --example score_barbell`.

#[path = "../examples/barbell/score.rs"]
mod score;

#[test]
fn per_lift_specs_keep_their_accuracy_on_the_barbell_sets() {
    let dir = score::default_dir();
    let sets =
        score::load(&dir).unwrap_or_else(|e| panic!("barbell data at {}: {e}", dir.display()));
    assert_eq!(sets.iter().filter(|s| s.exercise != "rest").count(), 57);
    let counted: Vec<i64> = sets
        .iter()
        .map(|s| score::count(s, &score::spec_for(&s.exercise, false)))
        .collect();
    let (exact, one, n) = score::tally(&sets, &counted, |s| s.exercise != "rest");
    // Measured: 50/57 exact (88%), 54/57 within one (95%). The published simple
    // counter gets 68% and 86%. Three sets hold fewer reps than their label (see
    // docs/barbell-labels.md), so 100% within one is out of reach honestly.
    assert!(exact >= 50, "exact {exact}/{n}");
    let off: Vec<_> = sets
        .iter()
        .zip(&counted)
        .filter(|(s, c)| s.exercise != "rest" && (*c - s.nominal).abs() > 1)
        .map(|(s, c)| format!("{} {}/{}", s.file, c, s.nominal))
        .collect();
    assert!(one >= 54, "within one {one}/{n}; off by more: {off:?}");
    let (heavy_exact, heavy_one, heavy_n) =
        score::tally(&sets, &counted, |s| s.category == "heavy");
    assert_eq!(
        heavy_one, heavy_n,
        "every heavy set within one ({heavy_exact} exact)"
    );
}
