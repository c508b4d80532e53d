//! The signal processing the settling step needs, on evenly spaced samples: zero-phase
//! Butterworth sections, a moving RMS, percentiles, the rep period from the
//! autocorrelation (or from the strongest frequency) and the dominant direction
//! of a few channels.

/// A second-order Butterworth section (RBJ cookbook, Q = 1/sqrt 2).
#[derive(Debug, Clone, Copy)]
pub struct Biquad {
    b: [f64; 3],
    a: [f64; 2],
}

impl Biquad {
    /// A low-pass at `hz` for samples at `fs`.
    pub fn low_pass(hz: f64, fs: f64) -> Self {
        let (c, alpha) = Self::omega(hz, fs);
        let a0 = 1.0 + alpha;
        let b = (1.0 - c) / 2.0 / a0;
        Self {
            b: [b, 2.0 * b, b],
            a: [-2.0 * c / a0, (1.0 - alpha) / a0],
        }
    }

    /// A high-pass at `hz` for samples at `fs`.
    pub fn high_pass(hz: f64, fs: f64) -> Self {
        let (c, alpha) = Self::omega(hz, fs);
        let a0 = 1.0 + alpha;
        let b = (1.0 + c) / 2.0 / a0;
        Self {
            b: [b, -2.0 * b, b],
            a: [-2.0 * c / a0, (1.0 - alpha) / a0],
        }
    }

    fn omega(hz: f64, fs: f64) -> (f64, f64) {
        let w0 = std::f64::consts::TAU * (hz / fs).min(0.49);
        (w0.cos(), w0.sin() / std::f64::consts::SQRT_2)
    }

    /// Filters `x` in place in one direction, starting from the steady state of a
    /// constant input equal to the first sample (no start-up transient).
    fn run(&self, x: &mut [f64], forward: bool) {
        let Some(&x0) = (if forward { x.first() } else { x.last() }) else {
            return;
        };
        let [b0, b1, b2] = self.b;
        let [a1, a2] = self.a;
        let gain = (b0 + b1 + b2) / (1.0 + a1 + a2);
        let y0 = x0 * gain;
        let (mut z1, mut z2) = (y0 - b0 * x0, b2 * x0 - a2 * y0);
        let mut step = |v: &mut f64| {
            let xin = *v;
            let y = b0 * xin + z1;
            z1 = b1 * xin - a1 * y + z2;
            z2 = b2 * xin - a2 * y;
            *v = y;
        };
        if forward {
            x.iter_mut().for_each(&mut step);
        } else {
            x.iter_mut().rev().for_each(&mut step);
        }
    }

    /// Filters forward then backward: no phase shift, the magnitude squared.
    pub fn filtfilt(&self, x: &mut [f64]) {
        self.run(x, true);
        self.run(x, false);
    }
}

/// Centred moving RMS over `window` samples (shorter at the ends).
pub fn moving_rms(energy: &[f64], window: usize) -> Vec<f64> {
    let n = energy.len();
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for e in energy {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + e);
    }
    let half = window / 2;
    (0..n)
        .map(|i| {
            let lo = i.saturating_sub(half);
            let hi = (i + window - half).min(n);
            ((prefix[hi] - prefix[lo]) / window as f64).max(0.0).sqrt()
        })
        .collect()
}

/// The `q`-th percentile (0..=100) with linear interpolation; 0 for no data.
pub fn percentile(x: &[f64], q: f64) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    let pos = q / 100.0 * (v.len() - 1) as f64;
    let (i, frac) = (pos.floor() as usize, pos.fract());
    let next = v[(i + 1).min(v.len() - 1)];
    v[i] + frac * (next - v[i])
}

/// The median; 0 for no data.
pub fn median(x: &[f64]) -> f64 {
    percentile(x, 50.0)
}

