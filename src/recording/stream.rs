//! Samples streamed from a recording one line at a time, in whichever format its
//! header names, in constant memory: a MetaWear accelerometer file is joined with
//! its gyroscope file as both are read.

use std::cell::Cell;
use std::collections::VecDeque;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::RecordingError;
use super::format::{self, Format, Layout, TimeUnit};
use super::table::{self, Lines};
use crate::motion::vec3::{add, angle_deg, norm, unit};
use crate::motion::{Sample, Vec3};

/// One line's time (in the file's own unit) and axes (scaled to g or deg/s).
#[derive(Debug, Clone, Copy)]
struct Row {
    time: f64,
    xyz: Vec3,
    gyro: Option<Vec3>,
}

/// One delimited file and its layout.
struct Table<'r> {
    lines: Lines<'r>,
    layout: Layout,
    path: PathBuf,
    /// The first nanosecond timestamp, which others are counted from.
    first_ns: Option<i64>,
    /// The layout's [`Layout::slots`], for the fast path.
    slots: Option<Vec<u8>>,
}

impl<'r> Table<'r> {
    fn open(src: Box<dyn Read + 'r>, path: &Path) -> Result<Self, RecordingError> {
        let mut lines = Lines::new(src);
        let io = |reason| RecordingError::Io {
            path: path.to_owned(),
            reason,
        };
        if !lines.advance().map_err(io)? {
            return Err(RecordingError::Empty {
                path: path.to_owned(),
            });
        }
        let layout = format::detect(&mut lines, path)?;
        Ok(Self {
            lines,
            slots: layout.slots(),
            layout,
            path: path.to_owned(),
            first_ns: None,
        })
    }

    fn next_row(&mut self) -> Result<Option<Row>, RecordingError> {
        let more = self.lines.advance().map_err(|reason| RecordingError::Io {
            path: self.path.clone(),
            reason,
        })?;
        if !more {
            return Ok(None);
        }
        let mut v = [0.0; format::SLOTS];
        let l = &self.layout;
        if let Some(slots) = &self.slots
            && self.lines.numbers(l.delimiter, slots, &mut v)
        {
            return Ok(Some(Row {
                time: v[0],
                xyz: [v[1] / l.divisor, v[2] / l.divisor, v[3] / l.divisor],
                gyro: l.gyro.map(|_| [v[4], v[5], v[6]]),
            }));
        }
        let width = self.lines.split(self.layout.delimiter);
        if width != self.layout.width {
            return Err(RecordingError::BadLine {
                path: self.path.clone(),
                line: self.lines.number(),
                reason: format!("{width} fields where the header has {}", self.layout.width),
            });
        }
        let time = self.time()?;
        let l = &self.layout;
        let axis = |i: usize| self.number(i).map(|v| v / l.divisor);
        let xyz = [axis(l.xyz[0])?, axis(l.xyz[1])?, axis(l.xyz[2])?];
        let gyro = match l.gyro {
            Some([x, y, z]) => Some([self.number(x)?, self.number(y)?, self.number(z)?]),
            None => None,
        };
        Ok(Some(Row { time, xyz, gyro }))
    }

    fn time(&mut self) -> Result<f64, RecordingError> {
        let i = self.layout.time;
        if self.layout.time_unit != TimeUnit::Nanos {
            return self.number(i);
        }
        let ns = table::integer(self.lines.field(i)).ok_or_else(|| self.bad_value(i))?;
        let first = *self.first_ns.get_or_insert(ns);
        Ok(ns.wrapping_sub(first) as f64)
    }

    fn number(&self, i: usize) -> Result<f64, RecordingError> {
        table::number(self.lines.field(i)).ok_or_else(|| self.bad_value(i))
    }

    fn bad_value(&self, i: usize) -> RecordingError {
        RecordingError::BadValue {
            path: self.path.clone(),
            line: self.lines.number(),
            column: self.layout.names[i].clone(),
            value: String::from_utf8_lossy(self.lines.field(i)).into_owned(),
        }
    }
}

