//! The real recordings that the score and the tests count: the two data sets in the
//! repository's `data/` and, when present, the barbell sets (no licence, so kept
//! outside: `$POSTURED_BARBELL_DATA` or `../shared/data/barbell-metamotion`).

#![allow(dead_code, reason = "the example and the test each use a part")]

use std::path::{Path, PathBuf};

use postured::exercises::{self, ExerciseSpec};
use postured::motion::settle::GAP_S;
use postured::motion::{Counter, Orientation, Sample};

/// One recorded set with its label.
#[derive(Debug)]
pub struct Set {
    /// `shoulder-physio-watch`, `physio-pt` or `barbell-metamotion`.
    pub data: &'static str,
    pub file: String,
    pub exercise: String,
    /// The reps the set holds: the protocol's, or the barbell's `counted_reps`.
    pub reps: i64,
    pub samples: Vec<Sample>,
}

/// The repository's data folder.
pub fn repo_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// Where the barbell sets are, if anywhere.
pub fn barbell_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("POSTURED_BARBELL_DATA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/barbell-metamotion"),
        PathBuf::from,
    );
    dir.join("manifest.csv").is_file().then_some(dir)
}

fn manifest(dir: &Path) -> Result<Vec<csv::StringRecord>, String> {
    let path = dir.join("manifest.csv");
    let mut rdr = csv::Reader::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let headers = rdr.headers().map_err(|e| e.to_string())?.clone();
    let mut rows = vec![headers];
    for r in rdr.records() {
        rows.push(r.map_err(|e| format!("{}: {e}", path.display()))?);
    }
    Ok(rows)
}

fn field<'a>(headers: &csv::StringRecord, row: &'a csv::StringRecord, name: &str) -> &'a str {
    headers
        .iter()
        .position(|h| h == name)
        .and_then(|i| row.get(i))
        .unwrap_or("")
}

/// Loads one data set: `data` is its folder name under `dir`'s parent.
pub fn load(data: &'static str, dir: &Path) -> Result<Vec<Set>, String> {
    let rows = manifest(dir)?;
    let headers = &rows[0];
    let mut sets = Vec::new();
    for row in &rows[1..] {
        let file = field(headers, row, "file").to_owned();
        let plain = dir.join("sets").join(&file);
        let path = if plain.is_file() {
            plain
        } else {
            dir.join("sets").join(format!("{file}.gz"))
        };
        let rec = postured::recording::read(&path).map_err(|e| e.to_string())?;
        let exercise = field(headers, row, "exercise").to_owned();
        let reps = if data == "barbell-metamotion" {
            let counted = field(headers, row, "counted_reps");
            let nominal = field(headers, row, "nominal_reps");
            if exercise == "rest" {
                "0"
            } else if counted.is_empty() {
                nominal
            } else {
                counted
            }
        } else {
            field(headers, row, "reps")
        };
        let exercise = match field(headers, row, "unit_rank") {
            "" => exercise,
            rank => format!("{exercise} (unit {rank})"),
        };
        sets.push(Set {
            data,
            file,
            exercise,
            reps: reps
                .parse()
                .map_err(|e| format!("{}: reps {reps:?}: {e}", dir.display()))?,
            samples: rec.samples,
        });
    }
    Ok(sets)
}

/// The reps a spec counts in a set, settled as `postured analyze` reports them;
/// `accel_only` drops the gyro first, as on a strap without one.
pub fn count(set: &Set, spec: &ExerciseSpec, accel_only: bool) -> i64 {
    count_samples(&set.samples, spec, accel_only)
}

/// [`count`] on any samples (a [`Variant`] of a set's).
pub fn count_samples(samples: &[Sample], spec: &ExerciseSpec, accel_only: bool) -> i64 {
    count_as(samples, spec, accel_only, Counted::Settled)
}

/// Which of a set's counts to score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// As `postured analyze` reports it, once the set is over.
    Settled,
    /// As the wearer saw it while the set went on, before it settled.
    Live,
}

/// [`count_samples`], the count `counted`.
pub fn count_as(
    samples: &[Sample],
    spec: &ExerciseSpec,
    accel_only: bool,
    counted: Counted,
) -> i64 {
    let mut counter = Counter::new(spec, None, None);
    if counted == Counted::Settled {
        counter = counter.settled_only();
    }
    if accel_only {
        let samples: Vec<Sample> = samples
            .iter()
            .map(|s| Sample::accel(s.t, s.accel))
            .collect();
        counter.push_batch(&samples);
    } else {
        counter.push_batch(samples);
    }
    match counted {
        Counted::Settled => counter.settle().reps.len() as i64,
        Counted::Live => i64::from(counter.reps()),
    }
}

/// The generic spec every set is scored with.
pub fn generic() -> ExerciseSpec {
    exercises::builtin("reps").expect("built-in reps")
}

