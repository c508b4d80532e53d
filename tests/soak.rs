//! A short run of `cargo run --release --example soak`: link drops, adapter
//! power cycles, battery-outs, H10 stop indications and silent streams against
//! firmware-sim behaving like BlueZ and an H10, with the bus's match rules and
//! our memory flat, nothing duplicated, every gap marked and every resume within
//! 2 s.

mod common;

#[allow(dead_code, reason = "the example's main and helpers are not used here")]
#[path = "../examples/soak.rs"]
mod soak;

#[test]
fn a_short_soak_keeps_rules_and_memory_flat_and_resumes_within_two_seconds() {
    common::on_private_bus("inner_soak");
}

#[test]
#[ignore = "run by a_short_soak_keeps_rules_and_memory_flat_and_resumes_within_two_seconds on its private bus"]
fn inner_soak() {
    if !common::is_inner() {
        return;
    }
    let plan = soak::Plan {
        drops: 120,
        power_cycles: 6,
        battery_outs: 4,
        stalls: 3,
    };
    let report = common::runtime().block_on(soak::soak(plan));
    println!("{}", serde_json::to_string(&report).unwrap());
    assert!(report.passed(), "{report:?}");
}
