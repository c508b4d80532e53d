//! Polar H10 firmware: Heart Rate with RR, Battery, Device Information and the
//! PMD service (control point exchange, ACC frames of type 0x01 with the H10's
//! own device clock). Like a real H10, an ACC stream keeps running when the link
//! drops until it is stopped or the strap loses power; faults a test can cause:
//! the strap stopping the stream on its own (`01 02` indication), a stream that
//! goes silent, and control point answers split with the "more" flag.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::heart::Heart;
use super::{BATTERY_LEVEL, BODY_SENSOR_LOCATION, HEART_RATE_MEASUREMENT};
use super::{
    GattError, Motion, Notification, ServiceDef, StrapInfo, char_def, not_supported, sig_uuid,
};
use crate::imu::Imu;
use crate::protocol::pmd::{self, Capabilities, Status, opcode};

/// PMD service id (in the Polar base UUID).
pub const PMD_SERVICE: u16 = 0x5C80;
/// PMD control point id.
pub const PMD_CONTROL: u16 = 0x5C81;
/// PMD data id.
pub const PMD_DATA: u16 = 0x5C82;
/// ACC samples per data frame (what fits an ATT MTU of 232).
pub const SAMPLES_PER_FRAME: u64 = 36;

/// 128-bit UUID of a PMD item.
pub fn pmd_uuid(id: u16) -> String {
    format!("fb00{id:04x}-02e7-f387-1cad-8acd2d8df0c8")
}

#[derive(Debug, Clone, Copy)]
struct AccStream {
    rate: u16,
    range_g: u16,
    /// Scenario time of sample 0.
    t0: f64,
    /// Next sample index.
    next: u64,
}

/// A Polar H10.
#[derive(Debug)]
pub struct PolarH10 {
    info: StrapInfo,
    imu: Imu,
    heart: Heart,
    acc: Option<AccStream>,
    control_notifying: bool,
    data_notifying: bool,
    /// Seconds the strap had been on (since its clock reset) at scenario time 0.
    uptime_at_zero: f64,
    /// Battery percent.
    pub battery: u8,
    /// Whether Battery Level notifications are on.
    pub battery_notifying: bool,
    /// The ACC stream runs but sends nothing (until STOP, START or power off).
    silent: bool,
    /// Longest control point packet; longer answers are split with "more".
    max_packet: Option<usize>,
}

impl PolarH10 {
    /// A Polar H10 whose clock restarted at 2019-01-01 a few minutes before the scenario.
    pub fn new(info: StrapInfo, seed: u64, mount_max_deg: f64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(info.index + 200);
        Self {
            info,
            imu: Imu::new(info.placement, info.side, seed, info.index, mount_max_deg),
            heart: Heart::new(seed, info.index),
            acc: None,
            control_notifying: false,
            data_notifying: false,
            uptime_at_zero: rng.random_range(60.0..3600.0),
            battery: 94,
            battery_notifying: false,
            silent: false,
            max_packet: None,
        }
    }

    /// "Polar H10 " + 8 hex digits of the device id, as the real strap names itself.
    pub fn name(&self) -> String {
        format!("Polar H10 {:08X}", 0x5E1D_0000 + self.info.index)
    }

    /// GATT table.
    pub fn services(&self) -> Vec<ServiceDef> {
        vec![
            super::heart_rate_service(),
            super::battery_service(),
            super::device_information_service(),
            ServiceDef {
                uuid: pmd_uuid(PMD_SERVICE),
                chars: vec![
                    char_def(pmd_uuid(PMD_CONTROL), &["read", "write", "indicate"]),
                    char_def(pmd_uuid(PMD_DATA), &["notify"]),
                ],
            },
        ]
    }

    /// Device time (ns since 2000-01-01) at scenario time `t`.
    pub fn device_ns(&self, t: f64) -> u64 {
        pmd::H10_CLOCK_RESET_NS + ((self.uptime_at_zero + t) * 1e9).round() as u64
    }

