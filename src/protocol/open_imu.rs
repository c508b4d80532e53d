//! Our open IMU strap profile (protocols.md section 3).

use super::{DecodeError, i16_at, need, u16_at};

/// Open IMU service.
pub const SERVICE: &str = "5a3e0001-7f4c-4e59-9d3b-2c1a8e6f4b70";
/// IMU data: notify.
pub const DATA: &str = "5a3e0002-7f4c-4e59-9d3b-2c1a8e6f4b70";
/// Config: read, write.
pub const CONFIG: &str = "5a3e0003-7f4c-4e59-9d3b-2c1a8e6f4b70";
/// Haptic: write.
pub const HAPTIC: &str = "5a3e0004-7f4c-4e59-9d3b-2c1a8e6f4b70";
/// Placement: read.
pub const PLACEMENT: &str = "5a3e0005-7f4c-4e59-9d3b-2c1a8e6f4b70";

/// One IMU sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImuSample {
    /// Acceleration (mg).
    pub accel_mg: [i16; 3],
    /// Angular rate (deg/s), when the frame carries it.
    pub gyro_dps: Option<[f64; 3]>,
}

/// One IMU data notification.
#[derive(Debug, Clone, PartialEq)]
pub struct ImuFrame {
    /// Sequence number (wraps); a gap means lost frames.
    pub seq: u16,
    /// Device time of the first sample (µs, wraps).
    pub t0_us: u32,
    /// Time between samples (µs).
    pub interval_us: u16,
    /// Samples, oldest first.
    pub samples: Vec<ImuSample>,
}

const WHAT: &str = "open IMU frame";
const HEADER: usize = 11;

/// Decodes an IMU data notification.
pub fn decode_frame(b: &[u8]) -> Result<ImuFrame, DecodeError> {
    need(WHAT, b, HEADER)?;
    if b[0] != 1 {
        return Err(DecodeError::BadValue {
            what: WHAT,
            field: "version",
            value: u64::from(b[0]),
        });
    }
    let gyro = b[1] & 1 != 0;
    let count = usize::from(b[10]);
    let stride = if gyro { 12 } else { 6 };
    let expected = HEADER + count * stride;
    if b.len() != expected {
        return Err(DecodeError::WrongLength {
            what: WHAT,
            length: b.len(),
            expected,
        });
    }
    let samples = b[HEADER..]
        .chunks_exact(stride)
        .map(|c| ImuSample {
            accel_mg: [i16_at(c, 0), i16_at(c, 2), i16_at(c, 4)],
            gyro_dps: gyro.then(|| [6, 8, 10].map(|i| f64::from(i16_at(c, i)) / 10.0)),
        })
        .collect();
    Ok(ImuFrame {
        seq: u16_at(b, 2),
        t0_us: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        interval_us: u16_at(b, 8),
        samples,
    })
}

/// Frames lost between two consecutive sequence numbers received (wrapping).
pub fn lost_between(previous: u16, current: u16) -> u16 {
    current.wrapping_sub(previous).wrapping_sub(1)
}

/// The strap's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Sample rate (Hz).
    pub rate_hz: u16,
    /// Accelerometer range (g).
    pub accel_range_g: u8,
    /// Gyro range (deg/s).
    pub gyro_range_dps: u16,
}

impl Config {
    /// The 5-byte wire form.
    pub fn encode(&self) -> [u8; 5] {
        let [r0, r1] = self.rate_hz.to_le_bytes();
        let [g0, g1] = self.gyro_range_dps.to_le_bytes();
        [r0, r1, self.accel_range_g, g0, g1]
    }

    /// Decodes the config characteristic.
    pub fn decode(b: &[u8]) -> Result<Self, DecodeError> {
        if b.len() != 5 {
            return Err(DecodeError::WrongLength {
                what: "open IMU config",
                length: b.len(),
                expected: 5,
            });
        }
        Ok(Self {
            rate_hz: u16_at(b, 0),
            accel_range_g: b[2],
            gyro_range_dps: u16_at(b, 3),
        })
    }
}

/// A vibration pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Haptic {
    /// One short buzz.
    Short = 1,
    /// Two buzzes.
    Double = 2,
    /// One long buzz.
    Long = 3,
}

/// The haptic command.
pub fn encode_haptic(pattern: Haptic, duration_ms: u16) -> [u8; 3] {
    let [d0, d1] = duration_ms.to_le_bytes();
    [pattern as u8, d0, d1]
}

/// Decodes the placement characteristic: 0 unknown, 1 chest, 2 upper back, 3 thigh,
/// 4 ankle, 5 wrist, 6 upper arm.
pub fn decode_placement(b: &[u8]) -> Result<u8, DecodeError> {
    need("open IMU placement", b, 1)?;
    match b[0] {
        v @ 0..=6 => Ok(v),
        v => Err(DecodeError::BadValue {
            what: "open IMU placement",
            field: "placement",
            value: u64::from(v),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_from_protocols_md() {
        let b = [
            0x01, 0x01, 0x07, 0x00, 0x40, 0x42, 0x0F, 0x00, 0x10, 0x27, 0x01, 0x00, 0x00, 0x00,
            0x00, 0xE8, 0x03, 0x0A, 0x00, 0x00, 0x00, 0xF6, 0xFF,
        ];
        let f = decode_frame(&b).unwrap();
        assert_eq!((f.seq, f.t0_us, f.interval_us), (7, 1_000_000, 10_000));
        assert_eq!(f.samples.len(), 1);
        assert_eq!(f.samples[0].accel_mg, [0, 0, 1000]);
        assert_eq!(f.samples[0].gyro_dps, Some([1.0, 0.0, -1.0]));
    }

    #[test]
    fn wrong_length_version_and_gaps() {
        assert!(matches!(
            decode_frame(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]),
            Err(DecodeError::WrongLength { expected: 17, .. })
        ));
        assert!(decode_frame(&[2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
        assert_eq!(
            decode_frame(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
                .unwrap()
                .samples
                .len(),
            0
        );
        assert_eq!(lost_between(7, 8), 0);
        assert_eq!(lost_between(7, 10), 2);
        assert_eq!(lost_between(65535, 0), 0);
    }

    #[test]
    fn config_haptic_placement() {
        let c = Config {
            rate_hz: 200,
            accel_range_g: 8,
            gyro_range_dps: 2000,
        };
        assert_eq!(Config::decode(&c.encode()), Ok(c));
        assert_eq!(encode_haptic(Haptic::Double, 300), [2, 0x2C, 0x01]);
        assert_eq!(decode_placement(&[3]), Ok(3));
        assert!(decode_placement(&[9]).is_err());
    }
}