/// (exact, within one, sets).
pub fn tally<'a>(pairs: impl Iterator<Item = (&'a Set, i64)>) -> (usize, usize, usize) {
    pairs.fold((0, 0, 0), |t, (s, c)| {
        (
            t.0 + usize::from(c == s.reps),
            t.1 + usize::from((c - s.reps).abs() <= 1),
            t.2 + 1,
        )
    })
}

/// The same recording as another strap or another start would give it: what a
/// count must not depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// As recorded.
    AsIs,
    /// The strap mounted turned (40 deg about a slanted axis).
    Turned,
    /// Resampled to 100 Hz (linear interpolation).
    Rate100,
    /// Resampled to 12.5 Hz (each output sample the mean of the input's since
    /// the last one).
    Rate12,
    /// 6 s of breathing-like stillness before and after the set.
    Padded,
    /// The accelerometer's noise of a cheap strap added (0.02 g RMS).
    Noisy,
    /// 2.5 s of samples lost in the middle of the set (a link that dropped).
    Dropped,
    /// Done a third slower (every time 1.35 times as long), at the same rate.
    Slower,
    /// Done a third faster (every time 0.75 times as long), at the same rate.
    /// Both tempo variants stretch time and scale the gyro's rates by 1/k to
    /// match, and the linear part of the acceleration (what is left once
    /// gravity, as the strap's orientation estimate has it, is taken out) by
    /// 1/k^2.
    Faster,
}

impl Variant {
    pub const ALL: [Self; 9] = [
        Self::AsIs,
        Self::Turned,
        Self::Rate100,
        Self::Rate12,
        Self::Padded,
        Self::Noisy,
        Self::Dropped,
        Self::Slower,
        Self::Faster,
    ];

    /// The variant named `key` (`turned`, `rate100`, `rate12`, `padded`, `noisy`,
    /// `dropped`, `slower`, `faster`).
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.key() == key)
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::AsIs => "as-is",
            Self::Turned => "turned",
            Self::Rate100 => "rate100",
            Self::Rate12 => "rate12",
            Self::Padded => "padded",
            Self::Noisy => "noisy",
            Self::Dropped => "dropped",
            Self::Slower => "slower",
            Self::Faster => "faster",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::AsIs => "as recorded",
            Self::Turned => "strap turned 40 deg",
            Self::Rate100 => "resampled to 100 Hz",
            Self::Rate12 => "resampled to 12.5 Hz",
            Self::Padded => "6 s still before and after",
            Self::Noisy => "accelerometer noise 0.02 g",
            Self::Dropped => "2.5 s lost mid-set",
            Self::Slower => "done slower (1.35 times as long)",
            Self::Faster => "done faster (0.75 times as long)",
        }
    }

    /// `samples` as this variant would record them.
    pub fn apply(self, samples: &[Sample]) -> Vec<Sample> {
        match self {
            Self::AsIs => samples.to_vec(),
            Self::Turned => {
                let r = rotation([1.0, 2.0, 0.5], 40f64.to_radians());
                samples
                    .iter()
                    .map(|s| Sample {
                        t: s.t,
                        accel: mul(&r, s.accel),
                        gyro: s.gyro.map(|g| mul(&r, g)),
                    })
                    .collect()
            }
            Self::Rate100 => resample(samples, 100.0),
            Self::Rate12 => resample(samples, 12.5),
            Self::Padded => pad(samples, 6.0),
            Self::Noisy => {
                let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
                samples
                    .iter()
                    .map(|s| Sample {
                        accel: s.accel.map(|v| v + 0.02 * noise.gauss()),
                        ..*s
                    })
                    .collect()
            }
            Self::Dropped => {
                let (first, last) = (samples[0].t, samples[samples.len() - 1].t);
                let from = (first + last) / 2.0;
                samples
                    .iter()
                    .filter(|s| s.t < from || s.t >= from + 2.5)
                    .copied()
                    .collect()
            }
            Self::Slower => retimed(samples, 1.35),
            Self::Faster => retimed(samples, 0.75),
        }
    }
}

/// `samples` done `k` times as slowly, at the recording's own rate: time
/// stretched by `k`, rotation rates by 1/k, linear acceleration by 1/k^2.
fn retimed(samples: &[Sample], k: f64) -> Vec<Sample> {
    let Some(first) = samples.first() else {
        return Vec::new();
    };
    let mut gaps: Vec<f64> = samples.windows(2).map(|w| w[1].t - w[0].t).collect();
    gaps.sort_by(f64::total_cmp);
    let hz = 1.0 / gaps.get(gaps.len() / 2).copied().unwrap_or(0.02).max(1e-3);
    let mut gravity = Orientation::new();
    let stretched: Vec<Sample> = samples
        .iter()
        .map(|s| {
            let accel = match gravity.update(s) {
                Some((_, up)) => std::array::from_fn(|i| up[i] + (s.accel[i] - up[i]) / (k * k)),
                None => s.accel,
            };
            Sample {
                t: first.t + (s.t - first.t) * k,
                accel,
                gyro: s.gyro.map(|g| g.map(|v| v / k)),
            }
        })
        .collect();
    resample(&stretched, hz)
}