    /// Reads.
    pub fn read(&self, uuid: &str) -> Result<Vec<u8>, GattError> {
        if uuid == sig_uuid(BODY_SENSOR_LOCATION) {
            return Ok(vec![1]);
        }
        if uuid == sig_uuid(BATTERY_LEVEL) {
            return Ok(vec![self.battery]);
        }
        if uuid == pmd_uuid(PMD_CONTROL) {
            // Feature read: 0x0F, then a bitmap of measurement types (ECG, ACC).
            return Ok(vec![0x0F, 0x05, 0x00]);
        }
        let serial = format!("{:08X}", 0x5E1D_0000 + self.info.index);
        super::device_information(
            uuid,
            [
                "Polar Electro Oy",
                "Polar H10",
                &serial,
                "39044024.10",
                "3.0.35",
                "3.0.35",
            ],
        )
        .ok_or_else(|| not_supported(uuid, "read"))
    }

    /// Writes: only the PMD control point is writable.
    pub fn write(
        &mut self,
        uuid: &str,
        bytes: &[u8],
        t: f64,
    ) -> Result<Vec<Notification>, GattError> {
        if uuid != pmd_uuid(PMD_CONTROL) {
            return Err(not_supported(uuid, "write"));
        }
        let response = self.control(bytes, t);
        if !self.control_notifying {
            return Ok(Vec::new());
        }
        Ok(split_answer(&response, self.max_packet)
            .into_iter()
            .map(|bytes| Notification {
                uuid: pmd_uuid(PMD_CONTROL),
                bytes,
            })
            .collect())
    }

    /// The control point exchange: the response to one request.
    pub fn control(&mut self, bytes: &[u8], t: f64) -> Vec<u8> {
        let op = bytes.first().copied().unwrap_or(0);
        let kind = bytes.get(1).copied().unwrap_or(0);
        let req = match pmd::parse_request(bytes) {
            Ok(r) => r,
            Err(pmd::RequestError::TooShort { .. }) => {
                return pmd::response(op, kind, Status::InvalidLength, &[]);
            }
            Err(_) => return pmd::response(op, kind, Status::InvalidParameter, &[]),
        };
        if !matches!(
            req.opcode,
            opcode::GET_SETTINGS | opcode::START | opcode::STOP
        ) {
            return pmd::response(op, kind, Status::InvalidOpcode, &[]);
        }
        if req.kind != pmd::TYPE_ACC {
            let status = if req.kind <= 10 {
                Status::NotSupported
            } else {
                Status::InvalidType
            };
            return pmd::response(op, kind, status, &[]);
        }
        match req.opcode {
            opcode::GET_SETTINGS => pmd::settings_response(kind, &Capabilities::h10_acc()),
            opcode::START => self.start(req.settings, t),
            _ => {
                self.silent = false;
                if self.acc.take().is_none() {
                    return pmd::response(op, kind, Status::AlreadyInState, &[]);
                }
                pmd::response(op, kind, Status::Success, &[])
            }
        }
    }

    fn start(&mut self, s: pmd::StartSettings, t: f64) -> Vec<u8> {
        let caps = Capabilities::h10_acc();
        let fail = |status| pmd::response(opcode::START, pmd::TYPE_ACC, status, &[]);
        if self.acc.is_some() {
            return fail(Status::AlreadyInState);
        }
        let Some(rate) = s.rate.filter(|r| caps.rates.contains(r)) else {
            return fail(Status::InvalidSampleRate);
        };
        if s.resolution.is_some_and(|r| !caps.resolutions.contains(&r)) {
            return fail(Status::InvalidResolution);
        }
        let range_g = s.range.unwrap_or(8);
        if !caps.ranges.contains(&range_g) {
            return fail(Status::InvalidRange);
        }
        self.silent = false;
        self.acc = Some(AccStream {
            rate,
            range_g,
            t0: t,
            next: 0,
        });
        pmd::response(opcode::START, pmd::TYPE_ACC, Status::Success, &[1])
    }

    /// Subscriptions.
    pub fn set_notifying(&mut self, uuid: &str, on: bool, t: f64) {
        if uuid == sig_uuid(HEART_RATE_MEASUREMENT) {
            if on {
                self.heart.start(t)
            } else {
                self.heart.notifying = false
            }
        } else if uuid == pmd_uuid(PMD_CONTROL) {
            self.control_notifying = on;
        } else if uuid == pmd_uuid(PMD_DATA) {
            self.data_notifying = on;
        } else if uuid == sig_uuid(BATTERY_LEVEL) {
            self.battery_notifying = on;
        }
    }