/// A shorter period wins over the autocorrelation's highest peak when its own
/// peak is at least this fraction of it: two reps must not read as one, but a
/// rep whose second half echoes its first (an arm out and back, a noisy
/// accelerometer's jolts at each end) is one rep. Half the highest peak's lag
/// must also stand this high along their multiples ([`half_of`]).
const SHORTER_PEAK: f64 = 0.85;

/// The rep period (in samples) of `channels` (each the same length, mean removed):
/// the lag of the autocorrelation's highest peak between `min_lag` and `max_lag`
/// (and at most half the length: two periods at least), or the shortest peak
/// nearly as high, and at half its lag, along their multiples too
/// ([`SHORTER_PEAK`]). The biased estimate (every lag
/// divided by the whole length) keeps the few products at long lags from reading
/// as a strong period. Summing the channels' autocorrelations makes it
/// independent of how the strap is mounted. Samples `unseen` (interpolated
/// across a gap in the recording; empty for none) are left out: each lag's
/// products are the mean of those between seen samples, biased as if all were.
///
/// With it, the autocorrelation there as a fraction of the power: how alike each
/// cycle is to the next (1 for a pure endless wave).
pub fn period(
    channels: &[Vec<f64>],
    unseen: &[bool],
    min_lag: usize,
    max_lag: usize,
) -> Option<(usize, f64)> {
    let n = channels.first()?.len();
    let max_lag = max_lag.min(n / 2);
    if max_lag <= min_lag + 2 {
        return None;
    }
    let gaps = unseen.iter().any(|&u| u);
    // Across a gap, the products with an unseen sample are left out: zeroed,
    // and the pairs counted from the seen samples' mask the same way.
    let (seen, masked): (Vec<f64>, Vec<Vec<f64>>) = if gaps {
        let seen: Vec<f64> = unseen.iter().map(|&u| if u { 0.0 } else { 1.0 }).collect();
        let masked = channels
            .iter()
            .map(|c| c.iter().zip(&seen).map(|(v, s)| v * s).collect())
            .collect();
        (seen, masked)
    } else {
        (Vec::new(), Vec::new())
    };
    let channels = if gaps { &masked[..] } else { channels };
    let r: Vec<f64> = (0..=max_lag)
        .map(|lag| {
            let sum: f64 = channels
                .iter()
                .map(|c| lagged_dot(&c[..n - lag], &c[lag..]))
                .sum();
            let pairs = if gaps {
                lagged_dot(&seen[..n - lag], &seen[lag..])
            } else {
                (n - lag) as f64
            };
            if pairs == 0.0 {
                return 0.0;
            }
            sum / pairs * (n - lag) as f64 / n as f64
        })
        .collect();
    if r[0] <= 0.0 {
        return None;
    }
    let peaks: Vec<usize> = (min_lag.max(1)..max_lag)
        .filter(|&i| r[i] > r[i - 1] && r[i] >= r[i + 1])
        .collect();
    let best = *peaks.iter().max_by(|a, b| r[**a].total_cmp(&r[**b]))?;
    let shorter = peaks.iter().find(|&&p| {
        p < best
            && r[p] > SHORTER_PEAK * r[best]
            && half_of(&r, p, best).is_none_or(|odd| odd > SHORTER_PEAK)
    });
    let p = shorter.copied().unwrap_or(best);
    Some((p, r[p] / r[0]))
}

