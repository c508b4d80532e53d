//! Turns a strap's notifications into samples on the wall clock: decode, spread
//! the frame's samples over time as its format says, map the strap's clock, count
//! lost and malformed frames. Pure: no I/O, time comes in as arguments.

use crate::motion::Sample;
use crate::protocol::{DecodeError, open_imu, pmd};

use super::clock::{ClockMap, DEFAULT_MAX_DRIFT_S, Unwrap32};

/// What a data notification gave.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Batch {
    /// New samples, in order, on the wall clock (s since the Unix epoch).
    pub samples: Vec<Sample>,
    /// Frames lost just before this one (sequence gap).
    pub lost_frames: u32,
}

/// Counters of one strap's data stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StreamStats {
    /// Frames decoded.
    pub frames: u64,
    /// Samples produced.
    pub samples: u64,
    /// Frames that could not be decoded (counted and skipped).
    pub bad_frames: u64,
    /// Frames missing from sequence numbers.
    pub lost_frames: u64,
}

/// Per-connection state of a Polar H10 ACC stream.
#[derive(Debug, Clone)]
pub struct PmdAcc {
    rate_hz: f64,
    factor: f32,
    resolution_bits: u16,
    prev_ts: Option<u64>,
    clock: ClockMap,
    stats: StreamStats,
}

impl PmdAcc {
    /// A stream at `rate_hz` with the START answer's `factor` (1.0 if none).
    pub fn new(rate_hz: f64, factor: f32, resolution_bits: u16) -> Self {
        Self {
            rate_hz,
            factor,
            resolution_bits,
            prev_ts: None,
            clock: ClockMap::new(DEFAULT_MAX_DRIFT_S),
            stats: StreamStats::default(),
        }
    }

    /// A new connection: the clock is mapped afresh and no samples are spread
    /// back over the gap.
    pub fn reconnected(&mut self) {
        self.prev_ts = None;
        self.clock.reset();
    }

    /// A new stream (a START answer) at `rate_hz` with `factor`: like
    /// [`Self::reconnected`], and the times handed out stay increasing across
    /// it (a new `PmdAcc` would forget them and could map the new stream's
    /// first samples before the last ones of the previous connection).
    pub fn restarted(&mut self, rate_hz: f64, factor: f32, resolution_bits: u16) {
        self.rate_hz = rate_hz;
        self.factor = factor;
        self.resolution_bits = resolution_bits;
        self.reconnected();
    }

    /// Counters so far.
    pub fn stats(&self) -> StreamStats {
        self.stats
    }

    /// Frames missing between the previous frame and one stamped `ts` with `n`
    /// samples: PMD frames carry no sequence number, so a gap in device time of
    /// more than one and a half frames tells.
    fn lost_before(&self, ts: u64, n: usize) -> u32 {
        let Some(prev) = self.prev_ts else { return 0 };
        let frame_ns = n as f64 * 1e9 / self.rate_hz;
        let frames = (ts - prev) as f64 / frame_ns;
        if n == 0 || frames < 1.5 {
            0
        } else {
            (frames.round() - 1.0) as u32
        }
    }

    /// Decodes one data notification that arrived at wall time `arrival_s`.
    pub fn push(&mut self, bytes: &[u8], arrival_s: f64) -> Result<Batch, DecodeError> {
        let frame = pmd::decode_acc(bytes, self.factor, self.resolution_bits)
            .inspect_err(|_| self.stats.bad_frames += 1)?;
        if self.prev_ts.is_some_and(|p| frame.timestamp_ns <= p) {
            // A repeated or older frame: nothing new in it.
            self.stats.bad_frames += 1;
            return Ok(Batch::default());
        }
        let n = frame.samples_mg.len();
        let lost = self.lost_before(frame.timestamp_ns, n);
        // After a lost frame, spreading over the gap would invent a slow rate.
        let prev = if lost > 0 { None } else { self.prev_ts };
        let times = pmd::sample_times(prev, frame.timestamp_ns, n, self.rate_hz);
        self.prev_ts = Some(frame.timestamp_ns);
        self.clock.observe(
            times.first().copied().unwrap_or(frame.timestamp_ns),
            frame.timestamp_ns,
            arrival_s,
        );
        let samples: Vec<Sample> = frame
            .samples_mg
            .iter()
            .zip(times)
            .map(|(mg, ns)| Sample::accel(self.clock.map(ns), mg.map(|v| v / 1000.0)))
            .collect();
        self.stats.frames += 1;
        self.stats.lost_frames += u64::from(lost);
        self.stats.samples += samples.len() as u64;
        Ok(Batch {
            samples,
            lost_frames: lost,
        })
    }
}

