//! Open IMU Strap firmware (our profile): accel + gyro frames with sequence
//! numbers, config read/write, haptic writes, placement, Battery and Device
//! Information. It streams while a client is subscribed to the data characteristic.

use super::{
    BATTERY_LEVEL, GattError, Motion, Notification, ServiceDef, StrapInfo, char_def, not_supported,
    sig_uuid,
};
use crate::imu::Imu;
use crate::protocol::open_imu::{self as proto, Config, FrameHeader, Haptic, RawSample, uuid};

const RATES: [u16; 4] = [25, 50, 100, 200];
const ACCEL_RANGES: [u8; 4] = [2, 4, 8, 16];
const GYRO_RANGES: [u16; 4] = [250, 500, 1000, 2000];

#[derive(Debug, Clone, Copy)]
struct Stream {
    t0: f64,
    next: u64,
}

/// An Open IMU strap.
#[derive(Debug)]
pub struct OpenImuStrap {
    info: StrapInfo,
    imu: Imu,
    config: Config,
    stream: Option<Stream>,
    sequence: u16,
    /// Haptic commands received, in order.
    pub haptics: Vec<Haptic>,
    /// Battery percent.
    pub battery: u8,
    /// Whether Battery Level notifications are on.
    pub battery_notifying: bool,
}

fn nearest<T: Copy + Into<i64>>(options: &[T], v: i64) -> T {
    *options
        .iter()
        .min_by_key(|o| (Into::<i64>::into(**o) - v).abs())
        .expect("non-empty options")
}

impl OpenImuStrap {
    /// A strap at 100 Hz, ±8 g, ±2000 deg/s.
    pub fn new(info: StrapInfo, seed: u64, mount_max_deg: f64) -> Self {
        Self {
            info,
            imu: Imu::new(info.placement, info.side, seed, info.index, mount_max_deg),
            config: Config::default(),
            stream: None,
            sequence: 0,
            haptics: Vec::new(),
            battery: 81,
            battery_notifying: false,
        }
    }

    /// Advertised name.
    pub fn name(&self) -> String {
        format!("OpenIMU {:04X}", 0xB000 + self.info.index)
    }

    /// Samples per frame: about ten frames a second, at most 19.
    fn samples_per_frame(&self) -> u64 {
        u64::from(self.config.rate_hz / 10).clamp(1, proto::MAX_SAMPLES_WITH_GYRO as u64)
    }

    /// GATT table.
    pub fn services(&self) -> Vec<ServiceDef> {
        vec![
            ServiceDef {
                uuid: uuid(proto::SERVICE),
                chars: vec![
                    char_def(uuid(proto::DATA), &["notify"]),
                    char_def(uuid(proto::CONFIG), &["read", "write"]),
                    char_def(uuid(proto::HAPTIC), &["write", "write-without-response"]),
                    char_def(uuid(proto::PLACEMENT), &["read"]),
                ],
            },
            super::battery_service(),
            super::device_information_service(),
        ]
    }

    /// Reads.
    pub fn read(&self, id: &str) -> Result<Vec<u8>, GattError> {
        if id == uuid(proto::CONFIG) {
            return Ok(self.config.encode());
        }
        if id == uuid(proto::PLACEMENT) {
            return Ok(vec![self.info.placement.code()]);
        }
        if id == sig_uuid(BATTERY_LEVEL) {
            return Ok(vec![self.battery]);
        }
        let serial = format!("OI-{:06}", 1000 + self.info.index);
        super::device_information(
            id,
            [
                "postured project",
                "Open IMU Strap",
                &serial,
                "1",
                "0.3.0",
                "0.3.0",
            ],
        )
        .ok_or_else(|| not_supported(id, "read"))
    }

    /// Config and haptic writes.
    pub fn write(&mut self, id: &str, bytes: &[u8]) -> Result<Vec<Notification>, GattError> {
        let length_error = |e: proto::WrongLength| GattError::InvalidLength {
            uuid: id.to_owned(),
            length: e.length,
            expected: e.expected,
        };
        if id == uuid(proto::CONFIG) {
            let asked = Config::parse(bytes).map_err(length_error)?;
            let old_dt = 1.0 / f64::from(self.config.rate_hz);
            // Apply the nearest supported values; a read echoes what was applied.
            self.config = Config {
                rate_hz: nearest(&RATES, asked.rate_hz.into()),
                accel_range_g: nearest(&ACCEL_RANGES, asked.accel_range_g.into()),
                gyro_range_dps: nearest(&GYRO_RANGES, asked.gyro_range_dps.into()),
            };
            if let Some(s) = &mut self.stream {
                // The next sample keeps its time; later ones follow at the new rate.
                s.t0 += s.next as f64 * old_dt;
                s.next = 0;
            }
            return Ok(Vec::new());
        }
        if id == uuid(proto::HAPTIC) {
            self.haptics
                .push(Haptic::parse(bytes).map_err(length_error)?);
            return Ok(Vec::new());
        }
        Err(not_supported(id, "write"))
    }

