//! Settled counts of synthetic physiotherapy sets shaped like physio-pt's: slow
//! reps, then fast ones, then low-amplitude ones, with the generic `reps` spec.
//! Every combination of the shapes below, with the gyro at 25 Hz and as an
//! H10 (accelerometer only, 200 Hz, 0.01 g noise), and the miscounted ones
//! named with what was withdrawn.
//!
//! ```text
//! cargo run --release --example synth_groups            # the summary
//! cargo run --release --example synth_groups -- --list  # and every miscounted set
//! cargo run --release --example synth_groups -- --dump DIR  # and write them there
//! ```
//!
//! `--dump DIR` writes each miscounted set as a recording, for
//! `postured analyze -e reps -i DIR/FILE.csv --plot out.svg`.
//!
//! The shapes: 3 or 10 reps a group (a template, a test set); slow reps of 30,
//! 45 or 60 deg lasting 5 or 8 s; fast ones at 0.9 times that size and 0.37 or
//! 0.5 times that period; low-amplitude ones at 0.25, 0.4 or 0.55 times the
//! size and 0.8 or 1 times the period (physio-pt's, measured on its test sets
//! from the counted reps: fast 0.37-0.58 of the period, low-amplitude
//! 0.23-0.78 of the size); 0, 0.5 or 1.5 s still between the groups; a
//! steady wearer (every rep of a group alike, 3 s still before and after the
//! set) or a varied one (each rep's angle and period its own, up to 15% either
//! way, and breathing before and after the set).

use std::io::Write;
use std::path::{Path, PathBuf};

use postured::exercises::builtin;
use postured::motion::{Counter, Sample};
use postured::synth::{Motion, Rng, Sensor};

/// `n` swings out to `angle` and back, `period` seconds each; where `vary`
/// gives a random source, each rep's angle and period are its own, up to
/// [`VARY`] either way.
fn swings(mut m: Motion, n: u32, angle: f64, period: f64, vary: &mut Option<Rng>) -> Motion {
    for _ in 0..n {
        let mut by = || {
            vary.as_mut()
                .map_or(1.0, |r| 1.0 + VARY * (2.0 * r.uniform() - 1.0))
        };
        let (angle, period) = (angle * by(), period * by());
        m = m.rep(angle, period * 0.45, period * 0.1, period * 0.45);
    }
    m
}

/// How far a varied wearer's reps stray from each other, in angle and in
/// period: up to this fraction either way.
const VARY: f64 = 0.15;

/// Before or after the set: 3 s still; or, where the wearer `breathes`, 4 s
/// of breathing (or swaying), +-0.5 deg at 0.25 Hz.
fn settled(m: Motion, breathes: bool) -> Motion {
    if !breathes {
        return m.rest(3.0);
    }
    m.ramp(0.5, 2.0).ramp(-0.5, 2.0).ramp(0.0, 0.5)
}

