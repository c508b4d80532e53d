//! Polar Measurement Data (PMD): control point requests and responses, and ACC
//! data frames (raw types 0x00-0x02 and delta-compressed 0x80/0x81).

/// Control point opcodes.
pub mod opcode {
    /// Get measurement settings.
    pub const GET_SETTINGS: u8 = 1;
    /// Start a measurement.
    pub const START: u8 = 2;
    /// Stop a measurement.
    pub const STOP: u8 = 3;
    /// Get measurement status.
    pub const GET_STATUS: u8 = 5;
}

/// Measurement type id of the accelerometer.
pub const TYPE_ACC: u8 = 2;
/// Measurement type id of the gyroscope (an H10 has none).
pub const TYPE_GYRO: u8 = 5;
/// First byte of every control point response.
pub const RESPONSE_CODE: u8 = 0xF0;
/// First byte of the indication a sensor sends when it stops a stream itself.
pub const STOPPED_CODE: u8 = 0x01;
/// Device time an H10 restarts at after losing power: 2019-01-01 in ns since 2000-01-01.
pub const H10_CLOCK_RESET_NS: u64 = 599_616_000_000_000_000;

/// Control point response status codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Status {
    /// Success.
    Success = 0,
    /// Unknown opcode.
    InvalidOpcode = 1,
    /// Unknown measurement type.
    InvalidType = 2,
    /// Type not supported by this device.
    NotSupported = 3,
    /// Request length is wrong.
    InvalidLength = 4,
    /// A setting is malformed.
    InvalidParameter = 5,
    /// Already started / already stopped.
    AlreadyInState = 6,
    /// Resolution not offered.
    InvalidResolution = 7,
    /// Sample rate not offered.
    InvalidSampleRate = 8,
    /// Range not offered.
    InvalidRange = 9,
}

/// Setting type ids of the TLV settings.
pub mod setting {
    /// Sample rate, u16 Hz.
    pub const SAMPLE_RATE: u8 = 0;
    /// Resolution, u16 bits.
    pub const RESOLUTION: u8 = 1;
    /// Range, u16 G.
    pub const RANGE: u8 = 2;
    /// Channels, u8.
    pub const CHANNELS: u8 = 4;
    /// Factor, f32 (responses only).
    pub const FACTOR: u8 = 5;
}

/// Settings chosen in a start request (absent settings are `None`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StartSettings {
    /// Sample rate in Hz.
    pub rate: Option<u16>,
    /// Resolution in bits.
    pub resolution: Option<u16>,
    /// Range in G.
    pub range: Option<u16>,
}

/// A parsed control point request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// Opcode byte.
    pub opcode: u8,
    /// Measurement type byte.
    pub kind: u8,
    /// TLV settings (start requests).
    pub settings: StartSettings,
}

/// Why a control point write could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// Fewer than the two header bytes.
    #[error("PMD request of {length} bytes, need at least 2")]
    TooShort {
        /// Bytes received.
        length: usize,
    },
    /// A TLV setting runs past the end.
    #[error("PMD setting {setting} at offset {offset} is truncated")]
    TruncatedSetting {
        /// Setting type id.
        setting: u8,
        /// Offset of its type byte.
        offset: usize,
    },
    /// A setting with count != 1 or an unknown type.
    #[error("PMD setting {setting} is invalid")]
    InvalidSetting {
        /// Setting type id.
        setting: u8,
    },
}

/// Parses `[opcode][type][settings...]`.
pub fn parse_request(bytes: &[u8]) -> Result<Request, RequestError> {
    let [opcode, kind, rest @ ..] = bytes else {
        return Err(RequestError::TooShort {
            length: bytes.len(),
        });
    };
    let mut settings = StartSettings::default();
    let mut i = 0;
    while i < rest.len() {
        let setting = rest[i];
        let truncated = RequestError::TruncatedSetting {
            setting,
            offset: i + 2,
        };
        let count = *rest.get(i + 1).ok_or(truncated.clone())? as usize;
        let width = if setting == setting::CHANNELS { 1 } else { 2 };
        let end = i + 2 + count * width;
        let values = rest.get(i + 2..end).ok_or(truncated)?;
        if count != 1 {
            return Err(RequestError::InvalidSetting { setting });
        }
        let value = if width == 1 {
            u16::from(values[0])
        } else {
            u16::from_le_bytes([values[0], values[1]])
        };
        match setting {
            setting::SAMPLE_RATE => settings.rate = Some(value),
            setting::RESOLUTION => settings.resolution = Some(value),
            setting::RANGE => settings.range = Some(value),
            setting::CHANNELS => {}
            _ => return Err(RequestError::InvalidSetting { setting }),
        }
        i = end;
    }
    Ok(Request {
        opcode: *opcode,
        kind: *kind,
        settings,
    })
}

