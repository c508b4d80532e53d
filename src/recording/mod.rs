//! Recordings: IMU samples in text files, read as a stream in constant memory,
//! with errors that name the line and the column. Besides postured's own CSV
//! (`t,ax,ay,az[,gx,gy,gz]`, other columns ignored) it reads the exports of the
//! recording apps people use with these straps, told apart by their header (see
//! [`mod@format`]), gzipped or not, from a file or standard input.

mod format;
mod source;
mod stream;
mod table;

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::motion::Sample;

pub use format::{Format, SUPPORTED, metawear_stem};
pub use source::{Opened, STDIN, from_readers, open};
pub use stream::Samples;

/// Why a recording could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordingError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {reason}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: std::io::Error,
    },
    /// The file has nothing in it, not even a header.
    #[error("{}: the file is empty", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The header is of no format postured reads.
    #[error("{}: not a recording postured can read (header {header:?}); supported: {}", path.display(), SUPPORTED)]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// The header line (its start).
        header: String,
    },
    /// A MetaWear gyroscope export was given on its own.
    #[error("{}: a MetaWear gyroscope export holds no acceleration; give its Accelerometer file (the Gyroscope file beside it is joined on time)", path.display())]
    GyroscopeOnly {
        /// The file.
        path: PathBuf,
    },
    /// The file taken for a MetaWear accelerometer file's gyroscope partner is not one.
    #[error("{}: expected a MetaWear gyroscope export (x-axis (deg/s),...)", path.display())]
    NotGyroscope {
        /// The file.
        path: PathBuf,
    },
    /// A required column is missing from the header.
    #[error("{}: the header has no `{column}` column (need t,ax,ay,az; gx,gy,gz are optional)", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: &'static str,
    },
    /// A line has the wrong number of fields.
    #[error("{}: line {line}: {reason}", path.display())]
    BadLine {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// A field is not a finite number.
    #[error("{}: line {line}, column `{column}`: {value:?} is not a number", path.display())]
    BadValue {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// Column name.
        column: String,
        /// The text found.
        value: String,
    },
    /// Time does not increase.
    #[error("{}: line {line}, column `{column}`: {t} s does not come after the previous line's {previous} s", path.display())]
    TimeNotIncreasing {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// The time column's name.
        column: String,
        /// This line's time (s, as a sample time).
        t: f64,
        /// The previous line's time (s).
        previous: f64,
    },
    /// Only some of gx, gy, gz are present.
    #[error("{}: the header has only some of gx,gy,gz; give all three or none", path.display())]
    PartialGyro {
        /// The file.
        path: PathBuf,
    },
}

/// A recording in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    /// The samples, in time order.
    pub samples: Vec<Sample>,
    /// Whether the file had gyro columns.
    pub has_gyro: bool,
}

impl Recording {
    /// Seconds from the first sample to the last.
    pub fn duration_s(&self) -> f64 {
        match (self.samples.first(), self.samples.last()) {
            (Some(a), Some(b)) => b.t - a.t,
            _ => 0.0,
        }
    }
}

/// Reads a whole recording from a file (or `-` for standard input) into memory.
/// [`open`] streams it instead.
pub fn read(path: &Path) -> Result<Recording, RecordingError> {
    collect(open(path)?.samples)
}

/// Reads a whole recording from any reader; `path` names it in errors.
pub fn parse(reader: impl Read, path: &Path) -> Result<Recording, RecordingError> {
    collect(from_readers(reader, path, None)?)
}

fn collect(samples: Samples<'_>) -> Result<Recording, RecordingError> {
    let has_gyro = samples.has_gyro();
    Ok(Recording {
        samples: samples.collect::<Result<_, _>>()?,
        has_gyro,
    })
}

/// Writes samples as a recording (`t,ax,ay,az` and the gyro columns when present).
pub fn write(out: &mut impl std::io::Write, samples: &[Sample]) -> std::io::Result<()> {
    let gyro = samples.first().is_some_and(|s| s.gyro.is_some());
    writeln!(
        out,
        "{}",
        if gyro {
            "t,ax,ay,az,gx,gy,gz"
        } else {
            "t,ax,ay,az"
        }
    )?;
    for s in samples {
        let [x, y, z] = s.accel;
        write!(out, "{:.4},{x:.5},{y:.5},{z:.5}", s.t)?;
        if gyro {
            let [a, b, c] = s.gyro.unwrap_or([0.0; 3]);
            write!(out, ",{a:.3},{b:.3},{c:.3}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
