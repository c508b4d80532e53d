//! The BLOB layout of raw sample chunks (`sample_chunks.data`), so a set can be
//! recounted later (`postured rescore`).
//!
//! Layout 1, all little-endian:
//!
//! ```text
//! header  u8  layout      = 1
//!         u8  flags       bit 0: every record carries gyro
//!         f64 t0          time of the first sample (Unix s)
//! records i32 dt_us       sample time - t0, in microseconds
//!         f32 ax, ay, az  acceleration (g)
//!         f32 gx, gy, gz  angular rate (deg/s), only when flags bit 0 is set
//! ```
//!
//! 17 or 29 bytes a sample instead of the 56 of `Sample` in memory. Time comes back
//! to the microsecond and f32 keeps far more than the straps' resolution (1 mg,
//! 0.1 deg/s). A chunk holds samples that all have gyro or all lack it, at most
//! [`MAX_CHUNK`] of them, within ±35 minutes of `t0`; [`split`] cuts a slice so.
//! A new layout gets a new number; readers keep decoding the old ones.

use crate::motion::Sample;

/// The layout written by this build.
pub const LAYOUT: u8 = 1;
/// Most samples in one chunk (about 5 s at 200 Hz), so rows stay small after a
/// long outage is written out at once.
pub const MAX_CHUNK: usize = 1024;

const HEADER: usize = 10;
const GYRO: u8 = 1;

/// Why a chunk cannot be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PackError {
    /// Written by a layout this build does not know.
    #[error("unknown sample layout {layout}")]
    UnknownLayout {
        /// The layout byte.
        layout: u8,
    },
    /// The length does not fit the header.
    #[error("{length} bytes is not a whole number of {record}-byte records after the header")]
    WrongLength {
        /// Bytes in the chunk.
        length: usize,
        /// Bytes a record.
        record: usize,
    },
}

/// Cuts `samples` into runs that can each be packed as one chunk.
pub fn split(samples: &[Sample]) -> Vec<&[Sample]> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, s) in samples.iter().enumerate() {
        let first = &samples[start];
        let fits = i - start < MAX_CHUNK
            && s.gyro.is_some() == first.gyro.is_some()
            && offset_us(first.t, s.t).is_some();
        if !fits {
            out.push(&samples[start..i]);
            start = i;
        }
    }
    if start < samples.len() {
        out.push(&samples[start..]);
    }
    out
}

/// `t - t0` in whole microseconds, when it fits an i32.
fn offset_us(t0: f64, t: f64) -> Option<i32> {
    let us = ((t - t0) * 1e6).round();
    (us.is_finite() && us >= f64::from(i32::MIN) && us <= f64::from(i32::MAX)).then_some(us as i32)
}

/// Packs one run made by [`split`]: same gyro presence, offsets that fit.
pub fn pack(samples: &[Sample]) -> Vec<u8> {
    let Some(first) = samples.first() else {
        return Vec::new();
    };
    let gyro = first.gyro.is_some();
    let mut out = Vec::with_capacity(HEADER + samples.len() * record_len(gyro));
    out.push(LAYOUT);
    out.push(if gyro { GYRO } else { 0 });
    out.extend_from_slice(&first.t.to_le_bytes());
    for s in samples {
        // split() guarantees the offset fits; a stray sample would land on t0.
        out.extend_from_slice(&offset_us(first.t, s.t).unwrap_or(0).to_le_bytes());
        push_vec(&mut out, s.accel);
        if gyro {
            push_vec(&mut out, s.gyro.unwrap_or_default());
        }
    }
    out
}

fn record_len(gyro: bool) -> usize {
    if gyro { 28 } else { 16 }
}

fn push_vec(out: &mut Vec<u8>, v: [f64; 3]) {
    for x in v {
        out.extend_from_slice(&(x as f32).to_le_bytes());
    }
}