/// A MetaWear gyroscope file read alongside its accelerometer file: the rate at
/// any accelerometer time, linearly interpolated between the gyroscope samples
/// around it (held at the first or last one outside them).
struct GyroJoin<'r> {
    table: Table<'r>,
    before: Option<(f64, Vec3)>,
    after: Option<(f64, Vec3)>,
}

impl GyroJoin<'_> {
    fn read(&mut self) -> Result<Option<(f64, Vec3)>, RecordingError> {
        while let Some(r) = self.table.next_row()? {
            // A repeated or backward time stamp cannot be interpolated across.
            if self.after.or(self.before).is_none_or(|(t, _)| r.time > t) {
                return Ok(Some((r.time, r.xyz)));
            }
        }
        Ok(None)
    }

    /// The rate at `time` (ms, the files' shared clock).
    fn at(&mut self, time: f64) -> Result<Vec3, RecordingError> {
        while let Some(next) = self.after.filter(|(t, _)| *t <= time) {
            self.before = Some(next);
            self.after = None;
            self.after = self.read()?;
        }
        Ok(match (self.before, self.after) {
            (Some((t0, a)), Some((t1, b))) => {
                let k = (time - t0) / (t1 - t0);
                [0, 1, 2].map(|i| a[i] + (b[i] - a[i]) * k)
            }
            (Some((_, v)), None) | (None, Some((_, v))) => v,
            (None, None) => [0.0; 3],
        })
    }
}

/// Standard gravity (m/s^2).
const STANDARD_GRAVITY: f64 = 9.806_65;
/// Samples of a postured CSV looked at to tell the unit of its acceleration.
const UNIT_SAMPLES: usize = 64;

/// What a postured CSV's acceleration is in, told from the median size of its
/// first [`UNIT_SAMPLES`]: a strap reads gravity, give or take its movement,
/// about 1 in g, 9.81 in m/s^2 (what many phone and data-set exports hold) or
/// 1000 in mg. The scale to g and what to tell the user; the file's unit is
/// g unless its size says otherwise clearly.
fn accel_unit(first: &[Sample]) -> (f64, Option<String>) {
    let mut sizes: Vec<f64> = first.iter().map(|s| norm(s.accel)).collect();
    if sizes.is_empty() {
        return (1.0, None);
    }
    sizes.sort_by(f64::total_cmp);
    let size = sizes[sizes.len() / 2];
    let g = STANDARD_GRAVITY;
    if (0.5..=2.0).contains(&size) {
        (1.0, None)
    } else if (0.5 * g..=2.0 * g).contains(&size) {
        let note = format!(
            "the acceleration's typical size is {size:.2}, where gravity would read 1 in g: taken as m/s^2 and divided by {g} (ax,ay,az are in g)"
        );
        (1.0 / g, Some(note))
    } else if (500.0..=2000.0).contains(&size) {
        let note = format!(
            "the acceleration's typical size is {size:.0}, where gravity would read 1 in g: taken as milli-g and divided by 1000 (ax,ay,az are in g)"
        );
        (1e-3, Some(note))
    } else {
        let note = format!(
            "the acceleration's typical size is {size:.3}, where gravity would read about 1 in g: check its unit (ax,ay,az are in g; gravity must be in them); counts and angles may be wrong"
        );
        (1.0, Some(note))
    }
}

