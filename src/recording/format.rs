//! Which recording format a file is in, told from its header line alone, and
//! where each quantity sits in its lines.
//!
//! - **postured CSV**: `t,ax,ay,az[,gx,gy,gz]`, t in s, accel in g, gyro in deg/s,
//!   any column order, other columns ignored (what `firmware-sim record` and
//!   [`super::write`] produce).
//! - **Polar Sensor Logger ACC** (the Android app by J. Happonen, H10 and Verity
//!   Sense accelerometer stream): `;`-separated,
//!   `Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]`, rows like
//!   `2026-04-24T14:10:20.058;599616065136175104;-953;63;425`. The sensor
//!   timestamp is nanoseconds since 2000-01-01 (the app's FAQ on Google Play;
//!   polarofficial/polar-ble-sdk `documentation/TimeSystemExplained.md`), the axes
//!   are milli-g (polar-ble-sdk `PolarAccelerometerData`). The layout is the one
//!   that programs written to be compatible with the app's files reproduce, for
//!   example a recorder's README on GitHub listing `Polar_H10_<id>_<date>_ACC.txt`
//!   with the header and row above; no file made by the app itself was found to
//!   check against.
//! - **MetaWear / MetaBase CSV** (MbientLab's app): one file per sensor, named
//!   `<name>_MetaWear_<date>_<MAC>_Accelerometer_<rate>Hz_<version>.csv` and
//!   `..._Gyroscope_...`, headers
//!   `epoch (ms),time (01:00),elapsed (s),x-axis (g),y-axis (g),z-axis (g)` and
//!   `...,x-axis (deg/s),y-axis (deg/s),z-axis (deg/s)` (the time column names the
//!   UTC offset). Checked against the exports in
//!   daveebbelaar/tracking-barbell-exercises (`PythonCode/data/`, 2019,
//!   firmware 1.4.4), the source of the barbell sets the score reads: joined
//!   as below (the gyroscope interpolated linearly onto the accelerometer's epoch
//!   times, held past its ends; time from the first accelerometer sample), the
//!   samples checked (the first 1.2 s of A-bench-heavy2, read from a copy of the
//!   exports' first lines, and by hand its 12.32 s and last samples) match that
//!   data set's conversion to the three decimals it keeps.

use std::path::Path;

use super::RecordingError;
use super::table::{Lines, SKIP, clean};

/// The formats, as listed in the error for a file of none of them.
pub const SUPPORTED: &str = "postured CSV (t,ax,ay,az[,gx,gy,gz]); \
Polar Sensor Logger ACC export (Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]); \
MetaWear/MetaBase CSV export (epoch (ms),...,x-axis (g),y-axis (g),z-axis (g); \
its Gyroscope file beside it is joined on time). Any of them may be gzipped";

/// A recording format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// `t,ax,ay,az[,gx,gy,gz]`.
    Postured,
    /// Polar Sensor Logger's ACC export.
    PolarAcc,
    /// A MetaWear / MetaBase accelerometer export.
    MetaWearAccel,
    /// A MetaWear / MetaBase gyroscope export (read only beside its accelerometer file).
    MetaWearGyro,
}

impl Format {
    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Postured => "postured CSV",
            Self::PolarAcc => "Polar Sensor Logger ACC",
            Self::MetaWearAccel => "MetaWear accelerometer",
            Self::MetaWearGyro => "MetaWear gyroscope",
        }
    }
}

/// What the time column counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TimeUnit {
    /// Seconds, kept as they are.
    Seconds,
    /// Milliseconds since an epoch (made relative by the reader).
    Millis,
    /// Integer nanoseconds since an epoch (made relative by the reader).
    Nanos,
}

/// Where things are in a format's lines.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Layout {
    pub format: Format,
    pub delimiter: u8,
    /// Fields in the header; every line must have as many.
    pub width: usize,
    pub time: usize,
    pub time_unit: TimeUnit,
    /// The three axes of the file's main sensor.
    pub xyz: [usize; 3],
    /// Gyro axes in the same file (postured CSV only).
    pub gyro: Option<[usize; 3]>,
    /// Divides the axes into g (or deg/s for a gyroscope file): 1000 for milli-g.
    pub divisor: f64,
    /// The header's names, for error messages.
    pub names: Vec<String>,
}

/// Slots of [`Layout::slots`]: time, the three axes, the three gyro axes.
pub(super) const SLOTS: usize = 7;

impl Layout {
    /// For each column, where the fast path puts its number ([`SKIP`] for none);
    /// `None` when the time is in integer nanoseconds, which an `f64` cannot hold.
    pub fn slots(&self) -> Option<Vec<u8>> {
        if self.time_unit == TimeUnit::Nanos {
            return None;
        }
        let mut slots = vec![SKIP; self.width];
        slots[self.time] = 0;
        for (k, i) in self.xyz.iter().enumerate() {
            slots[*i] = 1 + k as u8;
        }
        for (k, i) in self.gyro.iter().flatten().enumerate() {
            slots[*i] = 4 + k as u8;
        }
        Some(slots)
    }
}

