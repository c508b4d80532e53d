//! Polar Measurement Data (PMD): the control point exchange and accelerometer data
//! frames of a Polar H10 (and Verity Sense, OH1).

use super::{DecodeError, need, u16_at};

/// PMD service.
pub const SERVICE: &str = "fb005c80-02e7-f387-1cad-8acd2d8df0c8";
/// Control point: read, write, indicate.
pub const CONTROL_POINT: &str = "fb005c81-02e7-f387-1cad-8acd2d8df0c8";
/// Data: notify.
pub const DATA: &str = "fb005c82-02e7-f387-1cad-8acd2d8df0c8";

/// Measurement type: accelerometer.
pub const ACC: u8 = 2;
/// Control point opcodes.
pub mod op {
    /// Ask what settings a measurement supports.
    pub const GET_SETTINGS: u8 = 1;
    /// Start a measurement.
    pub const START: u8 = 2;
    /// Stop a measurement.
    pub const STOP: u8 = 3;
}

/// Setting types in the TLV lists.
mod setting {
    pub const SAMPLE_RATE: u8 = 0;
    pub const RESOLUTION: u8 = 1;
    pub const RANGE: u8 = 2;
    pub const CHANNELS: u8 = 4;
    pub const FACTOR: u8 = 5;
}

/// A control point response's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 0.
    Success,
    /// 1-14, by the names in the PMD documentation.
    Error(u8),
}

impl Status {
    /// What the status means.
    pub fn describe(self) -> &'static str {
        const NAMES: [&str; 15] = [
            "success",
            "invalid opcode",
            "invalid measurement type",
            "not supported",
            "invalid length",
            "invalid parameter",
            "already in state",
            "invalid resolution",
            "invalid sample rate",
            "invalid range",
            "invalid MTU",
            "invalid number of channels",
            "invalid state",
            "device in charger",
            "disk full",
        ];
        let code = match self {
            Status::Success => 0,
            Status::Error(c) => c,
        };
        NAMES
            .get(usize::from(code))
            .copied()
            .unwrap_or("unknown status")
    }
}

/// Settings a measurement supports (a GET_SETTINGS answer) or uses.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Settings {
    /// Hz.
    pub sample_rates: Vec<u16>,
    /// Bits.
    pub resolutions: Vec<u16>,
    /// G (accelerometer).
    pub ranges: Vec<u16>,
    /// Channel counts.
    pub channels: Vec<u8>,
    /// Scale factor of compressed frames.
    pub factor: Option<f32>,
}

/// What the control point indicates.
#[derive(Debug, Clone, PartialEq)]
pub enum Control {
    /// An answer to a request.
    Response {
        /// The request's opcode.
        opcode: u8,
        /// The measurement type.
        measurement: u8,
        /// Success or why not.
        status: Status,
        /// More responses follow.
        more: bool,
        /// Raw parameters (TLV settings for GET_SETTINGS and some START answers).
        params: Vec<u8>,
    },
    /// The strap stopped these measurements on its own.
    Stopped {
        /// Measurement types.
        measurements: Vec<u8>,
    },
}

impl Control {
    /// The parameters as settings, if they are a well-formed TLV list.
    pub fn settings(&self) -> Option<Settings> {
        match self {
            Control::Response { params, .. } => parse_settings(params).ok(),
            Control::Stopped { .. } => None,
        }
    }
}

const CONTROL: &str = "PMD control point";

/// Decodes a control point indication.
pub fn decode_control(b: &[u8]) -> Result<Control, DecodeError> {
    need(CONTROL, b, 1)?;
    match b[0] {
        0xF0 => {
            need(CONTROL, b, 4)?;
            let status = match b[3] {
                0 => Status::Success,
                s => Status::Error(s),
            };
            Ok(Control::Response {
                opcode: b[1],
                measurement: b[2],
                status,
                more: b.get(4).is_some_and(|m| *m != 0),
                params: b.get(5..).unwrap_or_default().to_vec(),
            })
        }
        0x01 => Ok(Control::Stopped {
            measurements: b[1..].to_vec(),
        }),
        other => Err(DecodeError::BadValue {
            what: CONTROL,
            field: "response code",
            value: u64::from(other),
        }),
    }
}