/// `samples` as a recording `postured analyze` reads (with gyro columns where
/// the strap has a gyro).
fn write_csv(path: &Path, samples: &[Sample]) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    let gyro = samples.first().is_some_and(|s| s.gyro.is_some());
    writeln!(f, "t,ax,ay,az{}", if gyro { ",gx,gy,gz" } else { "" })?;
    for s in samples {
        let [ax, ay, az] = s.accel;
        write!(f, "{:.4},{ax},{ay},{az}", s.t)?;
        if let Some([gx, gy, gz]) = s.gyro {
            write!(f, ",{gx},{gy},{gz}")?;
        }
        writeln!(f)?;
    }
    f.flush()
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let list = args.iter().any(|a| a == "--list");
    let dump = match args.iter().position(|a| a == "--dump") {
        Some(i) => {
            let dir = PathBuf::from(args.get(i + 1).ok_or("--dump needs a folder")?);
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            Some(dir)
        }
        None => None,
    };
    let sensors = [
        (
            "gyro 25 Hz",
            Sensor {
                gyro: true,
                rate_hz: 25.0,
                ..Sensor::default()
            },
        ),
        (
            "H10 200 Hz",
            Sensor {
                rate_hz: 200.0,
                gyro: false,
                noise_g: 0.01,
                ..Sensor::default()
            },
        ),
    ];
    let spec = builtin("reps").expect("the generic reps spec is built in");
    // (what, value) -> (sets, miscounted)
    let mut by: Vec<(String, u32, u32)> = Vec::new();
    let mut tally = |key: String, bad: bool| match by.iter_mut().find(|(k, _, _)| *k == key) {
        Some(row) => {
            row.1 += 1;
            row.2 += u32::from(bad);
        }
        None => by.push((key, 1, u32::from(bad))),
    };
    let (mut total, mut missed) = (0, 0);
    for (k, shape) in shapes().into_iter().enumerate() {
        for (name, sensor) in &sensors {
            let samples = shape.motion(k as u64).render(sensor);
            let mut c = Counter::new(&spec, None, None).settled_only();
            c.push_batch(&samples);
            let s = c.settle();
            let got = s.reps.len() as u32;
            let bad = got != 3 * shape.n;
            total += 1;
            missed += u32::from(bad);
            let (n, big, slow, fast) = (shape.n, shape.big, shape.slow, shape.fast);
            let (small, small_d, pause) = (shape.small, shape.small_d, shape.pause);
            tally(format!("reps a group: {n}"), bad);
            tally(format!("fast reps' period: {fast}"), bad);
            tally(format!("low-amplitude size: {small}"), bad);
            tally(format!("low-amplitude period: {small_d}"), bad);
            tally(format!("still between groups: {pause} s"), bad);
            tally(format!("wearer: {}", shape.wearer()), bad);
            tally(format!("strap: {name}"), bad);
            if !bad {
                continue;
            }
            if let Some(dir) = &dump {
                let h10 = if sensor.gyro { "gyro" } else { "h10" };
                let varied = if shape.varied { "-varied" } else { "" };
                let file = format!(
                    "n{n}-big{big}-slow{slow}-fast{fast}-low{small}x{small_d}-still{pause}{varied}-{h10}.csv"
                );
                let path = dir.join(file);
                write_csv(&path, &samples).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            if list {
                let withdrawn: Vec<String> = s
                    .withdrawn
                    .iter()
                    .map(|w| {
                        format!(
                            "{} {:.1}-{:.1} s",
                            w.reason.as_str(),
                            w.rep.start_s,
                            w.rep.end_s
                        )
                    })
                    .collect();
                println!(
                    "{n} a group, {big} deg, {slow} s, fast {fast}, low {small} x {small_d}, \
                     still {pause} s, {}, {name}: {got} of {}; withdrawn: {}",
                    shape.wearer(),
                    3 * n,
                    withdrawn.join(", ")
                );
            }
        }
    }
    by.sort_by(|a, b| a.0.cmp(&b.0));
    println!("| shape | sets | miscounted |");
    println!("|---|---|---|");
    println!("| **all** | {total} | {missed} |");
    for (key, sets, bad) in by {
        println!("| {key} | {sets} | {bad} |");
    }
    Ok(())
}

/// One synthetic set's shape.
#[derive(Debug, Clone, Copy)]
struct Shape {
    /// Reps a group.
    n: u32,
    /// The slow reps' angle (deg) and period (s).
    big: f64,
    slow: f64,
    /// The fast reps' period, of the slow reps'.
    fast: f64,
    /// The low-amplitude reps' size and period, of the slow reps'.
    small: f64,
    small_d: f64,
    /// Still between the groups (s).
    pause: f64,
    /// Whether each rep's angle and period are its own and the wearer breathes
    /// before and after the set.
    varied: bool,
}

impl Shape {
    fn wearer(&self) -> &'static str {
        if self.varied { "varied" } else { "steady" }
    }

    /// The set, `seed` for the varied reps.
    fn motion(&self, seed: u64) -> Motion {
        let mut vary = self.varied.then(|| Rng::new(seed));
        let vary = &mut vary;
        let (n, big, slow, pause) = (self.n, self.big, self.slow, self.pause);
        let m = swings(settled(Motion::new(), self.varied), n, big, slow, vary);
        let m = swings(m.rest(pause), n, big * 0.9, slow * self.fast, vary);
        let m = swings(
            m.rest(pause),
            n,
            big * self.small,
            slow * self.small_d,
            vary,
        );
        settled(m, self.varied)
    }
}

/// Every shape.
fn shapes() -> Vec<Shape> {
    let mut out = Vec::new();
    for n in [3u32, 10] {
        for big in [30.0, 45.0, 60.0] {
            for slow in [5.0, 8.0] {
                for fast in [0.37, 0.5] {
                    for small in [0.25, 0.4, 0.55] {
                        for small_d in [0.8, 1.0] {
                            for pause in [0.0, 0.5, 1.5] {
                                for varied in [false, true] {
                                    out.push(Shape {
                                        n,
                                        big,
                                        slow,
                                        fast,
                                        small,
                                        small_d,
                                        pause,
                                        varied,
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out
}