/// What a device offers for one measurement type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// Sample rates in Hz.
    pub rates: Vec<u16>,
    /// Resolutions in bits.
    pub resolutions: Vec<u16>,
    /// Ranges in G.
    pub ranges: Vec<u16>,
}

impl Capabilities {
    /// A Polar H10's accelerometer.
    pub fn h10_acc() -> Self {
        Self {
            rates: vec![25, 50, 100, 200],
            resolutions: vec![16],
            ranges: vec![2, 4, 8],
        }
    }
}

/// `F0 [opcode] [type] [status] [more] [params...]`.
pub fn response(opcode: u8, kind: u8, status: Status, params: &[u8]) -> Vec<u8> {
    let mut out = vec![RESPONSE_CODE, opcode, kind, status as u8, 0];
    out.extend_from_slice(params);
    out
}

/// The successful answer to a settings query.
pub fn settings_response(kind: u8, caps: &Capabilities) -> Vec<u8> {
    let mut params = Vec::new();
    for (id, values) in [
        (setting::SAMPLE_RATE, &caps.rates),
        (setting::RESOLUTION, &caps.resolutions),
        (setting::RANGE, &caps.ranges),
    ] {
        params.push(id);
        params.push(values.len() as u8);
        for v in values {
            params.extend_from_slice(&v.to_le_bytes());
        }
    }
    response(opcode::GET_SETTINGS, kind, Status::Success, &params)
}

/// A start response carrying the conversion factor setting.
pub fn start_response_with_factor(kind: u8, factor: f32) -> Vec<u8> {
    let mut params = vec![setting::FACTOR, 1];
    params.extend_from_slice(&factor.to_le_bytes());
    response(opcode::START, kind, Status::Success, &params)
}

/// A raw (uncompressed) ACC data frame: frame type 0x00 (i8), 0x01 (i16) or 0x02
/// (i24) per axis, values in mG, `timestamp_ns` = time of the LAST sample.
/// Values are saturated to the frame type's width.
pub fn raw_frame(kind: u8, timestamp_ns: u64, frame_type: u8, samples: &[[i32; 3]]) -> Vec<u8> {
    let width = usize::from(frame_type & 0x03) + 1;
    let mut out = Vec::with_capacity(10 + samples.len() * 3 * width);
    out.push(kind);
    out.extend_from_slice(&timestamp_ns.to_le_bytes());
    out.push(frame_type);
    let max = (1i32 << (8 * width - 1)) - 1;
    for s in samples {
        for v in s {
            let v = (*v).clamp(-max - 1, max);
            out.extend_from_slice(&v.to_le_bytes()[..width]);
        }
    }
    out
}

/// Content of a delta-compressed frame (0x80/0x81): the reference sample at
/// `resolution` bits per channel, then one block of `width`-bit deltas per `chunk`
/// samples. Deltas that do not fit `width` are not representable: returns `None`.
pub fn delta_content(
    samples: &[[i32; 3]],
    resolution: u8,
    width: u8,
    chunk: u8,
) -> Option<Vec<u8>> {
    let (first, rest) = samples.split_first()?;
    let bytes = usize::from(resolution / 8);
    let mut out = Vec::new();
    for v in first {
        out.extend_from_slice(&v.to_le_bytes()[..bytes]);
    }
    let mut prev = *first;
    for block in rest.chunks(usize::from(chunk.max(1))) {
        out.push(width);
        out.push(block.len() as u8);
        let mut bits = BitWriter::default();
        for s in block {
            for c in 0..3 {
                let d = s[c] - prev[c];
                let lim = 1i32 << (width - 1);
                if d < -lim || d >= lim {
                    return None;
                }
                bits.push(d as u32, width);
            }
            prev = *s;
        }
        out.extend(bits.finish());
    }
    Some(out)
}

#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    fn push(&mut self, value: u32, width: u8) {
        let mask = (1u64 << width) - 1;
        self.acc |= (u64::from(value) & mask) << self.n;
        self.n += u32::from(width);
        while self.n >= 8 {
            self.bytes.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.bytes.push(self.acc as u8);
        }
        self.bytes
    }
}

/// Converts acceleration in g to the integer mG an ACC frame carries.
pub fn to_mg(g: f64) -> i32 {
    (g * 1000.0).round() as i32
}

#[cfg(test)]
mod tests;