type Mat = [[f64; 3]; 3];

/// Rodrigues' rotation of `angle` about `axis`.
fn rotation(axis: [f64; 3], angle: f64) -> Mat {
    let n = axis.iter().map(|v| v * v).sum::<f64>().sqrt();
    let [x, y, z] = axis.map(|v| v / n);
    let (s, c) = angle.sin_cos();
    let t = 1.0 - c;
    [
        [t * x * x + c, t * x * y - s * z, t * x * z + s * y],
        [t * x * y + s * z, t * y * y + c, t * y * z - s * x],
        [t * x * z - s * y, t * y * z + s * x, t * z * z + c],
    ]
}

fn mul(m: &Mat, v: [f64; 3]) -> [f64; 3] {
    std::array::from_fn(|i| (0..3).map(|k| m[i][k] * v[k]).sum())
}

/// Evenly resampled at `hz`: interpolated when faster than the recording,
/// averaged over each interval when slower (as a strap's own filter would).
/// Gaps in the recording stay gaps.
fn resample(samples: &[Sample], hz: f64) -> Vec<Sample> {
    let (Some(first), Some(last)) = (samples.first(), samples.last()) else {
        return Vec::new();
    };
    let n = ((last.t - first.t) * hz).floor() as usize + 1;
    let gyro = first.gyro.is_some();
    let lerp = |a: [f64; 3], b: [f64; 3], f: f64| std::array::from_fn(|i| a[i] + f * (b[i] - a[i]));
    let mut out = Vec::with_capacity(n);
    let mut j = 0usize;
    for k in 0..n {
        let t = first.t + k as f64 / hz;
        let from = t - 0.5 / hz;
        let to = t + 0.5 / hz;
        let inside: Vec<&Sample> = samples[j.saturating_sub(1)..]
            .iter()
            .skip_while(|s| s.t < from)
            .take_while(|s| s.t < to)
            .collect();
        while j + 1 < samples.len() && samples[j + 1].t <= t {
            j += 1;
        }
        let (accel, g) = if inside.len() >= 2 {
            let m = inside.len() as f64;
            let mean = |f: &dyn Fn(&Sample) -> [f64; 3]| {
                let sum = inside.iter().fold([0.0; 3], |a, s| {
                    let v = f(s);
                    [a[0] + v[0], a[1] + v[1], a[2] + v[2]]
                });
                sum.map(|v| v / m)
            };
            (mean(&|s| s.accel), mean(&|s| s.gyro.unwrap_or_default()))
        } else {
            let a = &samples[j];
            let b = samples.get(j + 1).unwrap_or(a);
            if b.t - a.t > GAP_S && t > a.t && t < b.t {
                continue; // a gap in the recording stays one
            }
            let f = if b.t > a.t {
                ((t - a.t) / (b.t - a.t)).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (
                lerp(a.accel, b.accel, f),
                lerp(a.gyro.unwrap_or_default(), b.gyro.unwrap_or_default(), f),
            )
        };
        out.push(Sample {
            t,
            accel,
            gyro: gyro.then_some(g),
        });
    }
    out
}

/// `secs` of stillness (the first and last samples' pose, breathing at 0.25 Hz
/// and a little sensor noise) before and after. Still, a strap reads 1 g along
/// its up direction: a set cut mid-movement starts and ends with the strap
/// accelerating, and holding that reading for seconds would be a strap
/// accelerating all that time, not one at rest.
fn pad(samples: &[Sample], secs: f64) -> Vec<Sample> {
    let (Some(first), Some(last)) = (samples.first(), samples.last()) else {
        return Vec::new();
    };
    let dt = (last.t - first.t) / (samples.len() - 1).max(1) as f64;
    let mut noise = Noise(0x2545_f491_4f6c_dd1d);
    let mut still = |at: &Sample, t: f64| {
        let breath = 0.004 * (std::f64::consts::TAU * 0.25 * t).sin();
        let g = at.accel.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-9);
        Sample {
            t,
            accel: at
                .accel
                .map(|v| v / g * (1.0 + breath) + 0.003 * noise.gauss()),
            gyro: at
                .gyro
                .map(|_| std::array::from_fn(|_| 0.3 * noise.gauss())),
        }
    };
    let k = (secs / dt).round() as usize;
    let mut out: Vec<Sample> = (0..k)
        .map(|i| still(first, first.t - (k - i) as f64 * dt))
        .collect();
    out.extend_from_slice(samples);
    out.extend((1..=k).map(|i| still(last, last.t + i as f64 * dt)));
    out
}

/// A small deterministic normal noise source (xorshift, Box-Muller).
struct Noise(u64);

impl Noise {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn gauss(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}
