//! Open IMU Strap profile (protocols.md §3): IMU data frames, config, haptic and
//! placement characteristics.

/// 128-bit UUID of a profile item, from its 16-bit id and the profile base
/// `5A3Exxxx-7F4C-4E59-9D3B-2C1A8E6F4B70`.
pub fn uuid(id: u16) -> String {
    format!("5a3e{id:04x}-7f4c-4e59-9d3b-2c1a8e6f4b70")
}

/// Service id.
pub const SERVICE: u16 = 0x0001;
/// IMU data characteristic id (notify).
pub const DATA: u16 = 0x0002;
/// Config characteristic id (read, write).
pub const CONFIG: u16 = 0x0003;
/// Haptic characteristic id (write, write without response).
pub const HAPTIC: u16 = 0x0004;
/// Placement characteristic id (read).
pub const PLACEMENT: u16 = 0x0005;
/// Most samples with gyro that fit one frame at an ATT MTU of 247.
pub const MAX_SAMPLES_WITH_GYRO: usize = 19;

/// One IMU sample in wire units: accel mg, gyro 0.1 deg/s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawSample {
    /// Accelerometer, 1 LSB = 1 mg.
    pub accel: [i16; 3],
    /// Gyroscope, 1 LSB = 0.1 deg/s.
    pub gyro: [i16; 3],
}

impl RawSample {
    /// Converts from g and deg/s, rounding and saturating.
    pub fn from_units(accel_g: [f64; 3], gyro_dps: [f64; 3]) -> Self {
        let q = |v: f64, scale: f64| (v * scale).round().clamp(-32768.0, 32767.0) as i16;
        Self {
            accel: accel_g.map(|v| q(v, 1000.0)),
            gyro: gyro_dps.map(|v| q(v, 10.0)),
        }
    }
}

/// Header fields of an IMU data frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// Sequence number (wraps).
    pub sequence: u16,
    /// Device time of the first sample, microseconds (wraps).
    pub first_sample_us: u32,
    /// Sample interval in microseconds.
    pub interval_us: u16,
    /// Whether gyro values follow each sample's accel values.
    pub gyro: bool,
}

/// Encodes a data frame: header, then per sample accel x,y,z and (when flagged)
/// gyro x,y,z, all i16.
pub fn frame(header: FrameHeader, samples: &[RawSample]) -> Vec<u8> {
    let mut out = Vec::with_capacity(11 + samples.len() * 12);
    out.push(1);
    out.push(u8::from(header.gyro));
    out.extend_from_slice(&header.sequence.to_le_bytes());
    out.extend_from_slice(&header.first_sample_us.to_le_bytes());
    out.extend_from_slice(&header.interval_us.to_le_bytes());
    out.push(samples.len().min(255) as u8);
    for s in samples.iter().take(255) {
        for v in s.accel {
            out.extend_from_slice(&v.to_le_bytes());
        }
        if header.gyro {
            for v in s.gyro {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
    out
}

/// Contents of the config characteristic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Sample rate in Hz.
    pub rate_hz: u16,
    /// Accelerometer range in g.
    pub accel_range_g: u8,
    /// Gyroscope range in deg/s.
    pub gyro_range_dps: u16,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            rate_hz: 100,
            accel_range_g: 8,
            gyro_range_dps: 2000,
        }
    }
}

/// A config or haptic write of the wrong length.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} write of {length} bytes, expected {expected}")]
pub struct WrongLength {
    /// Which characteristic.
    pub what: &'static str,
    /// Bytes received.
    pub length: usize,
    /// Bytes expected.
    pub expected: usize,
}

impl Config {
    /// `[rate u16][accel range u8][gyro range u16]`.
    pub fn encode(self) -> Vec<u8> {
        let mut out = self.rate_hz.to_le_bytes().to_vec();
        out.push(self.accel_range_g);
        out.extend_from_slice(&self.gyro_range_dps.to_le_bytes());
        out
    }

    /// Parses a config write.
    pub fn parse(bytes: &[u8]) -> Result<Self, WrongLength> {
        let &[r0, r1, a, g0, g1] = bytes else {
            return Err(WrongLength {
                what: "config",
                length: bytes.len(),
                expected: 5,
            });
        };
        Ok(Self {
            rate_hz: u16::from_le_bytes([r0, r1]),
            accel_range_g: a,
            gyro_range_dps: u16::from_le_bytes([g0, g1]),
        })
    }
}

/// A haptic command as written by a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Haptic {
    /// 1 short, 2 double, 3 long.
    pub pattern: u8,
    /// Duration in ms.
    pub duration_ms: u16,
}

impl Haptic {
    /// Parses `[pattern u8][duration ms u16]`.
    pub fn parse(bytes: &[u8]) -> Result<Self, WrongLength> {
        let &[pattern, d0, d1] = bytes else {
            return Err(WrongLength {
                what: "haptic",
                length: bytes.len(),
                expected: 3,
            });
        };
        Ok(Self {
            pattern,
            duration_ms: u16::from_le_bytes([d0, d1]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_frame_vector() {
        let bytes = frame(
            FrameHeader {
                sequence: 7,
                first_sample_us: 1_000_000,
                interval_us: 10_000,
                gyro: true,
            },
            &[RawSample::from_units([0.0, 0.0, 1.0], [1.0, 0.0, -1.0])],
        );
        assert_eq!(
            bytes,
            [
                0x01, 0x01, 0x07, 0x00, 0x40, 0x42, 0x0F, 0x00, 0x10, 0x27, 0x01, 0x00, 0x00, 0x00,
                0x00, 0xE8, 0x03, 0x0A, 0x00, 0x00, 0x00, 0xF6, 0xFF
            ]
        );
    }

    #[test]
    fn nineteen_samples_with_gyro_fit_mtu_247() {
        let s = RawSample::from_units([0.0; 3], [0.0; 3]);
        let header = FrameHeader {
            sequence: 0,
            first_sample_us: 0,
            interval_us: 5000,
            gyro: true,
        };
        assert!(frame(header, &[s; MAX_SAMPLES_WITH_GYRO]).len() <= 244);
        assert!(frame(header, &[s; MAX_SAMPLES_WITH_GYRO + 1]).len() > 244);
    }

    #[test]
    fn config_round_trip_and_length_error() {
        let c = Config::default();
        assert_eq!(Config::parse(&c.encode()), Ok(c));
        assert_eq!(
            Config::parse(&[1, 2]),
            Err(WrongLength {
                what: "config",
                length: 2,
                expected: 5
            })
        );
    }

    #[test]
    fn haptic_parse() {
        assert_eq!(
            Haptic::parse(&[2, 0xF4, 0x01]),
            Ok(Haptic {
                pattern: 2,
                duration_ms: 500
            })
        );
        assert!(Haptic::parse(&[1]).is_err());
    }
}
