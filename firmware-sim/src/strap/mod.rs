//! Strap firmware: what each strap model exposes over GATT, how it answers reads
//! and writes, and which notifications it sends as scenario time passes.
//!
//! Firmware here knows nothing of D-Bus: the BlueZ emulation calls
//! [`Firmware::read`], [`Firmware::write`], [`Firmware::set_notifying`] and
//! [`Firmware::tick`], and delivers what they return.

pub mod heart;
pub mod open_imu;
pub mod polar;

use crate::motion::plan::Timeline;
use crate::scenario::{Placement, Side, StrapKind};

/// 128-bit UUID string of a Bluetooth SIG 16-bit id.
pub fn sig_uuid(id: u16) -> String {
    format!("0000{id:04x}-0000-1000-8000-00805f9b34fb")
}

/// Heart Rate service.
pub const HEART_RATE_SERVICE: u16 = 0x180D;
/// Heart Rate Measurement characteristic.
pub const HEART_RATE_MEASUREMENT: u16 = 0x2A37;
/// Body Sensor Location characteristic.
pub const BODY_SENSOR_LOCATION: u16 = 0x2A38;
/// Battery service.
pub const BATTERY_SERVICE: u16 = 0x180F;
/// Battery Level characteristic.
pub const BATTERY_LEVEL: u16 = 0x2A19;
/// Device Information service.
pub const DEVICE_INFORMATION: u16 = 0x180A;

/// One GATT characteristic as the firmware declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharDef {
    /// Lower-case 128-bit UUID.
    pub uuid: String,
    /// BlueZ flag strings ("read", "write", "notify", ...).
    pub flags: Vec<&'static str>,
}

/// One GATT service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDef {
    /// Lower-case 128-bit UUID.
    pub uuid: String,
    /// Its characteristics.
    pub chars: Vec<CharDef>,
}

fn char_def(uuid: String, flags: &[&'static str]) -> CharDef {
    CharDef {
        uuid,
        flags: flags.to_vec(),
    }
}

/// A value the strap sends on a characteristic (notification or indication).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Characteristic UUID.
    pub uuid: String,
    /// Payload.
    pub bytes: Vec<u8>,
}

/// A GATT request the firmware refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GattError {
    /// No such characteristic, or it does not allow the operation.
    #[error("characteristic {uuid} does not support {operation}")]
    NotSupported {
        /// Characteristic UUID.
        uuid: String,
        /// "read", "write" or "notify".
        operation: &'static str,
    },
    /// A write of the wrong length.
    #[error("write to {uuid} has length {length}, expected {expected}")]
    InvalidLength {
        /// Characteristic UUID.
        uuid: String,
        /// Bytes written.
        length: usize,
        /// Bytes expected.
        expected: usize,
    },
}

/// The scenario being acted out, looped: scenario time `t` maps to timeline time
/// `(t - start) mod duration`.
#[derive(Debug, Clone)]
pub struct Motion {
    /// The planned timeline.
    pub timeline: Timeline,
    /// Scenario time at which it (re)started.
    pub start: f64,
}

impl Motion {
    /// Timeline time for scenario time `t`.
    pub fn local(&self, t: f64) -> f64 {
        let d = self.timeline.duration().max(1e-3);
        (t - self.start).rem_euclid(d)
    }
}

/// Static facts about one strap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrapInfo {
    /// Model.
    pub kind: StrapKind,
    /// Where it is worn.
    pub placement: Placement,
    /// Which limb.
    pub side: Side,
    /// Position among the served straps (seeds its sensor and serial).
    pub index: u64,
}

impl StrapInfo {
    /// Parses `KIND:PLACEMENT[:SIDE]`, e.g. `polar-h10:chest` or `open-imu:thigh:right`.
    pub fn parse(arg: &str, index: u64) -> Option<Self> {
        let mut parts = arg.split(':');
        let kind = match parts.next()? {
            "polar-h10" => StrapKind::PolarH10,
            "open-imu" => StrapKind::OpenImu,
            "heart-rate" => StrapKind::HeartRate,
            _ => return None,
        };
        let placement = Placement::parse(parts.next()?)?;
        let side = match parts.next() {
            None | Some("left") => Side::Left,
            Some("right") => Side::Right,
            Some(_) => return None,
        };
        parts.next().is_none().then_some(Self {
            kind,
            placement,
            side,
            index,
        })
    }
}