/// Where a format's time and axes are.
struct Columns {
    format: Format,
    time: usize,
    time_unit: TimeUnit,
    xyz: [usize; 3],
    gyro: Option<[usize; 3]>,
    divisor: f64,
}

/// Tells the format from the header line (the current line of `lines`).
pub(super) fn detect(lines: &mut Lines<'_>, path: &Path) -> Result<Layout, RecordingError> {
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| lines.text().iter().filter(|b| *b == d).count())
        .unwrap_or(b',');
    let width = lines.split(delimiter);
    let names: Vec<String> = (0..width)
        .map(|i| String::from_utf8_lossy(clean(lines.field(i))).into_owned())
        .collect();
    let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    let c = match app_columns(&lower) {
        Some(c) => c,
        None if ["t", "ax", "ay", "az"]
            .iter()
            .any(|n| lower.iter().any(|h| h == n)) =>
        {
            postured_columns(&lower, path)?
        }
        None => {
            return Err(RecordingError::UnknownFormat {
                path: path.to_owned(),
                header: String::from_utf8_lossy(lines.text())
                    .chars()
                    .take(120)
                    .collect(),
            });
        }
    };
    Ok(Layout {
        format: c.format,
        delimiter,
        width,
        time: c.time,
        time_unit: c.time_unit,
        xyz: c.xyz,
        gyro: c.gyro,
        divisor: c.divisor,
        names,
    })
}

/// The recording apps' layouts, from the header's lower-cased names.
fn app_columns(lower: &[String]) -> Option<Columns> {
    let find = |name: &str| lower.iter().position(|h| h == name);
    let axes = |x: &str, y: &str, z: &str| Some([find(x)?, find(y)?, find(z)?]);
    let columns = |format, time, time_unit, xyz, divisor| Columns {
        format,
        time,
        time_unit,
        xyz,
        gyro: None,
        divisor,
    };
    if let (Some(time), Some(xyz)) = (
        find("sensor timestamp [ns]"),
        axes("x [mg]", "y [mg]", "z [mg]"),
    ) {
        return Some(columns(Format::PolarAcc, time, TimeUnit::Nanos, xyz, 1e3));
    }
    let time = lower
        .iter()
        .position(|h| h.starts_with("epoch (ms)") || h.starts_with("epoc (ms)"))?;
    if let Some(xyz) = axes("x-axis (g)", "y-axis (g)", "z-axis (g)") {
        return Some(columns(
            Format::MetaWearAccel,
            time,
            TimeUnit::Millis,
            xyz,
            1.0,
        ));
    }
    let xyz = axes("x-axis (deg/s)", "y-axis (deg/s)", "z-axis (deg/s)")?;
    Some(columns(
        Format::MetaWearGyro,
        time,
        TimeUnit::Millis,
        xyz,
        1.0,
    ))
}

/// postured's own layout, `t,ax,ay,az[,gx,gy,gz]` in any order.
fn postured_columns(lower: &[String], path: &Path) -> Result<Columns, RecordingError> {
    let find = |name: &str| lower.iter().position(|h| h == name);
    let need = |column: &'static str| {
        find(column).ok_or(RecordingError::MissingColumn {
            path: path.to_owned(),
            column,
        })
    };
    let gyro = match [find("gx"), find("gy"), find("gz")] {
        [Some(x), Some(y), Some(z)] => Some([x, y, z]),
        [None, None, None] => None,
        _ => {
            return Err(RecordingError::PartialGyro {
                path: path.to_owned(),
            });
        }
    };
    Ok(Columns {
        format: Format::Postured,
        time: need("t")?,
        time_unit: TimeUnit::Seconds,
        xyz: [need("ax")?, need("ay")?, need("az")?],
        gyro,
        divisor: 1.0,
    })
}

/// For a MetaWear accelerometer file name, the start its gyroscope file shares:
/// `A_MetaWear_2026-01-02T10.00.00.000_D0C0FFEE0001_Accelerometer_12.500Hz_1.4.4.csv`
/// pairs with `A_MetaWear_2026-01-02T10.00.00.000_D0C0FFEE0001_Gyroscope_25.000Hz_1.4.4.csv`.
pub fn metawear_stem(file_name: &str) -> Option<(&str, &'static str)> {
    if let Some(i) = file_name.find("_Accelerometer_") {
        return Some((&file_name[..=i], "Gyroscope_"));
    }
    file_name
        .find("_Gyroscope_")
        .map(|i| (&file_name[..=i], "Accelerometer_"))
}

/// The gyroscope file that MetaBase wrote beside an accelerometer file, if any.
pub(super) fn metawear_gyro_beside(accel: &Path) -> Option<std::path::PathBuf> {
    let name = accel.file_name()?.to_str()?;
    let (stem, partner) = metawear_stem(name)?;
    if partner != "Gyroscope_" {
        return None;
    }
    let dir = match accel.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.strip_prefix(stem).is_some_and(|r| r.starts_with(partner)))
        })
        .collect();
    found.sort();
    found.into_iter().next()
}
