//! Properties of the detection core over generated motions: feeding samples in
//! chunks gives the same events as one at a time; the strap's mounting rotation
//! does not change the count; counts never go down.

use postured::exercises::builtin;
use postured::motion::{Counter, Monitor, PostureConfig, RepEvent};
use postured::synth::{Motion, Sensor};
use proptest::prelude::*;

fn motion(reps: &[(f64, f64)]) -> Motion {
    let mut m = Motion::new().rest(2.5);
    for &(angle, hold) in reps {
        m = m.rep(angle, 1.5, hold, 1.5).rest(2.5);
    }
    m
}

fn arb_reps() -> impl Strategy<Value = Vec<(f64, f64)>> {
    prop::collection::vec((12.0..24.0f64, 7.0..13.0f64), 1..5)
}

fn arb_rotation() -> impl Strategy<Value = [f64; 3]> {
    (-3.1..3.1f64, -3.1..3.1f64, -3.1..3.1f64).prop_map(|(a, b, c)| [a, b, c])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn chunking_does_not_change_events(
        reps in arb_reps(),
        chunks in prop::collection::vec(1usize..64, 1..20),
        seed in 0u64..1000,
        exercise in prop::sample::select(vec!["prone-leg-raise", "reps", "hold"]),
    ) {
        let samples = motion(&reps).render(&Sensor { seed, gyro: seed % 2 == 0, ..Sensor::default() });
        let spec = builtin(exercise).unwrap();
        let mut one = Counter::new(&spec, None, None);
        let mut expected = Vec::new();
        for s in &samples {
            expected.extend(one.push(s));
        }
        let mut batched = Counter::new(&spec, None, None);
        let mut got = Vec::new();
        let mut rest = samples.as_slice();
        for n in chunks.iter().cycle() {
            if rest.is_empty() { break; }
            let (head, tail) = rest.split_at((*n).min(rest.len()));
            got.extend(batched.push_batch(head));
            rest = tail;
        }
        prop_assert_eq!(got, expected);

        let mut mon_one = Monitor::new(PostureConfig::default(), None);
        let mut mon_batch = Monitor::new(PostureConfig::default(), None);
        let a: Vec<_> = samples.iter().flat_map(|s| mon_one.push(s)).collect();
        let mut b = Vec::new();
        for chunk in samples.chunks(chunks[0]) {
            for s in chunk { mon_batch.push_into(s, &mut b); }
        }
        prop_assert_eq!(a, b);
    }

    #[test]
    fn mounting_rotation_does_not_change_the_count(
        reps in arb_reps(),
        mounting in arb_rotation(),
        seed in 0u64..1000,
        gyro in any::<bool>(),
    ) {
        let m = motion(&reps);
        let spec = builtin("prone-leg-raise").unwrap();
        let plain = Sensor { seed, gyro, ..Sensor::default() };
        let turned = Sensor { mounting, ..plain };
        let count = |s: &Sensor| {
            let mut c = Counter::new(&spec, None, None);
            c.push_batch(&m.render(s));
            c.reps()
        };
        prop_assert_eq!(count(&plain), reps.len() as u32);
        prop_assert_eq!(count(&turned), reps.len() as u32);
    }

    #[test]
    fn counts_never_go_down(reps in arb_reps(), seed in 0u64..1000, rate in 10.0..400.0f64) {
        let samples = motion(&reps).render(&Sensor { seed, rate_hz: rate, jitter: 0.2, ..Sensor::default() });
        let spec = builtin("prone-leg-raise").unwrap();
        let mut c = Counter::new(&spec, None, None);
        let mut last = 0;
        let mut numbers = Vec::new();
        for s in &samples {
            for e in c.push(s) {
                if let RepEvent::RepDone(r) = e { numbers.push(r.n); }
            }
            prop_assert!(c.reps() >= last);
            last = c.reps();
        }
        prop_assert_eq!(numbers, (1..=last).collect::<Vec<_>>());
    }
}