/// The firmware of one strap.
#[derive(Debug)]
pub enum Firmware {
    /// Polar H10.
    PolarH10(Box<polar::PolarH10>),
    /// Open IMU Strap.
    OpenImu(Box<open_imu::OpenImuStrap>),
    /// Plain heart-rate strap.
    HeartRate(Box<heart::HeartStrap>),
}

impl Firmware {
    /// Firmware for a strap; `seed` drives its sensor and heart.
    pub fn new(info: StrapInfo, seed: u64, mount_max_deg: f64) -> Self {
        match info.kind {
            StrapKind::PolarH10 => {
                Self::PolarH10(Box::new(polar::PolarH10::new(info, seed, mount_max_deg)))
            }
            StrapKind::OpenImu => Self::OpenImu(Box::new(open_imu::OpenImuStrap::new(
                info,
                seed,
                mount_max_deg,
            ))),
            StrapKind::HeartRate => Self::HeartRate(Box::new(heart::HeartStrap::new(info, seed))),
        }
    }

    /// Advertised local name.
    pub fn name(&self) -> String {
        match self {
            Self::PolarH10(f) => f.name(),
            Self::OpenImu(f) => f.name(),
            Self::HeartRate(f) => f.name(),
        }
    }

    /// Service UUIDs in the advertisement.
    pub fn advertised(&self) -> Vec<String> {
        match self {
            Self::PolarH10(_) | Self::HeartRate(_) => vec![sig_uuid(HEART_RATE_SERVICE)],
            Self::OpenImu(_) => vec![crate::protocol::open_imu::uuid(
                crate::protocol::open_imu::SERVICE,
            )],
        }
    }

    /// The GATT table.
    pub fn services(&self) -> Vec<ServiceDef> {
        match self {
            Self::PolarH10(f) => f.services(),
            Self::OpenImu(f) => f.services(),
            Self::HeartRate(f) => f.services(),
        }
    }

    /// The characteristic that carries the strap's main data stream.
    pub fn data_uuid(&self) -> String {
        match self {
            Self::PolarH10(_) => polar::pmd_uuid(polar::PMD_DATA),
            Self::OpenImu(_) => crate::protocol::open_imu::uuid(crate::protocol::open_imu::DATA),
            Self::HeartRate(_) => sig_uuid(HEART_RATE_MEASUREMENT),
        }
    }

    /// Answers a read.
    pub fn read(&self, uuid: &str) -> Result<Vec<u8>, GattError> {
        match self {
            Self::PolarH10(f) => f.read(uuid),
            Self::OpenImu(f) => f.read(uuid),
            Self::HeartRate(f) => f.read(uuid),
        }
    }

    /// Handles a write at scenario time `t`; returns indications it causes.
    pub fn write(
        &mut self,
        uuid: &str,
        bytes: &[u8],
        t: f64,
    ) -> Result<Vec<Notification>, GattError> {
        match self {
            Self::PolarH10(f) => f.write(uuid, bytes, t),
            Self::OpenImu(f) => f.write(uuid, bytes),
            Self::HeartRate(f) => f.write(uuid),
        }
    }

    /// A client enabled or disabled notifications on `uuid` at scenario time `t`.
    pub fn set_notifying(&mut self, uuid: &str, on: bool, t: f64) {
        match self {
            Self::PolarH10(f) => f.set_notifying(uuid, on, t),
            Self::OpenImu(f) => f.set_notifying(uuid, on, t),
            Self::HeartRate(f) => f.set_notifying(uuid, on, t),
        }
    }

    /// Notifications due up to scenario time `t`.
    pub fn tick(&mut self, motion: &Motion, t: f64) -> Vec<Notification> {
        match self {
            Self::PolarH10(f) => f.tick(motion, t),
            Self::OpenImu(f) => f.tick(motion, t),
            Self::HeartRate(f) => f.tick(motion, t),
        }
    }