/// What a postured CSV's time is in, told from the median spacing of its first
/// [`UNIT_SAMPLES`]: a strap samples at 1 to 2000 Hz, so samples 1 to 500
/// apart are milliseconds, 500 to 500 000 apart microseconds, and further
/// nanoseconds, as exports and loggers often keep them. The scale to seconds
/// and what to tell the user; the file's unit is seconds unless its spacing
/// says otherwise.
fn time_unit(first: &[Sample]) -> (f64, Option<String>) {
    let mut steps: Vec<f64> = first.windows(2).map(|w| w[1].t - w[0].t).collect();
    if steps.is_empty() {
        return (1.0, None);
    }
    steps.sort_by(f64::total_cmp);
    let step = steps[steps.len() / 2];
    let (scale, unit) = match step {
        s if s <= 1.0 => return (1.0, None),
        s if s <= 500.0 => (1e-3, "milliseconds"),
        s if s <= 5e5 => (1e-6, "microseconds"),
        _ => (1e-9, "nanoseconds"),
    };
    let note = format!(
        "samples come {step:.3} apart in `t`, too far for seconds: taken as {unit} and converted ({:.0} Hz; t is in seconds)",
        1.0 / (step * scale)
    );
    (scale, Some(note))
}

/// How long a postured CSV with gyro columns is read ahead at most to tell the
/// gyro's unit (s of its time, converted), and in samples.
const GYRO_LOOK_S: f64 = 30.0;
const GYRO_LOOK_SAMPLES: usize = 8192;
/// The strap's turning is judged over windows this long (s): the acceleration's
/// direction averaged over each half, so that its noise does not read as turning.
const TURN_WINDOW_S: f64 = 0.4;
/// A window tells the gyro's unit where the acceleration's direction turns
/// faster than this (deg/s), its size within [`TURN_STEADY_G`] of 1 g (turning,
/// not jolted).
const TURN_MIN_DPS: f64 = 8.0;
const TURN_STEADY_G: f64 = 0.25;
/// Windows needed to tell the gyro's unit.
const TURN_WINDOWS: usize = 10;
/// In deg/s the gyro reads about what the direction of gravity turns or more
/// (it also sees turning about the vertical; a jolt turns the acceleration
/// without turning the strap: over the 262 real sets with a gyro, the median
/// window read 0.31 of the turning at the least); in rad/s, 57 times less (0.12
/// at the most). Under this fraction of the direction's turning, typically, it
/// is in rad/s.
const RAD_PER_TURN: f64 = 0.1;

/// What a postured CSV's gyro is in, from how fast it reads against how fast
/// the acceleration's direction turns where the strap turns clearly (samples in
/// g and s): deg/s reads about as fast or faster, rad/s 57 times slower (what
/// phone sensor APIs and many data sets keep). The scale to deg/s and what to
/// tell the user; deg/s unless the turning says otherwise, and where the strap
/// does not turn in what was read, nothing is told.
fn gyro_unit(samples: &[Sample]) -> (f64, Option<String>) {
    let n = samples.len();
    if n < 3 || samples[0].gyro.is_none() {
        return (1.0, None);
    }
    let span = samples[n - 1].t - samples[0].t;
    let half = ((TURN_WINDOW_S / 2.0) / (span / (n - 1) as f64).max(1e-6)).round() as usize;
    let half = half.max(1);
    // The sum of the directions is as good as their mean for an angle.
    let mean_dir = |a: usize, b: usize| {
        samples[a..b].iter().fold([0.0; 3], |acc, s| {
            unit(s.accel).map_or(acc, |u| add(acc, u))
        })
    };
    let mut ratios = Vec::new();
    let mut i = 0;
    while i + 2 * half < n {
        let (a, m, b) = (i, i + half, i + 2 * half);
        let dt = samples[b].t - samples[a].t;
        let window = &samples[a..b];
        let steady = window
            .iter()
            .all(|s| (norm(s.accel) - 1.0).abs() < TURN_STEADY_G);
        // The two halves' directions are half a window apart in time.
        let turn_dps = angle_deg(mean_dir(a, m), mean_dir(m, b)) / (dt / 2.0).max(1e-6);
        if steady && turn_dps > TURN_MIN_DPS {
            let gyro =
                window.iter().map(|s| s.gyro.map_or(0.0, norm)).sum::<f64>() / window.len() as f64;
            ratios.push(gyro / turn_dps);
        }
        i += half;
    }
    ratios.sort_by(f64::total_cmp);
    if ratios.len() < TURN_WINDOWS {
        return (1.0, None);
    }
    let ratio = ratios[ratios.len() / 2];
    if ratio >= RAD_PER_TURN {
        return (1.0, None);
    }
    let note = format!(
        "the gyro reads {ratio:.3} of how fast the acceleration's direction turns, where deg/s would read about 1 or more: taken as rad/s and converted to deg/s (gx,gy,gz are in deg/s)"
    );
    (1f64.to_degrees(), Some(note))
}

