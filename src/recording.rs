//! Recordings: CSV files of IMU samples (`t,ax,ay,az[,gx,gy,gz]`, other columns
//! ignored), read with errors that name the line and the column.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::motion::Sample;

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
    /// A required column is missing from the header.
    #[error("{}: the header has no `{column}` column (need t,ax,ay,az; gx,gy,gz are optional)", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: &'static str,
    },
    /// A line is not valid CSV or has the wrong number of fields.
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
    #[error("{}: line {line}, column `t`: {t} does not come after the previous line's {previous}", path.display())]
    TimeNotIncreasing {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// This line's time.
        t: f64,
        /// The previous line's time.
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

/// Reads a recording from a file.
pub fn read(path: &Path) -> Result<Recording, RecordingError> {
    let file = std::fs::File::open(path).map_err(|source| RecordingError::Io {
        path: path.to_owned(),
        reason: source,
    })?;
    if path.extension().is_some_and(|e| e == "gz") {
        parse(flate2::read::MultiGzDecoder::new(file), path)
    } else {
        parse(file, path)
    }
}

struct Columns {
    t: usize,
    accel: [usize; 3],
    gyro: Option<[usize; 3]>,
}

fn columns(headers: &csv::StringRecord, path: &Path) -> Result<Columns, RecordingError> {
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let need = |name: &'static str| {
        find(name).ok_or(RecordingError::MissingColumn {
            path: path.to_owned(),
            column: name,
        })
    };
    let gyro = [find("gx"), find("gy"), find("gz")];
    let gyro = match gyro {
        [Some(x), Some(y), Some(z)] => Some([x, y, z]),
        [None, None, None] => None,
        _ => {
            return Err(RecordingError::PartialGyro {
                path: path.to_owned(),
            });
        }
    };
    Ok(Columns {
        t: need("t")?,
        accel: [need("ax")?, need("ay")?, need("az")?],
        gyro,
    })
}

/// Reads a recording from any reader; `path` names it in errors.
pub fn parse(reader: impl Read, path: &Path) -> Result<Recording, RecordingError> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(reader);
    let bad_line = |e: csv::Error| match e.kind() {
        csv::ErrorKind::Io(_) => RecordingError::Io {
            path: path.to_owned(),
            reason: std::io::Error::other(e.to_string()),
        },
        _ => RecordingError::BadLine {
            path: path.to_owned(),
            line: e.position().map_or(0, csv::Position::line),
            reason: e.to_string(),
        },
    };
    let headers = rdr.headers().map_err(bad_line)?.clone();
    let cols = columns(&headers, path)?;
    let mut samples = Vec::new();
    let mut record = csv::StringRecord::new();
    while rdr.read_record(&mut record).map_err(bad_line)? {
        let line = record.position().map_or(0, csv::Position::line);
        let num = |i: usize| -> Result<f64, RecordingError> {
            let text = record.get(i).unwrap_or("");
            text.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| RecordingError::BadValue {
                    path: path.to_owned(),
                    line,
                    column: headers.get(i).unwrap_or("?").trim().to_owned(),
                    value: text.to_owned(),
                })
        };
        let t = num(cols.t)?;
        if let Some(prev) = samples.last().map(|s: &Sample| s.t)
            && t <= prev
        {
            return Err(RecordingError::TimeNotIncreasing {
                path: path.to_owned(),
                line,
                t,
                previous: prev,
            });
        }
        let accel = [
            num(cols.accel[0])?,
            num(cols.accel[1])?,
            num(cols.accel[2])?,
        ];
        let gyro = match cols.gyro {
            Some([x, y, z]) => Some([num(x)?, num(y)?, num(z)?]),
            None => None,
        };
        samples.push(Sample { t, accel, gyro });
    }
    Ok(Recording {
        samples,
        has_gyro: cols.gyro.is_some(),
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
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Recording, RecordingError> {
        parse(text.as_bytes(), Path::new("rec.csv"))
    }

    #[test]
    fn reads_accel_only_and_ignores_other_columns() {
        let r = p("t,ax,ay,az,label\n0,0,0,1,x\n0.01,0.1,0,0.99,y\n").unwrap();
        assert_eq!(r.samples.len(), 2);
        assert!(!r.has_gyro);
        assert_eq!(r.samples[1].accel, [0.1, 0.0, 0.99]);
    }

    #[test]
    fn reads_gyro_in_any_column_order() {
        let r = p("gz,gy,gx,az,ay,ax,t\n3,2,1,1,0,0,0\n").unwrap();
        assert_eq!(r.samples[0].gyro, Some([1.0, 2.0, 3.0]));
        assert_eq!(r.samples[0].accel, [0.0, 0.0, 1.0]);
    }

    #[test]
    fn a_bad_number_names_line_and_column() {
        let err = p("t,ax,ay,az\n0,0,0,1\n0.1,0,abc,1\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 3") && err.contains("`ay`") && err.contains("abc"),
            "{err}"
        );
    }

    #[test]
    fn nan_and_infinity_are_not_numbers() {
        assert!(p("t,ax,ay,az\n0,NaN,0,1\n").is_err());
        assert!(p("t,ax,ay,az\n0,0,inf,1\n").is_err());
    }

    #[test]
    fn time_going_backwards_names_the_line() {
        let err = p("t,ax,ay,az\n0,0,0,1\n1,0,0,1\n0.5,0,0,1\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 4") && err.contains("`t`"), "{err}");
    }

    #[test]
    fn short_line_is_reported() {
        let err = p("t,ax,ay,az\n0,0,0,1\n0.1,0\n").unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
    }

    #[test]
    fn missing_column_says_what_is_needed() {
        let err = p("t,ax,ay\n0,0,0\n").unwrap_err().to_string();
        assert!(err.contains("`az`"), "{err}");
        assert!(p("t,ax,ay,az,gx\n0,0,0,1,1\n").is_err());
    }

    #[test]
    fn write_then_read_round_trips() {
        let samples = vec![
            Sample {
                t: 0.0,
                accel: [0.0, 0.0, 1.0],
                gyro: Some([1.0, 2.0, 3.0]),
            },
            Sample {
                t: 0.005,
                accel: [0.5, -0.25, 0.75],
                gyro: Some([0.0, 0.0, 0.0]),
            },
        ];
        let mut buf = Vec::new();
        write(&mut buf, &samples).unwrap();
        assert_eq!(
            parse(buf.as_slice(), Path::new("x")).unwrap().samples,
            samples
        );
    }
}
