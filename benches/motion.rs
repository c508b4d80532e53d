//! Throughput of the detection core: orientation + counting + posture over an
//! hour of 200 Hz samples. `cargo bench --bench motion`.

use divan::{Bencher, black_box, counter::ItemsCount};
use postured::exercises::builtin;
use postured::motion::{Counter, Monitor, PostureConfig, Sample, Tracker};
use postured::synth::{Motion, Sensor};

fn main() {
    divan::main();
}

/// An hour at 200 Hz with gyro: leg raises, slouches and walks.
fn hour() -> Vec<Sample> {
    let mut m = Motion::new().rest(5.0);
    while m.duration() < 3600.0 {
        m = m
            .rep(16.0, 1.5, 10.0, 1.5)
            .rest(3.0)
            .slouch(20.0, 2.0, 40.0)
            .rest(10.0)
            .walk(20.0)
            .rest(5.0);
    }
    m.render(&Sensor {
        rate_hz: 200.0,
        gyro: true,
        ..Sensor::default()
    })
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