/// The sum of `a[i] * b[i]`, in four running sums that the compiler keeps
/// in one vector register: the autocorrelation is most of a settling's work.
/// Plain indexing, not iterator adaptors: the tests build this crate lightly
/// optimised (opt-level 1), which leaves an adaptor's every step a call.
fn lagged_dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (xs, x_tail) = a[..n].as_chunks::<4>();
    let (ys, y_tail) = b[..n].as_chunks::<4>();
    let mut acc = [0.0; 4];
    let mut k = 0;
    while k < xs.len() {
        let (x, y) = (&xs[k], &ys[k]);
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
        k += 1;
    }
    let mut tail = 0.0;
    let mut k = 0;
    while k < x_tail.len() {
        tail += x_tail[k] * y_tail[k];
        k += 1;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Where the longer lag `best` is twice the shorter `p` (within a quarter of
/// `p`): how high the autocorrelation `r` stands at the odd multiples of `p`
/// against the even ones (the multiples of `best`), each the highest within a
/// quarter of `p` of where it falls, over every multiple `r` reaches. One lag
/// is a rep where every cycle matches the next about as well as every other
/// one does; two, where every other one matches clearly better. Over the run
/// of multiples, a slow drift in the stretch (getting into position, a sway)
/// that lifts the first two peaks alike, and so nearer each other, weighs
/// little: it lifts the later ones less, or lowers them. `None` where `best`
/// is not twice `p`.
fn half_of(r: &[f64], p: usize, best: usize) -> Option<f64> {
    if (best as f64 - 2.0 * p as f64).abs() > p as f64 / 4.0 {
        return None;
    }
    let max_lag = r.len() - 1;
    let reach = (p / 4).max(1);
    let peak = |x: usize| {
        let (lo, hi) = (x.saturating_sub(reach).max(1), (x + reach).min(max_lag));
        r[lo..=hi].iter().copied().fold(f64::MIN, f64::max)
    };
    let (mut odd, mut even) = (0.0, 0.0);
    for k in 1..=max_lag / best {
        odd += peak((2 * k - 1) * best / 2);
        even += peak(k * best);
    }
    (even > 0.0).then(|| odd / even)
}

/// Frequencies tried by [`strongest_period`], spaced evenly in log between its
/// lags.
const FREQUENCIES: usize = 200;

/// The period (in samples, between `min_lag` and `max_lag`) of the strongest
/// frequency in `channels` (each the same length, mean removed), their powers
/// summed (so independent of how the strap is mounted), from the samples not
/// `unseen`. Where reps come unevenly (pauses of any length between them), the
/// autocorrelation finds no lag at which one rep matches the next, but each rep
/// still swings at its own pace, and the spectrum shows it.
pub fn strongest_period(
    channels: &[Vec<f64>],
    unseen: &[bool],
    min_lag: usize,
    max_lag: usize,
) -> Option<f64> {
    let (lo, hi) = (1.0 / max_lag as f64, 1.0 / min_lag.max(2) as f64);
    if channels.is_empty() || lo >= hi {
        return None;
    }
    let mut best: Option<(f64, f64)> = None;
    for k in 0..=FREQUENCIES {
        let f = lo * (hi / lo).powf(k as f64 / FREQUENCIES as f64);
        // A phasor turned by one sample's angle at each step.
        let (step_re, step_im) = (
            (std::f64::consts::TAU * f).cos(),
            (std::f64::consts::TAU * f).sin(),
        );
        let power: f64 = channels
            .iter()
            .map(|c| {
                let (mut re, mut im) = (0.0, 0.0);
                let (mut pr, mut pi) = (1.0, 0.0);
                for (i, v) in c.iter().enumerate() {
                    if !unseen.get(i).copied().unwrap_or(false) {
                        re += v * pr;
                        im += v * pi;
                    }
                    (pr, pi) = (pr * step_re - pi * step_im, pr * step_im + pi * step_re);
                }
                re * re + im * im
            })
            .sum();
        if best.is_none_or(|(p, _)| power > p) {
            best = Some((power, 1.0 / f));
        }
    }
    best.filter(|&(p, _)| p > 0.0).map(|(_, lag)| lag)
}

/// The unit direction of largest variance of `channels` (mean removed), by power
/// iteration on their covariance from the channel of largest variance.
pub fn principal(channels: &[Vec<f64>]) -> Vec<f64> {
    let k = channels.len();
    let n = channels.first().map_or(0, Vec::len).max(1) as f64;
    let cov: Vec<Vec<f64>> = (0..k)
        .map(|i| {
            (0..k)
                .map(|j| {
                    let s: f64 = channels[i]
                        .iter()
                        .zip(&channels[j])
                        .map(|(a, b)| a * b)
                        .sum();
                    s / n
                })
                .collect()
        })
        .collect();
    let start = (0..k)
        .max_by(|&a, &b| cov[a][a].total_cmp(&cov[b][b]))
        .unwrap_or(0);
    let mut v: Vec<f64> = (0..k).map(|i| if i == start { 1.0 } else { 0.0 }).collect();
    for _ in 0..200 {
        let w: Vec<f64> = cov
            .iter()
            .map(|row| row.iter().zip(&v).map(|(a, b)| a * b).sum())
            .collect();
        let norm = w.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm <= f64::MIN_POSITIVE {
            break;
        }
        v = w.into_iter().map(|x| x / norm).collect();
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(n: usize, period: f64) -> Vec<f64> {
        (0..n)
            .map(|i| (std::f64::consts::TAU * i as f64 / period).sin())
            .collect()
    }

    #[test]
    fn low_pass_keeps_slow_and_removes_fast() {
        let mut slow = sine(1000, 100.0);
        let mut fast = sine(1000, 4.0);
        let f = Biquad::low_pass(1.0, 25.0);
        f.filtfilt(&mut slow);
        f.filtfilt(&mut fast);
        let peak = |x: &[f64]| x[200..800].iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(peak(&slow) > 0.95, "{}", peak(&slow));
        assert!(peak(&fast) < 0.01, "{}", peak(&fast));
    }

    #[test]
    fn high_pass_removes_an_offset() {
        let mut x: Vec<f64> = sine(2000, 50.0).iter().map(|v| v + 3.0).collect();
        Biquad::high_pass(0.05, 25.0).filtfilt(&mut x);
        let mean = x[500..1500].iter().sum::<f64>() / 1000.0;
        assert!(mean.abs() < 0.05, "{mean}");
    }

    #[test]
    fn samples_not_seen_take_no_part_in_the_period() {
        // A wave of 50 samples with 60 lost in the middle, interpolated there
        // as a level far from the wave's (a sensor's bias held across a gap).
        let mut x = sine(1000, 50.0);
        let unseen: Vec<bool> = (0..1000).map(|i| (470..530).contains(&i)).collect();
        x[470..530].fill(4.0);
        let mean = x.iter().sum::<f64>() / 1000.0;
        x.iter_mut().for_each(|v| *v -= mean);
        let (p, alike) = period(&[x.clone()], &unseen, 10, 300).unwrap();
        assert_eq!(p, 50);
        assert!(alike > 0.8, "{alike}");
        // Taken as seen, the level is the strongest thing in the signal.
        assert_ne!(period(&[x], &[], 10, 300).map(|(p, _)| p), Some(50));
    }

    #[test]
    fn period_of_a_two_bump_cycle_is_the_whole_cycle() {
        // A cycle of 50 samples with a second bump at twice the rate, 40% as big.
        let x: Vec<f64> = (0..1000)
            .map(|i| {
                let p = std::f64::consts::TAU * i as f64 / 50.0;
                p.sin() + 0.4 * (2.0 * p).sin()
            })
            .collect();
        assert_eq!(period(&[x], &[], 10, 300).map(|(p, _)| p), Some(50));
    }

    #[test]
    fn a_rep_whose_second_half_echoes_its_first_is_one_rep() {
        // Jolts at both ends of each rep, as a noisy accelerometer shows them:
        // the half-rep lag correlates at about 0.8 of the whole rep's.
        let x: Vec<f64> = (0..1000)
            .map(|i| {
                let p = std::f64::consts::TAU * i as f64 / 50.0;
                p.sin() + 3.0 * (2.0 * p).sin()
            })
            .collect();
        assert_eq!(period(&[x], &[], 10, 300).map(|(p, _)| p), Some(50));
        // A true half-period rhythm is still found.
        let y: Vec<f64> = (0..1000)
            .map(|i| (std::f64::consts::TAU * i as f64 / 25.0).sin())
            .collect();
        assert_eq!(period(&[y], &[], 10, 300).map(|(p, _)| p), Some(25));
    }

    #[test]
    fn a_slow_sway_does_not_halve_a_rep_whose_second_half_echoes_its_first() {
        // The echoing rep of the test above (its half lag at about 0.76 of the
        // whole one), under a sway as big as the reps, 16 s long at 25 Hz: it
        // lifts the first two peaks alike, the half lag's to 0.9 of the
        // whole's, and the run of their multiples still tells one rep.
        let x: Vec<f64> = (0..1000)
            .map(|i| {
                let p = std::f64::consts::TAU * i as f64 / 50.0;
                let sway = 2.0 * (std::f64::consts::TAU * i as f64 / 400.0).sin();
                p.sin() + 2.6 * (2.0 * p).sin() + sway
            })
            .collect();
        let mean = x.iter().sum::<f64>() / 1000.0;
        let x: Vec<f64> = x.iter().map(|v| v - mean).collect();
        assert_eq!(period(&[x], &[], 10, 300).map(|(p, _)| p), Some(50));
        // Reps that alternate in size (1.2 and 0.8: a left and a right) make
        // every other one the better match, a little, all along: still two.
        let y: Vec<f64> = (0..1000)
            .map(|i| {
                let p = std::f64::consts::TAU * i as f64 / 25.0;
                (1.0 + 0.2 * (p / 2.0).sin().signum()) * p.sin()
            })
            .collect();
        assert_eq!(period(&[y], &[], 10, 300).map(|(p, _)| p), Some(25));
    }

    #[test]
    fn principal_direction_of_a_line() {
        let a = sine(500, 40.0);
        let chans = vec![
            a.iter().map(|v| v * 0.6).collect(),
            a.iter().map(|v| v * 0.8).collect(),
        ];
        let v = principal(&chans);
        assert!((v[0].abs() - 0.6).abs() < 1e-6 && (v[1].abs() - 0.8).abs() < 1e-6);
    }

    #[test]
    fn percentiles_interpolate() {
        let x = [4.0, 1.0, 3.0, 2.0];
        assert_eq!(percentile(&x, 0.0), 1.0);
        assert_eq!(percentile(&x, 100.0), 4.0);
        assert!((median(&x) - 2.5).abs() < 1e-12);
    }

    #[test]
    fn the_strongest_frequency_is_the_pace_of_bursts_that_come_unevenly() {
        // Bursts of one 40-sample swing each, 0 to 120 samples apart: no lag
        // matches one to the next, but each swings at the same pace. A lone
        // swing's spectrum peaks a little below its own rate: the period reads
        // up to half as long again, never a run of several bursts.
        let gaps = [0, 90, 10, 120, 40, 0, 75, 110, 20, 60];
        let mut x = Vec::new();
        for g in gaps {
            x.extend(sine(40, 40.0));
            x.extend(std::iter::repeat_n(0.0, g));
        }
        let mean = x.iter().sum::<f64>() / x.len() as f64;
        let x: Vec<f64> = x.iter().map(|v| v - mean).collect();
        let lag = strongest_period(std::slice::from_ref(&x), &[], 15, 300).unwrap();
        assert!((40.0..60.0).contains(&lag), "{lag}");
        // Samples not seen take no part: the same bursts with a run of samples
        // marked unseen and filled with a slow wave.
        let mut filled = x.clone();
        let unseen: Vec<bool> = (0..x.len()).map(|i| (100..300).contains(&i)).collect();
        for (i, v) in filled.iter_mut().enumerate().take(300).skip(100) {
            *v = 5.0 * (std::f64::consts::TAU * i as f64 / 200.0).sin();
        }
        let seen_only = strongest_period(&[filled], &unseen, 15, 300).unwrap();
        let mut cut = x;
        cut[100..300].iter_mut().for_each(|v| *v = 0.0);
        let zeroed = strongest_period(&[cut], &[], 15, 300).unwrap();
        assert!((seen_only - zeroed).abs() < 1e-9, "{seen_only} {zeroed}");
    }
}