    /// The link went down: subscriptions end; an H10's ACC stream runs on.
    pub fn disconnected(&mut self) {
        match self {
            Self::PolarH10(f) => f.disconnected(),
            Self::OpenImu(f) => f.disconnected(),
            Self::HeartRate(f) => f.disconnected(),
        }
    }

    /// The strap lost power: streams and subscriptions end.
    pub fn power_off(&mut self) {
        match self {
            Self::PolarH10(f) => f.power_off(),
            _ => self.disconnected(),
        }
    }

    /// An H10 stops its ACC stream on its own: the indication to send, if any.
    pub fn stop_on_its_own(&mut self) -> Option<Notification> {
        match self {
            Self::PolarH10(f) => f.stop_on_its_own(),
            _ => None,
        }
    }

    /// An H10's running stream goes quiet (or speaks again); false for others.
    pub fn set_silent(&mut self, silent: bool) -> bool {
        match self {
            Self::PolarH10(f) => {
                f.set_silent(silent);
                true
            }
            _ => false,
        }
    }

    /// Splits an H10's control point answers over packets of `max` bytes.
    pub fn set_max_packet(&mut self, max: Option<usize>) -> bool {
        match self {
            Self::PolarH10(f) => {
                f.set_max_packet(max);
                true
            }
            _ => false,
        }
    }

    /// Sets the battery level (percent); returns the notification if subscribed.
    pub fn set_battery(&mut self, level: u8) -> Option<Notification> {
        let (battery, notifying) = match self {
            Self::PolarH10(f) => (&mut f.battery, f.battery_notifying),
            Self::OpenImu(f) => (&mut f.battery, f.battery_notifying),
            Self::HeartRate(_) => return None,
        };
        *battery = level.min(100);
        notifying.then(|| Notification {
            uuid: sig_uuid(BATTERY_LEVEL),
            bytes: vec![*battery],
        })
    }
}

/// Device Information strings: manufacturer, model, serial, hardware, firmware, software.
fn device_information(uuid: &str, strings: [&str; 6]) -> Option<Vec<u8>> {
    let ids = [0x2A29, 0x2A24, 0x2A25, 0x2A27, 0x2A26, 0x2A28];
    ids.iter()
        .position(|id| sig_uuid(*id) == uuid)
        .map(|i| strings[i].as_bytes().to_vec())
}

fn device_information_service() -> ServiceDef {
    ServiceDef {
        uuid: sig_uuid(DEVICE_INFORMATION),
        chars: [0x2A29, 0x2A24, 0x2A25, 0x2A27, 0x2A26, 0x2A28]
            .iter()
            .map(|id| char_def(sig_uuid(*id), &["read"]))
            .collect(),
    }
}

fn battery_service() -> ServiceDef {
    ServiceDef {
        uuid: sig_uuid(BATTERY_SERVICE),
        chars: vec![char_def(sig_uuid(BATTERY_LEVEL), &["read", "notify"])],
    }
}

fn heart_rate_service() -> ServiceDef {
    ServiceDef {
        uuid: sig_uuid(HEART_RATE_SERVICE),
        chars: vec![
            char_def(sig_uuid(HEART_RATE_MEASUREMENT), &["notify"]),
            char_def(sig_uuid(BODY_SENSOR_LOCATION), &["read"]),
        ],
    }
}

fn not_supported(uuid: &str, operation: &'static str) -> GattError {
    GattError::NotSupported {
        uuid: uuid.to_owned(),
        operation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strap_arguments() {
        let s = StrapInfo::parse("open-imu:thigh:right", 2).unwrap();
        assert_eq!(
            (s.kind, s.placement, s.side, s.index),
            (StrapKind::OpenImu, Placement::Thigh, Side::Right, 2)
        );
        assert_eq!(
            StrapInfo::parse("polar-h10:chest", 0).unwrap().side,
            Side::Left
        );
        for bad in [
            "polar-h10",
            "polar:chest",
            "open-imu:knee",
            "open-imu:thigh:middle",
            "heart-rate:chest:left:x",
        ] {
            assert!(StrapInfo::parse(bad, 0).is_none(), "{bad}");
        }
    }
}