/// Parses a TLV settings list: `[type][count][count values]...`.
pub fn parse_settings(b: &[u8]) -> Result<Settings, DecodeError> {
    const WHAT: &str = "PMD settings";
    let mut s = Settings::default();
    let mut i = 0;
    while i < b.len() {
        need(WHAT, b, i + 2)?;
        let (kind, count) = (b[i], usize::from(b[i + 1]));
        i += 2;
        let size = match kind {
            setting::SAMPLE_RATE | setting::RESOLUTION | setting::RANGE => 2,
            setting::CHANNELS => 1,
            setting::FACTOR => 4,
            other => {
                return Err(DecodeError::BadValue {
                    what: WHAT,
                    field: "setting type",
                    value: u64::from(other),
                });
            }
        };
        need(WHAT, b, i + size * count)?;
        for k in 0..count {
            let at = i + k * size;
            match kind {
                setting::SAMPLE_RATE => s.sample_rates.push(u16_at(b, at)),
                setting::RESOLUTION => s.resolutions.push(u16_at(b, at)),
                setting::RANGE => s.ranges.push(u16_at(b, at)),
                setting::CHANNELS => s.channels.push(b[at]),
                _ => s.factor = Some(f32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])),
            }
        }
        i += size * count;
    }
    Ok(s)
}

/// `GET_SETTINGS` for a measurement.
pub fn encode_get_settings(measurement: u8) -> Vec<u8> {
    vec![op::GET_SETTINGS, measurement]
}

/// `START` with range (G), sample rate (Hz) and resolution (bits), in the order a
/// Polar H10 is sent them.
pub fn encode_start(measurement: u8, rate_hz: u16, resolution_bits: u16, range_g: u16) -> Vec<u8> {
    let mut b = vec![op::START, measurement];
    for (kind, value) in [
        (setting::RANGE, range_g),
        (setting::SAMPLE_RATE, rate_hz),
        (setting::RESOLUTION, resolution_bits),
    ] {
        b.extend([kind, 1]);
        b.extend(value.to_le_bytes());
    }
    b
}

/// `STOP` for a measurement.
pub fn encode_stop(measurement: u8) -> Vec<u8> {
    vec![op::STOP, measurement]
}

/// One accelerometer data notification.
#[derive(Debug, Clone, PartialEq)]
pub struct AccFrame {
    /// Device time of the LAST sample: ns since 2000-01-01T00:00:00Z on the strap's clock.
    pub timestamp_ns: u64,
    /// Frame type (0x00-0x02 raw, 0x80/0x81 delta-compressed).
    pub frame_type: u8,
    /// Samples in mG, x, y, z, oldest first.
    pub samples_mg: Vec<[f64; 3]>,
}

const DATA_WHAT: &str = "PMD data frame";

/// Decodes an ACC data notification. `factor` comes from the START answer (1.0 if
/// none); `resolution_bits` from the settings used (16 on an H10).
pub fn decode_acc(b: &[u8], factor: f32, resolution_bits: u16) -> Result<AccFrame, DecodeError> {
    need(DATA_WHAT, b, 10)?;
    let measurement = b[0] & 0x3F;
    if measurement != ACC {
        return Err(DecodeError::BadValue {
            what: DATA_WHAT,
            field: "measurement type",
            value: u64::from(measurement),
        });
    }
    let timestamp_ns = u64::from_le_bytes(b[1..9].try_into().unwrap_or_default());
    let frame_type = b[9];
    let content = &b[10..];
    let factor = f64::from(factor);
    let scale = match frame_type {
        0x80 => factor * 1000.0,
        _ if (factor - 1.0).abs() > f64::EPSILON && factor > 0.0 => factor,
        _ => 1.0,
    };
    let raw = match frame_type {
        0x00..=0x02 => raw_samples(content, usize::from(frame_type) + 1)?,
        0x80 | 0x81 => compressed_samples(content, resolution_bits)?,
        other => {
            return Err(DecodeError::BadValue {
                what: DATA_WHAT,
                field: "frame type",
                value: u64::from(other),
            });
        }
    };
    let samples_mg = raw
        .iter()
        .map(|s| s.map(|v| f64::from(v) * scale))
        .collect();
    Ok(AccFrame {
        timestamp_ns,
        frame_type,
        samples_mg,
    })
}

/// Sign-extends the low `bits` of `v`.
fn sign_extend(v: u32, bits: u32) -> i32 {
    if bits == 0 {
        return 0;
    }
    let shift = 32 - bits;
    ((v << shift) as i32) >> shift
}

fn raw_samples(content: &[u8], width: usize) -> Result<Vec<[i32; 3]>, DecodeError> {
    let stride = 3 * width;
    if !content.len().is_multiple_of(stride) {
        let expected = content.len() / stride * stride + 10;
        return Err(DecodeError::WrongLength {
            what: DATA_WHAT,
            length: content.len() + 10,
            expected,
        });
    }
    Ok(content
        .chunks_exact(stride)
        .map(|c| {
            let value = |k: usize| {
                let mut v = 0u32;
                for (j, byte) in c[k * width..(k + 1) * width].iter().enumerate() {
                    v |= u32::from(*byte) << (8 * j);
                }
                sign_extend(v, 8 * width as u32)
            };
            [value(0), value(1), value(2)]
        })
        .collect())
}