/// Per-connection state of an open IMU strap's stream.
#[derive(Debug, Clone)]
pub struct OpenImu {
    last_seq: Option<u16>,
    last_t: Option<u64>,
    unwrap: Unwrap32,
    clock: ClockMap,
    stats: StreamStats,
}

impl Default for OpenImu {
    fn default() -> Self {
        Self::new()
    }
}

impl OpenImu {
    /// A fresh stream.
    pub fn new() -> Self {
        Self {
            last_seq: None,
            last_t: None,
            unwrap: Unwrap32::new(),
            clock: ClockMap::new(DEFAULT_MAX_DRIFT_S),
            stats: StreamStats::default(),
        }
    }

    /// A new connection.
    pub fn reconnected(&mut self) {
        self.last_seq = None;
        self.last_t = None;
        self.unwrap.reset();
        self.clock.reset();
    }

    /// Counters so far.
    pub fn stats(&self) -> StreamStats {
        self.stats
    }

    /// Decodes one data notification that arrived at wall time `arrival_s`.
    pub fn push(&mut self, bytes: &[u8], arrival_s: f64) -> Result<Batch, DecodeError> {
        let frame = open_imu::decode_frame(bytes).inspect_err(|_| self.stats.bad_frames += 1)?;
        let lost = match self.last_seq {
            Some(prev) if prev == frame.seq => {
                self.stats.bad_frames += 1;
                return Ok(Batch::default());
            }
            Some(prev) => u32::from(open_imu::lost_between(prev, frame.seq)),
            None => 0,
        };
        self.last_seq = Some(frame.seq);
        let t0 = self.unwrap.extend_us(frame.t0_us);
        let step = u64::from(frame.interval_us) * 1000;
        let last_ns = t0 + step * frame.samples.len().saturating_sub(1) as u64;
        self.clock.observe(t0, last_ns, arrival_s);
        let mut samples = Vec::with_capacity(frame.samples.len());
        for (k, s) in frame.samples.iter().enumerate() {
            let ns = t0 + step * k as u64;
            if self.last_t.is_some_and(|l| ns <= l) {
                continue;
            }
            self.last_t = Some(ns);
            samples.push(Sample {
                t: self.clock.map(ns),
                accel: s.accel_mg.map(|v| f64::from(v) / 1000.0),
                gyro: s.gyro_dps,
            });
        }
        self.stats.frames += 1;
        self.stats.lost_frames += u64::from(lost);
        self.stats.samples += samples.len() as u64;
        Ok(Batch {
            samples,
            lost_frames: lost,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h10_frame(ts: u64, n: usize) -> Vec<u8> {
        let mut b = vec![2];
        b.extend(ts.to_le_bytes());
        b.push(1);
        for i in 0..n {
            for v in [i as i16, 0, 1000] {
                b.extend(v.to_le_bytes());
            }
        }
        b
    }

    #[test]
    fn h10_frames_become_evenly_spaced_wall_time_samples() {
        let mut s = PmdAcc::new(200.0, 1.0, 16);
        let a = s.push(&h10_frame(1_000_000_000, 4), 500.0).unwrap();
        let b = s.push(&h10_frame(1_020_000_000, 4), 500.03).unwrap();
        let t: Vec<f64> = a.samples.iter().chain(&b.samples).map(|x| x.t).collect();
        let expect = [
            499.985, 499.99, 499.995, 500.0, 500.005, 500.01, 500.015, 500.02,
        ];
        for (got, want) in t.iter().zip(expect) {
            assert!((got - want).abs() < 1e-6, "{t:?}");
        }
        assert_eq!(a.samples[3].accel, [0.003, 0.0, 1.0]);
        assert_eq!(
            s.stats(),
            StreamStats {
                frames: 2,
                samples: 8,
                bad_frames: 0,
                lost_frames: 0
            }
        );
    }

    #[test]
    fn a_restarted_stream_never_maps_before_the_previous_one() {
        let mut s = PmdAcc::new(200.0, 1.0, 16);
        // Anchored late (the first frame was slow to arrive): mapped ahead of
        // where the next connection's frames will land.
        let a = s.push(&h10_frame(1_000_000_000, 4), 500.4).unwrap();
        s.restarted(200.0, 1.0, 16);
        let b = s.push(&h10_frame(1_100_000_000, 4), 500.1).unwrap();
        let last = a.samples.last().unwrap().t;
        assert!(
            b.samples.iter().all(|x| x.t > last),
            "{last} then {:?}",
            b.samples
        );
    }

    #[test]
    fn a_missing_h10_frame_is_counted_as_lost() {
        let mut s = PmdAcc::new(200.0, 1.0, 16);
        s.push(&h10_frame(1_000_000_000, 4), 10.0).unwrap();
        assert_eq!(
            s.push(&h10_frame(1_020_000_000, 4), 10.02)
                .unwrap()
                .lost_frames,
            0
        );
        let b = s.push(&h10_frame(1_060_000_000, 4), 10.06).unwrap();
        assert_eq!(b.lost_frames, 1);
        // The frame's samples keep the 5 ms spacing rather than spreading over the gap.
        assert!((b.samples[1].t - b.samples[0].t - 0.005).abs() < 1e-6);
        assert_eq!(s.stats().lost_frames, 1);
    }

    #[test]
    fn bad_and_repeated_frames_are_counted_and_skipped() {
        let mut s = PmdAcc::new(200.0, 1.0, 16);
        s.push(&h10_frame(1_000_000_000, 2), 1.0).unwrap();
        assert!(s.push(&[2, 0, 0], 1.0).is_err());
        assert!(
            s.push(&h10_frame(1_000_000_000, 2), 1.0)
                .unwrap()
                .samples
                .is_empty()
        );
        assert_eq!(
            s.push(&h10_frame(1_010_000_000, 2), 1.01)
                .unwrap()
                .samples
                .len(),
            2
        );
        assert_eq!(s.stats().bad_frames, 2);
    }

    fn imu_frame(seq: u16, t0_us: u32, n: u8) -> Vec<u8> {
        let mut b = vec![1, 1];
        b.extend(seq.to_le_bytes());
        b.extend(t0_us.to_le_bytes());
        b.extend(10_000u16.to_le_bytes());
        b.push(n);
        for _ in 0..n {
            for v in [0i16, 0, 1000, 10, 0, -10] {
                b.extend(v.to_le_bytes());
            }
        }
        b
    }

    #[test]
    fn open_imu_sequence_gaps_are_lost_frames_and_time_is_kept() {
        let mut s = OpenImu::new();
        let a = s.push(&imu_frame(1, 0, 2), 100.0).unwrap();
        assert_eq!(a.lost_frames, 0);
        let b = s.push(&imu_frame(4, 60_000, 2), 100.07).unwrap();
        assert_eq!(b.lost_frames, 2);
        assert!((b.samples[0].t - a.samples[1].t - 0.05).abs() < 1e-9);
        assert_eq!(b.samples[0].gyro, Some([1.0, 0.0, -1.0]));
        assert_eq!(s.stats().lost_frames, 2);
    }
}
