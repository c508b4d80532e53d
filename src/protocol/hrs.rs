//! The standard Heart Rate (0x180D) and Battery (0x180F) services.

use super::{DecodeError, need, u16_at};

/// Heart Rate Measurement characteristic.
pub const HEART_RATE_MEASUREMENT: &str = "00002a37-0000-1000-8000-00805f9b34fb";
/// Heart Rate service.
pub const HEART_RATE_SERVICE: &str = "0000180d-0000-1000-8000-00805f9b34fb";
/// Battery service.
pub const BATTERY_SERVICE: &str = "0000180f-0000-1000-8000-00805f9b34fb";
/// Battery Level characteristic.
pub const BATTERY_LEVEL: &str = "00002a19-0000-1000-8000-00805f9b34fb";

/// One Heart Rate Measurement notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeartRate {
    /// Beats per minute.
    pub bpm: u16,
    /// Skin contact: `None` when the strap cannot tell.
    pub contact: Option<bool>,
    /// Energy expended since the last reset (kJ), when sent.
    pub energy_kj: Option<u16>,
    /// RR intervals, oldest first, in 1/1024 s.
    pub rr_1024: Vec<u16>,
}

impl HeartRate {
    /// RR intervals in whole milliseconds, rounded.
    pub fn rr_ms(&self) -> impl Iterator<Item = u32> + '_ {
        self.rr_1024
            .iter()
            .map(|&rr| ((u64::from(rr) * 1000 + 512) / 1024) as u32)
    }
}

const WHAT: &str = "heart rate measurement";

/// Decodes a Heart Rate Measurement (0x2A37) value.
pub fn decode_heart_rate(b: &[u8]) -> Result<HeartRate, DecodeError> {
    need(WHAT, b, 2)?;
    let flags = b[0];
    let wide = flags & 0x01 != 0;
    let mut i = 1;
    let bpm = if wide {
        need(WHAT, b, 3)?;
        i += 2;
        u16_at(b, 1)
    } else {
        i += 1;
        u16::from(b[1])
    };
    let contact = (flags & 0x04 != 0).then_some(flags & 0x02 != 0);
    let energy_kj = if flags & 0x08 != 0 {
        need(WHAT, b, i + 2)?;
        i += 2;
        Some(u16_at(b, i - 2))
    } else {
        None
    };
    let mut rr_1024 = Vec::new();
    if flags & 0x10 != 0 {
        let rest = &b[i..];
        if !rest.len().is_multiple_of(2) {
            return Err(DecodeError::WrongLength {
                what: WHAT,
                length: b.len(),
                expected: b.len() - 1,
            });
        }
        rr_1024 = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
    }
    Ok(HeartRate {
        bpm,
        contact,
        energy_kj,
        rr_1024,
    })
}

/// Decodes a Battery Level (0x2A19) value: percent, 0-100.
pub fn decode_battery(b: &[u8]) -> Result<u8, DecodeError> {
    need("battery level", b, 1)?;
    match b[0] {
        v @ 0..=100 => Ok(v),
        v => Err(DecodeError::BadValue {
            what: "battery level",
            field: "percent",
            value: u64::from(v),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hr(bytes: &[u8]) -> HeartRate {
        decode_heart_rate(bytes).unwrap()
    }

    #[test]
    fn vectors_from_protocols_md() {
        assert_eq!(hr(&[0x00, 0xFF]).bpm, 255);
        assert_eq!(hr(&[0x01, 0x80, 0x80]).bpm, 32896);
        let h = hr(&[0x09, 0x00, 0x00, 0xFF, 0xFF]);
        assert_eq!((h.bpm, h.energy_kj), (0, Some(65535)));
        let h = hr(&[0x08, 0x00, 0x7F, 0x80]);
        assert_eq!((h.bpm, h.energy_kj), (0, Some(32895)));
        let h = hr(&[0x10, 0x00, 0xFF, 0xFF]);
        assert_eq!(h.rr_ms().collect::<Vec<_>>(), [63999]);
        let h = hr(&[0x11, 0x00, 0x00, 0xFF, 0xFF, 0x7F, 0x80]);
        assert_eq!(h.bpm, 0);
        assert_eq!(h.rr_ms().collect::<Vec<_>>(), [63999, 32124]);
        let h = hr(&[0x06, 0x48]);
        assert_eq!((h.bpm, h.contact), (72, Some(true)));
        assert_eq!(hr(&[0x04, 0x48]).contact, Some(false));
        assert_eq!(hr(&[0x02, 0x48]).contact, None);
    }

    #[test]
    fn truncated_values_are_errors() {
        assert!(decode_heart_rate(&[]).is_err());
        assert!(decode_heart_rate(&[0x01, 0x80]).is_err());
        assert!(decode_heart_rate(&[0x08, 0x00, 0x7F]).is_err());
        assert!(decode_heart_rate(&[0x10, 0x00, 0xFF]).is_err());
    }

    #[test]
    fn battery() {
        assert_eq!(decode_battery(&[87]), Ok(87));
        assert!(decode_battery(&[101]).is_err());
        assert!(decode_battery(&[]).is_err());
    }
}