/// Reads bits least-significant first.
struct Bits<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Bits<'_> {
    fn take(&mut self, n: u32) -> u32 {
        let mut v = 0u32;
        for k in 0..n {
            let (byte, bit) = (self.pos / 8, self.pos % 8);
            v |= u32::from((self.bytes[byte] >> bit) & 1) << k;
            self.pos += 1;
        }
        v
    }
}

fn compressed_samples(content: &[u8], resolution_bits: u16) -> Result<Vec<[i32; 3]>, DecodeError> {
    let rb = usize::from(resolution_bits).div_ceil(8);
    if !(1..=4).contains(&rb) {
        return Err(DecodeError::BadValue {
            what: DATA_WHAT,
            field: "resolution",
            value: u64::from(resolution_bits),
        });
    }
    need(DATA_WHAT, content, 3 * rb)?;
    let mut reference = raw_samples(&content[..3 * rb], rb)?[0];
    let mut samples = vec![reference];
    let mut i = 3 * rb;
    while i < content.len() {
        need(DATA_WHAT, content, i + 2)?;
        let (width, count) = (u32::from(content[i]), usize::from(content[i + 1]));
        if width > 32 {
            return Err(DecodeError::BadValue {
                what: DATA_WHAT,
                field: "delta bit width",
                value: u64::from(width),
            });
        }
        let len = (width as usize * 3 * count).div_ceil(8);
        need(DATA_WHAT, content, i + 2 + len)?;
        let mut bits = Bits {
            bytes: &content[i + 2..i + 2 + len],
            pos: 0,
        };
        for _ in 0..count {
            for ch in &mut reference {
                *ch = ch.wrapping_add(sign_extend(bits.take(width), width));
            }
            samples.push(reference);
        }
        i += 2 + len;
    }
    Ok(samples)
}