    /// HR measurements and ACC frames due up to scenario time `t`.
    pub fn tick(&mut self, motion: &Motion, t: f64) -> Vec<Notification> {
        let mut out = self.heart.tick(motion, t);
        let Some(mut acc) = self.acc else { return out };
        let dt = 1.0 / f64::from(acc.rate);
        let max_mg = i32::from(acc.range_g) * 1000;
        while acc.t0 + (acc.next + SAMPLES_PER_FRAME - 1) as f64 * dt <= t {
            let mut samples = Vec::with_capacity(SAMPLES_PER_FRAME as usize);
            for k in acc.next..acc.next + SAMPLES_PER_FRAME {
                let ts = acc.t0 + k as f64 * dt;
                let s = self.imu.sample(&motion.timeline, motion.local(ts));
                samples.push(s.accel.map(|g| pmd::to_mg(g).clamp(-max_mg, max_mg - 1)));
            }
            acc.next += SAMPLES_PER_FRAME;
            let last = acc.t0 + (acc.next - 1) as f64 * dt;
            if self.data_notifying && !self.silent {
                let bytes = pmd::raw_frame(pmd::TYPE_ACC, self.device_ns(last), 0x01, &samples);
                out.push(Notification {
                    uuid: pmd_uuid(PMD_DATA),
                    bytes,
                });
            }
        }
        self.acc = Some(acc);
        out
    }

    /// Link lost: subscriptions end (BlueZ restores them on the next connect),
    /// but a running ACC stream keeps running, as on a real H10.
    pub fn disconnected(&mut self) {
        self.heart.notifying = false;
        self.control_notifying = false;
        self.data_notifying = false;
        self.battery_notifying = false;
    }

    /// The battery ran out (or the strap came off its snap): everything stops.
    pub fn power_off(&mut self) {
        self.disconnected();
        self.acc = None;
        self.silent = false;
    }

    /// The strap stops its ACC stream on its own; returns the `01 02`
    /// indication when a stream was running and indications are on.
    pub fn stop_on_its_own(&mut self) -> Option<Notification> {
        self.acc.take()?;
        self.silent = false;
        self.control_notifying.then(|| Notification {
            uuid: pmd_uuid(PMD_CONTROL),
            bytes: vec![pmd::STOPPED_CODE, pmd::TYPE_ACC],
        })
    }

    /// Makes a running ACC stream go quiet (true) or speak again (false).
    pub fn set_silent(&mut self, silent: bool) {
        self.silent = silent;
    }

    /// Splits control point answers longer than `max` bytes (None: never).
    pub fn set_max_packet(&mut self, max: Option<usize>) {
        self.max_packet = max.map(|m| m.max(6));
    }

    /// Whether an ACC stream is running (for tests).
    pub fn streaming(&self) -> bool {
        self.acc.is_some()
    }
}

/// A control point answer as packets of at most `max` bytes: the first keeps
/// the header `F0 op type status more` with more = 1, each continuation is
/// `[more][params...]` (Polar SDK BlePMDClient.sendPmdCommand joins them so).
pub fn split_answer(answer: &[u8], max: Option<usize>) -> Vec<Vec<u8>> {
    let Some(max) = max.filter(|m| answer.len() > *m && answer.len() > 5) else {
        return vec![answer.to_vec()];
    };
    let mut packets = vec![answer[..max].to_vec()];
    let mut rest = &answer[max..];
    while !rest.is_empty() {
        let n = rest.len().min(max - 1);
        let mut p = vec![0];
        p.extend_from_slice(&rest[..n]);
        packets.push(p);
        rest = &rest[n..];
    }
    let last = packets.len() - 1;
    for (i, p) in packets.iter_mut().enumerate() {
        let flag = u8::from(i < last);
        if i == 0 {
            p[4] = flag;
        } else {
            p[0] = flag;
        }
    }
    packets
}

#[cfg(test)]
mod tests;
