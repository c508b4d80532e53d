//! Throughput of the detection core: orientation + counting + posture over an
//! hour of 200 Hz samples. `cargo bench --bench motion`.

use divan::{Bencher, black_box, counter::ItemsCount};
use postured::exercises::builtin;
use postured::motion::{Counter, Monitor, PostureConfig, Sample, Tracker};

fn main() {
    divan::main();
}

fn hour() -> Vec<Sample> {
    postured::synth::mixed_hour()
}

#[divan::bench(sample_count = 10)]
fn tilt_counter_and_posture_one_hour_200hz(b: Bencher) {
    let samples = hour();
    let spec = builtin("prone-leg-raise").unwrap();
    b.counter(ItemsCount::new(samples.len())).bench(|| {
        let mut tracker = Tracker::new();
        let mut counter = Counter::new(&spec, None, None);
        let mut monitor = Monitor::new(PostureConfig::default(), None);
        let (mut reps, mut posture) = (Vec::new(), Vec::new());
        for s in &samples {
            if let Some(frame) = tracker.update(s) {
                counter.update(&frame, &mut reps);
                monitor.update(&frame, &mut posture);
            }
        }
        black_box((reps.len(), posture.len()))
    });
}

#[divan::bench(sample_count = 10)]
fn cycle_counter_one_hour_200hz(b: Bencher) {
    let samples = hour();
    let spec = builtin("reps").unwrap();
    b.counter(ItemsCount::new(samples.len())).bench(|| {
        let mut counter = Counter::new(&spec, None, None);
        black_box(counter.push_batch(&samples).len())
    });
}