/// Device times of the `n` samples of a frame whose last sample is at `ts`: spread
/// evenly after the previous frame's `prev`, or stepped back at `rate_hz` for the
/// first frame (or when the clock went backwards).
pub fn sample_times(prev: Option<u64>, ts: u64, n: usize, rate_hz: f64) -> Vec<u64> {
    if n == 0 {
        return Vec::new();
    }
    match prev {
        Some(p) if p < ts => {
            let step = (ts - p) as f64 / n as f64;
            (1..=n)
                .map(|i| p + (step * i as f64).round() as u64)
                .collect()
        }
        _ => {
            let step = 1e9 / rate_hz.max(1e-3);
            (0..n)
                .map(|i| ts.saturating_sub((step * (n - 1 - i) as f64).round() as u64))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|h| u8::from_str_radix(h, 16).unwrap())
            .collect()
    }

    #[test]
    fn h10_settings_answer() {
        let c = decode_control(&hex(
            "F0 01 02 00 00 00 04 19 00 32 00 64 00 C8 00 01 01 10 00 02 03 02 00 04 00 08 00",
        ))
        .unwrap();
        assert!(matches!(
            c,
            Control::Response {
                opcode: 1,
                measurement: 2,
                status: Status::Success,
                more: false,
                ..
            }
        ));
        let s = c.settings().unwrap();
        assert_eq!(s.sample_rates, [25, 50, 100, 200]);
        assert_eq!(s.resolutions, [16]);
        assert_eq!(s.ranges, [2, 4, 8]);
        assert_eq!(encode_get_settings(ACC), hex("01 02"));
    }

    #[test]
    fn h10_start_and_stop() {
        assert_eq!(
            encode_start(ACC, 200, 16, 8),
            hex("02 02 02 01 08 00 00 01 C8 00 01 01 10 00")
        );
        let c = decode_control(&hex("F0 02 02 00 00 01")).unwrap();
        assert!(matches!(
            c,
            Control::Response {
                opcode: 2,
                status: Status::Success,
                ..
            }
        ));
        assert_eq!(encode_stop(ACC), hex("03 02"));
        assert!(matches!(
            decode_control(&hex("F0 03 02 00 00")).unwrap(),
            Control::Response {
                opcode: 3,
                status: Status::Success,
                ..
            }
        ));
    }

    #[test]
    fn error_status_and_unprompted_stop() {
        let c = decode_control(&hex("F0 02 02 08 00")).unwrap();
        let Control::Response { status, .. } = c else {
            panic!()
        };
        assert_eq!(status, Status::Error(8));
        assert_eq!(status.describe(), "invalid sample rate");
        assert_eq!(
            decode_control(&hex("01 02")).unwrap(),
            Control::Stopped {
                measurements: vec![2]
            }
        );
    }

    #[test]
    fn verity_factor_from_start_answer() {
        let f = decode_control(&hex("F0 02 02 00 00 05 01 40 DA 7F 39"))
            .unwrap()
            .settings()
            .unwrap()
            .factor
            .unwrap();
        assert!((f - 0.000244).abs() < 1e-7, "{f}");
    }

    #[test]
    fn h10_data_frame() {
        let f = decode_acc(
            &hex("02 EA 54 A2 42 8B 45 52 08 01 45 FF E4 FF B5 03 45 FF E4 FF B8 03"),
            1.0,
            16,
        )
        .unwrap();
        assert_eq!(f.timestamp_ns, 599_618_164_814_402_794);
        assert_eq!(f.frame_type, 1);
        assert_eq!(
            f.samples_mg,
            [[-187.0, -28.0, 949.0], [-187.0, -28.0, 952.0]]
        );
    }

    #[test]
    fn raw_type_1() {
        let f = decode_acc(
            &hex("02 00 94 35 77 00 00 00 00 01 F7 FF FF FF E7 03 F8 FF FE FF E5 03"),
            1.0,
            16,
        )
        .unwrap();
        assert_eq!(f.timestamp_ns, 2_000_000_000);
        assert_eq!(f.samples_mg, [[-9.0, -1.0, 999.0], [-8.0, -2.0, 997.0]]);
    }

    #[test]
    fn compressed_0x81() {
        let f = decode_acc(
            &hex("02 00 00 00 00 00 00 00 00 81 F1 FF 14 00 F0 03 06 01 7B 0F 08"),
            1.0,
            16,
        )
        .unwrap();
        assert_eq!(f.samples_mg, [[-15.0, 20.0, 1008.0], [-20.0, 17.0, 1008.0]]);
    }

    #[test]
    fn compressed_0x80_with_factor() {
        // The documented block has 29 samples; the vector lists the first three,
        // the rest are zero deltas here.
        let mut b =
            hex("02 00 00 00 00 00 00 00 00 80 D0 FF 65 01 E4 0F 08 1D FC 07 FF 0C 13 F2 11 F1 1A");
        b.resize(b.len() + 3 * 29 - 9, 0);
        let f = decode_acc(&b, 0.000244, 16).unwrap();
        assert_eq!(f.samples_mg.len(), 30);
        let expect = [
            [-48, 357, 4068],
            [-52, 364, 4067],
            [-40, 383, 4053],
            [-23, 368, 4079],
        ];
        for (got, want) in f.samples_mg.iter().zip(expect) {
            for (g, w) in got.iter().zip(want) {
                assert!(
                    (g - f64::from(w) * 0.244).abs() < 0.01,
                    "{got:?} vs {want:?}"
                );
            }
        }
    }

    #[test]
    fn int8_and_int24_frames() {
        let f = decode_acc(&hex("02 00 00 00 00 00 00 00 00 00 FF 01 80"), 1.0, 8).unwrap();
        assert_eq!(f.samples_mg, [[-1.0, 1.0, -128.0]]);
        let f = decode_acc(
            &hex("02 00 00 00 00 00 00 00 00 02 FF FF FF E8 03 00 00 00 80"),
            1.0,
            24,
        )
        .unwrap();
        assert_eq!(f.samples_mg, [[-1.0, 1000.0, -8_388_608.0]]);
    }

    #[test]
    fn truncated_and_unknown_frames_are_errors() {
        assert!(decode_acc(&hex("02 00 94 35 77 00 00 00 00 01 F7 FF FF"), 1.0, 16).is_err());
        assert!(decode_acc(&hex("02 00 94 35"), 1.0, 16).is_err());
        assert!(decode_acc(&hex("02 00 00 00 00 00 00 00 00 07 00 00 00"), 1.0, 16).is_err());
        assert!(decode_acc(&hex("00 00 00 00 00 00 00 00 00 01"), 1.0, 16).is_err());
        assert!(
            decode_acc(
                &hex("02 00 00 00 00 00 00 00 00 81 F1 FF 14 00 F0 03 06 02 7B"),
                1.0,
                16
            )
            .is_err()
        );
    }

    #[test]
    fn times_are_spread_between_frames() {
        assert_eq!(sample_times(Some(1_000), 2_000, 2, 200.0), [1_500, 2_000]);
        assert_eq!(
            sample_times(None, 10_000_000, 3, 200.0),
            [0, 5_000_000, 10_000_000]
        );
        assert_eq!(sample_times(Some(5_000), 2_000, 1, 200.0), [2_000]);
    }
}
