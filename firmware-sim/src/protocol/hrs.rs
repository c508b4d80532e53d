//! Heart Rate Measurement (0x2A37) encoding, Bluetooth SIG Heart Rate service.

/// Sensor contact as reported in the flags byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contact {
    /// Contact detection not supported (flag bit 2 clear).
    Unsupported,
    /// Supported, no skin contact.
    NoContact,
    /// Supported and in contact.
    Detected,
}

/// One Heart Rate Measurement notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeartRateMeasurement {
    /// Beats per minute.
    pub bpm: u16,
    /// Send the value as u16 even when it fits a u8.
    pub wide: bool,
    /// Sensor contact state.
    pub contact: Contact,
    /// Energy expended in kJ, if present.
    pub energy_kj: Option<u16>,
    /// RR intervals in units of 1/1024 s, oldest first.
    pub rr: Vec<u16>,
}

impl HeartRateMeasurement {
    /// A measurement as a chest strap in contact sends it: u8 value, contact, RR.
    pub fn with_rr(bpm: u16, rr: Vec<u16>) -> Self {
        Self {
            bpm,
            wide: bpm > 255,
            contact: Contact::Detected,
            energy_kj: None,
            rr,
        }
    }

    /// Encodes the notification bytes.
    pub fn encode(&self) -> Vec<u8> {
        let wide = self.wide || self.bpm > 255;
        let mut flags = u8::from(wide);
        flags |= match self.contact {
            Contact::Unsupported => 0,
            Contact::NoContact => 0b100,
            Contact::Detected => 0b110,
        };
        if self.energy_kj.is_some() {
            flags |= 0b1000;
        }
        if !self.rr.is_empty() {
            flags |= 0b1_0000;
        }
        let mut out = vec![flags];
        if wide {
            out.extend_from_slice(&self.bpm.to_le_bytes());
        } else {
            // `wide` is false only when bpm <= 255.
            out.push(self.bpm.min(255) as u8);
        }
        if let Some(e) = self.energy_kj {
            out.extend_from_slice(&e.to_le_bytes());
        }
        for rr in &self.rr {
            out.extend_from_slice(&rr.to_le_bytes());
        }
        out
    }
}

/// Converts an RR interval in seconds to 1/1024 s units, saturating.
pub fn rr_units(seconds: f64) -> u16 {
    (seconds * 1024.0).round().clamp(0.0, f64::from(u16::MAX)) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(bpm: u16, wide: bool, contact: Contact, energy: Option<u16>, rr: &[u16]) -> Vec<u8> {
        HeartRateMeasurement {
            bpm,
            wide,
            contact,
            energy_kj: energy,
            rr: rr.to_vec(),
        }
        .encode()
    }

    #[test]
    fn protocol_vectors() {
        use Contact::*;
        assert_eq!(m(255, false, Unsupported, None, &[]), [0x00, 0xFF]);
        assert_eq!(m(32896, true, Unsupported, None, &[]), [0x01, 0x80, 0x80]);
        assert_eq!(
            m(0, true, Unsupported, Some(65535), &[]),
            [0x09, 0x00, 0x00, 0xFF, 0xFF]
        );
        assert_eq!(
            m(0, false, Unsupported, Some(32895), &[]),
            [0x08, 0x00, 0x7F, 0x80]
        );
        assert_eq!(
            m(0, false, Unsupported, None, &[65535]),
            [0x10, 0x00, 0xFF, 0xFF]
        );
        assert_eq!(
            m(0, true, Unsupported, None, &[65535, 32895]),
            [0x11, 0x00, 0x00, 0xFF, 0xFF, 0x7F, 0x80]
        );
        assert_eq!(m(72, false, Detected, None, &[]), [0x06, 0x48]);
    }

    #[test]
    fn rr_units_round_trip_ms() {
        assert_eq!(rr_units(63.999), 65535);
        assert_eq!(rr_units(1.0), 1024);
        assert_eq!(rr_units(-1.0), 0);
    }
}
