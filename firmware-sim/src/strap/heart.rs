//! A beating heart (RR intervals following the activity) and the plain
//! heart-rate strap that reports it.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::{BODY_SENSOR_LOCATION, HEART_RATE_MEASUREMENT};
use super::{GattError, Motion, Notification, ServiceDef, StrapInfo, not_supported, sig_uuid};
use crate::motion::plan::normal;
use crate::protocol::hrs::{HeartRateMeasurement, rr_units};

/// Beats and the once-a-second Heart Rate Measurement notifications.
#[derive(Debug, Clone)]
pub struct Heart {
    rng: ChaCha8Rng,
    next_beat: f64,
    next_report: f64,
    rr: Vec<f64>,
    /// Whether the client subscribed to Heart Rate Measurement.
    pub notifying: bool,
}

impl Heart {
    /// A heart seeded for strap `index`.
    pub fn new(seed: u64, index: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0048_4541_5254);
        rng.set_stream(index + 100);
        Self {
            rng,
            next_beat: 0.0,
            next_report: 0.0,
            rr: Vec::new(),
            notifying: false,
        }
    }

    /// Starts reporting from scenario time `t`.
    pub fn start(&mut self, t: f64) {
        self.notifying = true;
        self.next_beat = t;
        self.next_report = t + 1.0;
        self.rr.clear();
    }

    /// Measurements due up to scenario time `t`.
    pub fn tick(&mut self, motion: &Motion, t: f64) -> Vec<Notification> {
        let mut out = Vec::new();
        while self.notifying && self.next_report <= t {
            while self.next_beat <= self.next_report {
                let bpm = motion.timeline.heart_rate(motion.local(self.next_beat));
                let rr = 60.0 / bpm * (1.0 + 0.03 * normal(&mut self.rng)).clamp(0.85, 1.15);
                self.rr.push(rr);
                self.next_beat += rr;
            }
            let mean = self.rr.iter().sum::<f64>() / self.rr.len().max(1) as f64;
            let bpm = if self.rr.is_empty() {
                0
            } else {
                (60.0 / mean).round() as u16
            };
            let m = HeartRateMeasurement::with_rr(bpm, self.rr.drain(..).map(rr_units).collect());
            out.push(Notification {
                uuid: sig_uuid(HEART_RATE_MEASUREMENT),
                bytes: m.encode(),
            });
            self.next_report += 1.0;
        }
        out
    }
}

/// A strap with only the Heart Rate service.
#[derive(Debug)]
pub struct HeartStrap {
    info: StrapInfo,
    heart: Heart,
}

impl HeartStrap {
    /// A plain HR strap.
    pub fn new(info: StrapInfo, seed: u64) -> Self {
        Self {
            info,
            heart: Heart::new(seed, info.index),
        }
    }

    /// Advertised name.
    pub fn name(&self) -> String {
        format!("HR Strap {:04X}", 0x1A00 + self.info.index)
    }

    /// GATT table: Heart Rate only.
    pub fn services(&self) -> Vec<ServiceDef> {
        vec![super::heart_rate_service()]
    }

    /// Body Sensor Location is the only readable value.
    pub fn read(&self, uuid: &str) -> Result<Vec<u8>, GattError> {
        if uuid == sig_uuid(BODY_SENSOR_LOCATION) {
            return Ok(vec![1]);
        }
        Err(not_supported(uuid, "read"))
    }

    /// Nothing is writable.
    pub fn write(&mut self, uuid: &str) -> Result<Vec<Notification>, GattError> {
        Err(not_supported(uuid, "write"))
    }

    /// Subscriptions.
    pub fn set_notifying(&mut self, uuid: &str, on: bool, t: f64) {
        if uuid == sig_uuid(HEART_RATE_MEASUREMENT) {
            if on {
                self.heart.start(t)
            } else {
                self.heart.notifying = false
            }
        }
    }

    /// Measurements due.
    pub fn tick(&mut self, motion: &Motion, t: f64) -> Vec<Notification> {
        self.heart.tick(motion, t)
    }

    /// Link lost.
    pub fn disconnected(&mut self) {
        self.heart.notifying = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn rr_intervals_follow_the_activity() {
        let text = "straps = [{kind = \"heart-rate\", placement = \"chest\"}]\n\
            [[segments]]\nactivity = \"lie-supine\"\nduration_s = 60\n\
            [[segments]]\nactivity = \"walk\"\nduration_s = 60\n";
        let sc = Scenario::parse(text, "t.toml".as_ref()).unwrap();
        let m = Motion {
            timeline: crate::motion::plan::Timeline::new(&sc, 4),
            start: 0.0,
        };
        let mut heart = Heart::new(4, 0);
        heart.start(0.0);
        let bpm: Vec<u8> = heart.tick(&m, 119.5).iter().map(|n| n.bytes[1]).collect();
        assert_eq!(bpm.len(), 119);
        let mean = |xs: &[u8]| xs.iter().map(|&b| f64::from(b)).sum::<f64>() / xs.len() as f64;
        let (lying, walking) = (mean(&bpm[10..50]), mean(&bpm[75..115]));
        assert!(
            lying < 70.0 && walking > 85.0,
            "lying {lying}, walking {walking}"
        );
    }
}
