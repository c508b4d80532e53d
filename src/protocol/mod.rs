//! Strap protocols: pure decoders from notification bytes to typed values, and
//! encoders for the few commands postured sends. No I/O here; every format is
//! tested against the byte vectors in `docs/protocols.md`, and no input
//! makes a decoder panic (property-tested over arbitrary bytes).

pub mod hrs;
pub mod open_imu;
pub mod pmd;

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Shorter than the format's minimum.
    #[error("{what}: {length} bytes, need at least {min}")]
    TooShort {
        /// Which format.
        what: &'static str,
        /// Bytes given.
        length: usize,
        /// Bytes needed.
        min: usize,
    },
    /// Not the length the header announces.
    #[error("{what}: {length} bytes, expected {expected}")]
    WrongLength {
        /// Which format.
        what: &'static str,
        /// Bytes given.
        length: usize,
        /// Bytes expected.
        expected: usize,
    },
    /// A field holds a value the format does not allow.
    #[error("{what}: {field} = {value} is not valid")]
    BadValue {
        /// Which format.
        what: &'static str,
        /// Which field.
        field: &'static str,
        /// The value found.
        value: u64,
    },
}

/// Reads a little-endian u16 at `i`; callers check the length first.
pub(crate) fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

/// Reads a little-endian i16 at `i`; callers check the length first.
pub(crate) fn i16_at(b: &[u8], i: usize) -> i16 {
    i16::from_le_bytes([b[i], b[i + 1]])
}

pub(crate) fn need(what: &'static str, b: &[u8], min: usize) -> Result<(), DecodeError> {
    if b.len() < min {
        return Err(DecodeError::TooShort {
            what,
            length: b.len(),
            min,
        });
    }
    Ok(())
}