/// The samples of a recording, read as they are asked for.
pub struct Samples<'r> {
    table: Table<'r>,
    gyro: Option<GyroJoin<'r>>,
    /// The first line's time, for formats whose times count from an epoch.
    origin: Option<f64>,
    previous: Option<f64>,
    failed: bool,
    read: Rc<Cell<u64>>,
    /// The acceleration's scale to g, once told ([`accel_unit`]), and what
    /// was read to tell it: the samples, then an error that stopped the reading.
    scale: Option<f64>,
    /// The time's scale to seconds ([`time_unit`]), the gyro's to deg/s
    /// ([`gyro_unit`]).
    time_scale: f64,
    gyro_scale: f64,
    ahead: VecDeque<Sample>,
    stopped: Option<RecordingError>,
    unit_notes: Vec<String>,
}

impl std::fmt::Debug for Samples<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Samples")
            .field("path", &self.table.path)
            .field("format", &self.table.layout.format)
            .field("line", &self.table.lines.number())
            .finish_non_exhaustive()
    }
}

impl<'r> Samples<'r> {
    /// Samples from `src`; `path` names it in errors, and for a MetaWear
    /// accelerometer file `gyro` is its gyroscope file's source and path.
    pub(super) fn new(
        src: Box<dyn Read + 'r>,
        path: &Path,
        gyro: Option<(Box<dyn Read + 'r>, PathBuf)>,
        read: Rc<Cell<u64>>,
    ) -> Result<Self, RecordingError> {
        let table = Table::open(src, path)?;
        match table.layout.format {
            Format::MetaWearGyro => {
                return Err(RecordingError::GyroscopeOnly {
                    path: path.to_owned(),
                });
            }
            Format::MetaWearAccel => {}
            _ => {
                return Ok(Self::with(table, None, read));
            }
        }
        let gyro = match gyro {
            Some((src, gyro_path)) => {
                let table = Table::open(src, &gyro_path)?;
                if table.layout.format != Format::MetaWearGyro {
                    return Err(RecordingError::NotGyroscope { path: gyro_path });
                }
                let mut join = GyroJoin {
                    table,
                    before: None,
                    after: None,
                };
                join.after = join.read()?;
                join.after.is_some().then_some(join)
            }
            None => None,
        };
        Ok(Self::with(table, gyro, read))
    }

    fn with(table: Table<'r>, gyro: Option<GyroJoin<'r>>, read: Rc<Cell<u64>>) -> Self {
        Self {
            table,
            gyro,
            origin: None,
            previous: None,
            failed: false,
            read,
            scale: None,
            time_scale: 1.0,
            gyro_scale: 1.0,
            ahead: VecDeque::new(),
            stopped: None,
            unit_notes: Vec::new(),
        }
    }

    /// The file's format.
    pub fn format(&self) -> Format {
        self.table.layout.format
    }

    /// Whether the samples carry gyro readings.
    pub fn has_gyro(&self) -> bool {
        self.table.layout.gyro.is_some() || self.gyro.is_some()
    }

    /// Bytes read from the file so far (compressed bytes for a gzipped one).
    pub fn bytes_read(&self) -> u64 {
        self.read.get()
    }

    /// What the user should know about the units, once the first sample is
    /// read: a postured CSV whose acceleration is in m/s^2 or milli-g is
    /// converted to g, one of no unit that gravity fits is read as it is, and
    /// one whose time is in milli-, micro- or nanoseconds is converted to
    /// seconds, each with a note.
    pub fn unit_notes(&self) -> &[String] {
        &self.unit_notes
    }

    /// Reads ahead far enough to tell the units (see [`accel_unit`],
    /// [`time_unit`] and [`gyro_unit`]); the formats other than postured CSV
    /// name theirs.
    fn tell_unit(&mut self) {
        if self.table.layout.format != Format::Postured {
            self.scale = Some(1.0);
            return;
        }
        self.read_ahead(|ahead| ahead.len() >= UNIT_SAMPLES);
        let first = self.ahead.make_contiguous();
        let (scale, accel_note) = accel_unit(first);
        let (time_scale, time_note) = time_unit(first);
        let mut notes = vec![time_note, accel_note];
        if self.has_gyro() {
            self.read_ahead(|ahead| {
                ahead.len() >= GYRO_LOOK_SAMPLES
                    || ahead
                        .back()
                        .zip(ahead.front())
                        .is_some_and(|(b, a)| (b.t - a.t) * time_scale >= GYRO_LOOK_S)
            });
            let seen: Vec<Sample> = self
                .ahead
                .iter()
                .map(|s| Sample {
                    t: s.t * time_scale,
                    accel: s.accel.map(|v| v * scale),
                    ..*s
                })
                .collect();
            let (gyro_scale, gyro_note) = gyro_unit(&seen);
            self.gyro_scale = gyro_scale;
            notes.push(gyro_note);
        }
        self.scale = Some(scale);
        self.time_scale = time_scale;
        self.unit_notes = notes.into_iter().flatten().collect();
    }

    /// Reads samples into `ahead` until `enough` says so, the file ends or a
    /// line fails (kept for after the samples before it).
    fn read_ahead(&mut self, enough: impl Fn(&VecDeque<Sample>) -> bool) {
        while self.stopped.is_none() && !enough(&self.ahead) {
            match self.next_sample() {
                Ok(Some(s)) => self.ahead.push_back(s),
                Ok(None) => break,
                Err(e) => self.stopped = Some(e),
            }
        }
    }

    fn next_sample(&mut self) -> Result<Option<Sample>, RecordingError> {
        let Some(row) = self.table.next_row()? else {
            return Ok(None);
        };
        let t = match self.table.layout.time_unit {
            TimeUnit::Seconds => row.time,
            // Divided, not multiplied by 1e-9: whole units over a power of ten
            // give the same f64 as the decimal text would.
            TimeUnit::Nanos => row.time / 1e9,
            TimeUnit::Millis => (row.time - *self.origin.get_or_insert(row.time)) / 1e3,
        };
        if let Some(previous) = self.previous
            && t <= previous
        {
            return Err(RecordingError::TimeNotIncreasing {
                path: self.table.path.clone(),
                line: self.table.lines.number(),
                column: self.table.layout.names[self.table.layout.time].clone(),
                t,
                previous,
            });
        }
        self.previous = Some(t);
        let gyro = match &mut self.gyro {
            Some(join) => Some(join.at(row.time)?),
            None => row.gyro,
        };
        Ok(Some(Sample {
            t,
            accel: row.xyz,
            gyro,
        }))
    }
}

impl Iterator for Samples<'_> {
    type Item = Result<Sample, RecordingError>;

    /// The next sample; after an error, nothing more.
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if self.scale.is_none() {
            self.tell_unit();
        }
        let next = match self.ahead.pop_front() {
            Some(s) => Some(Ok(s)),
            None => match self.stopped.take() {
                Some(e) => Some(Err(e)),
                None => self.next_sample().transpose(),
            },
        };
        self.failed = matches!(next, Some(Err(_)));
        let (scale, time_scale, gyro_scale) =
            (self.scale.unwrap_or(1.0), self.time_scale, self.gyro_scale);
        next.map(|r| {
            r.map(|s| Sample {
                t: s.t * time_scale,
                accel: s.accel.map(|v| v * scale),
                gyro: s.gyro.map(|g| g.map(|v| v * gyro_scale)),
            })
        })
    }
}