/// Decodes a chunk made by [`pack`].
pub fn unpack(data: &[u8]) -> Result<Vec<Sample>, PackError> {
    if data.is_empty() {
        return Ok(Vec::new());
    }
    if data[0] != LAYOUT {
        return Err(PackError::UnknownLayout { layout: data[0] });
    }
    let gyro = data.get(1).is_some_and(|f| f & GYRO != 0);
    let record = record_len(gyro);
    if data.len() < HEADER || !(data.len() - HEADER).is_multiple_of(record) {
        return Err(PackError::WrongLength {
            length: data.len(),
            record,
        });
    }
    let t0 = f64::from_le_bytes(data[2..10].try_into().expect("8 bytes"));
    let samples = data[HEADER..]
        .chunks_exact(record)
        .map(|r| Sample {
            t: t0 + f64::from(i32::from_le_bytes(word(r, 0))) * 1e-6,
            accel: read_vec(r, 4),
            gyro: gyro.then(|| read_vec(r, 16)),
        })
        .collect();
    Ok(samples)
}

fn word(r: &[u8], at: usize) -> [u8; 4] {
    r[at..at + 4].try_into().expect("4 bytes")
}

fn read_vec(r: &[u8], at: usize) -> [f64; 3] {
    [0, 4, 8].map(|i| f64::from(f32::from_le_bytes(word(r, at + i))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &Sample, b: &Sample) -> bool {
        let near = |x: [f64; 3], y: [f64; 3]| x.iter().zip(y).all(|(p, q)| (p - q).abs() < 1e-4);
        (a.t - b.t).abs() < 1e-6
            && near(a.accel, b.accel)
            && match (a.gyro, b.gyro) {
                (Some(x), Some(y)) => near(x, y),
                (None, None) => true,
                _ => false,
            }
    }

    fn round_trip(samples: &[Sample]) -> Vec<Sample> {
        split(samples)
            .into_iter()
            .flat_map(|run| unpack(&pack(run)).unwrap())
            .collect()
    }

    #[test]
    fn samples_survive_packing_with_and_without_gyro() {
        let t0 = 1_763_700_000.123_456;
        let samples: Vec<Sample> = (0..3000)
            .map(|i| Sample {
                t: t0 + f64::from(i) * 0.005,
                accel: [0.012 * f64::from(i % 7), -0.998, 0.031],
                gyro: (i % 1000 < 500).then_some([12.3, -0.1, f64::from(i) / 10.0]),
            })
            .collect();
        let back = round_trip(&samples);
        assert_eq!(back.len(), samples.len());
        assert!(samples.iter().zip(&back).all(|(a, b)| close(a, b)));
    }

    #[test]
    fn layout_one_is_seventeen_or_twenty_nine_bytes_a_sample() {
        let s = Sample::accel(100.0, [0.0, 0.0, 1.0]);
        assert_eq!(pack(&[s, s]).len(), 10 + 2 * 16);
        let g = Sample {
            gyro: Some([1.0, 2.0, 3.0]),
            ..s
        };
        assert_eq!(pack(&[g]).len(), 10 + 28);
        assert_eq!(pack(&[s])[..2], [1, 0]);
    }

    #[test]
    fn a_time_jump_starts_a_new_chunk() {
        let a = Sample::accel(0.0, [0.0, 0.0, 1.0]);
        let b = Sample::accel(5000.0, [0.0, 0.0, 1.0]);
        assert_eq!(split(&[a, a, b]).len(), 2);
        assert_eq!(round_trip(&[a, b])[1].t, 5000.0);
    }

    #[test]
    fn unknown_layouts_and_torn_chunks_are_errors() {
        assert_eq!(unpack(&[2, 0]), Err(PackError::UnknownLayout { layout: 2 }));
        let mut data = pack(&[Sample::accel(1.0, [0.0; 3])]);
        data.pop();
        assert!(matches!(unpack(&data), Err(PackError::WrongLength { .. })));
    }
}
