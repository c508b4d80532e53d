//! A strap's clock mapped to wall time: anchored once per connection, re-anchored
//! when the two drift apart by more than a bound.

/// Maps device nanoseconds to wall-clock seconds (Unix time).
#[derive(Debug, Clone)]
pub struct ClockMap {
    anchor: Option<(u64, f64)>,
    max_drift_s: f64,
    reanchors: u32,
    /// The last time handed out, wall and device.
    last_out: f64,
    last_out_ns: Option<u64>,
}

/// Default bound on drift before re-anchoring (s).
pub const DEFAULT_MAX_DRIFT_S: f64 = 0.5;

impl ClockMap {
    /// An unanchored map.
    pub fn new(max_drift_s: f64) -> Self {
        Self {
            anchor: None,
            max_drift_s,
            reanchors: 0,
            last_out: f64::NEG_INFINITY,
            last_out_ns: None,
        }
    }

    /// Forgets the anchor (a new connection); times handed out stay increasing.
    pub fn reset(&mut self) {
        self.anchor = None;
        self.last_out_ns = None;
    }

    /// How many times the map re-anchored because of drift.
    pub fn reanchors(&self) -> u32 {
        self.reanchors
    }

    /// Takes in a frame whose samples span device times `first_ns..=last_ns` and
    /// which arrived at wall time `arrival_s`. The first frame anchors the map; a
    /// frame that arrives further than the bound from its predicted time
    /// re-anchors it, never so far back that a time already handed out repeats.
    pub fn observe(&mut self, first_ns: u64, last_ns: u64, arrival_s: f64) {
        if self.anchor.is_some() && (arrival_s - self.wall(last_ns)).abs() <= self.max_drift_s {
            return;
        }
        if self.anchor.is_some() {
            self.reanchors += 1;
        }
        let span = last_ns.saturating_sub(first_ns) as f64 / 1e9;
        // Keep the device's own spacing from the last sample handed out; after a
        // clock that went backwards, a microsecond.
        let gap = match self.last_out_ns {
            Some(prev) if first_ns > prev => (first_ns - prev) as f64 / 1e9,
            _ => 1e-6,
        };
        let floor = self.last_out + gap + span;
        self.anchor = Some((last_ns, arrival_s.max(floor)));
    }

    /// Wall time of a device time, remembered as handed out.
    pub fn map(&mut self, device_ns: u64) -> f64 {
        let t = self.wall(device_ns);
        if t > self.last_out {
            self.last_out = t;
            self.last_out_ns = Some(device_ns);
        }
        t
    }

    fn wall(&self, device_ns: u64) -> f64 {
        match self.anchor {
            Some((dev, wall)) => wall + (device_ns as f64 - dev as f64) / 1e9,
            None => device_ns as f64 / 1e9,
        }
    }
}

/// Extends a wrapping 32-bit microsecond counter to 64-bit nanoseconds.
#[derive(Debug, Clone, Default)]
pub struct Unwrap32 {
    last: Option<u32>,
    high: u64,
}

impl Unwrap32 {
    /// A fresh unwrapper.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets history (a new connection).
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// The counter value in nanoseconds since the first reading's epoch.
    pub fn extend_us(&mut self, us: u32) -> u64 {
        if let Some(last) = self.last {
            // A step backwards by more than half the range is a wrap.
            if us < last && last - us > u32::MAX / 2 {
                self.high += 1 << 32;
            }
        }
        self.last = Some(us);
        (self.high + u64::from(us)) * 1000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_once_and_follows_device_time() {
        let mut c = ClockMap::new(0.5);
        c.observe(900_000_000, 1_000_000_000, 100.0);
        assert!((c.map(1_500_000_000) - 100.5).abs() < 1e-9);
        // Jitter in arrival within the bound keeps the anchor.
        c.observe(1_900_000_000, 2_000_000_000, 101.2);
        assert!((c.map(2_000_000_000) - 101.0).abs() < 1e-9);
        assert_eq!(c.reanchors(), 0);
    }

    #[test]
    fn reanchors_past_the_drift_bound() {
        let mut c = ClockMap::new(0.5);
        c.observe(0, 0, 10.0);
        c.observe(59_000_000_000, 60_000_000_000, 70.8);
        assert_eq!(c.reanchors(), 1);
        assert!((c.map(60_000_000_000) - 70.8).abs() < 1e-9);
    }

    #[test]
    fn a_fast_clock_never_maps_back_in_time_and_keeps_its_spacing() {
        // A strap clock running ten times too fast: each re-anchor would pull
        // times back to the arrival; they must keep increasing instead, 5 ms apart.
        let mut c = ClockMap::new(0.5);
        let mut times = Vec::new();
        for k in 0..100u64 {
            let first_ns = k * 180_000_000;
            let last_ns = first_ns + 175_000_000;
            c.observe(first_ns, last_ns, 10.0 + k as f64 * 0.018);
            for i in 0..36 {
                times.push(c.map(first_ns + i * 5_000_000));
            }
        }
        assert!(c.reanchors() > 0);
        for w in times.windows(2) {
            assert!(
                (w[1] - w[0] - 0.005).abs() < 1e-6,
                "{} after {}",
                w[1],
                w[0]
            );
        }
    }

    #[test]
    fn unwraps_a_32_bit_microsecond_counter() {
        let mut u = Unwrap32::new();
        assert_eq!(
            u.extend_us(u32::MAX - 10),
            (u64::from(u32::MAX) - 10) * 1000
        );
        assert_eq!(u.extend_us(5), ((1u64 << 32) + 5) * 1000);
        assert_eq!(u.extend_us(20), ((1u64 << 32) + 20) * 1000);
    }
}