    /// Subscriptions: data notifications start and stop the stream.
    pub fn set_notifying(&mut self, id: &str, on: bool, t: f64) {
        if id == uuid(proto::DATA) {
            self.stream = on.then_some(Stream { t0: t, next: 0 });
        } else if id == sig_uuid(BATTERY_LEVEL) {
            self.battery_notifying = on;
        }
    }

    /// Frames due up to scenario time `t`.
    pub fn tick(&mut self, motion: &Motion, t: f64) -> Vec<Notification> {
        let Some(mut s) = self.stream else {
            return Vec::new();
        };
        let dt = 1.0 / f64::from(self.config.rate_hz);
        let n = self.samples_per_frame();
        let max_mg = f64::from(self.config.accel_range_g) * 1000.0;
        let max_dps = f64::from(self.config.gyro_range_dps);
        let mut out = Vec::new();
        while s.t0 + (s.next + n - 1) as f64 * dt <= t {
            let first = s.t0 + s.next as f64 * dt;
            let samples: Vec<RawSample> = (s.next..s.next + n)
                .map(|k| {
                    let x = self
                        .imu
                        .sample(&motion.timeline, motion.local(s.t0 + k as f64 * dt));
                    let accel = x
                        .accel
                        .map(|g| (g * 1000.0).clamp(-max_mg, max_mg) / 1000.0);
                    RawSample::from_units(accel, x.gyro.map(|w| w.clamp(-max_dps, max_dps)))
                })
                .collect();
            let header = FrameHeader {
                sequence: self.sequence,
                first_sample_us: ((first * 1e6).round() as u64 % (1u64 << 32)) as u32,
                interval_us: (dt * 1e6).round() as u16,
                gyro: true,
            };
            out.push(Notification {
                uuid: uuid(proto::DATA),
                bytes: proto::frame(header, &samples),
            });
            self.sequence = self.sequence.wrapping_add(1);
            s.next += n;
        }
        self.stream = Some(s);
        out
    }

    /// Link lost: streaming stops.
    pub fn disconnected(&mut self) {
        self.stream = None;
        self.battery_notifying = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Placement, Scenario, Side, StrapKind};

    #[test]
    fn frames_config_and_haptics() {
        let info = StrapInfo {
            kind: StrapKind::OpenImu,
            placement: Placement::Thigh,
            side: Side::Left,
            index: 1,
        };
        let mut s = OpenImuStrap::new(info, 3, 15.0);
        let text = "straps = [{kind = \"open-imu\", placement = \"thigh\"}]\n[[segments]]\nactivity = \"sit\"\nduration_s = 50\n";
        let sc = Scenario::parse(text, "t.toml".as_ref()).unwrap();
        let m = Motion {
            timeline: crate::motion::plan::Timeline::new(&sc, 3),
            start: 0.0,
        };
        assert_eq!(s.read(&uuid(proto::PLACEMENT)).unwrap(), [3]);
        s.write(
            &uuid(proto::CONFIG),
            &Config {
                rate_hz: 190,
                accel_range_g: 5,
                gyro_range_dps: 300,
            }
            .encode(),
        )
        .unwrap();
        assert_eq!(
            Config::parse(&s.read(&uuid(proto::CONFIG)).unwrap()).unwrap(),
            Config {
                rate_hz: 200,
                accel_range_g: 4,
                gyro_range_dps: 250
            }
        );
        assert!(matches!(
            s.write(&uuid(proto::CONFIG), &[1]),
            Err(GattError::InvalidLength {
                length: 1,
                expected: 5,
                ..
            })
        ));
        s.write(&uuid(proto::HAPTIC), &[1, 200, 0]).unwrap();
        assert_eq!(
            s.haptics,
            [Haptic {
                pattern: 1,
                duration_ms: 200
            }]
        );
        assert!(s.tick(&m, 5.0).is_empty(), "streams only while subscribed");
        s.set_notifying(&uuid(proto::DATA), true, 1.0);
        let frames = s.tick(&m, 3.0);
        // 2 s at 200 Hz = 400 samples; 19 per frame -> 21 whole frames.
        assert_eq!(frames.len(), 21);
        for (i, f) in frames.iter().enumerate() {
            assert_eq!(u16::from_le_bytes([f.bytes[2], f.bytes[3]]), i as u16);
            assert_eq!(u16::from_le_bytes([f.bytes[8], f.bytes[9]]), 5000);
            assert_eq!(f.bytes[10], 19);
        }
        s.disconnected();
        assert!(s.tick(&m, 10.0).is_empty());
    }
}
