//! Byte encoders for the strap protocols in protocols.md: the standard Heart Rate
//! service, Polar's PMD service and our Open IMU Strap profile.
//!
//! Like real firmware, these are written from the published formats and share no
//! code with postured's decoders. Every function is pure: values in, bytes out (or
//! bytes in, a typed request out, for what a client writes to a strap).

pub mod hrs;
pub mod open_imu;
pub mod pmd;
