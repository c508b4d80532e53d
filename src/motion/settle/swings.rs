//! From one movement signal to cycles: its turning points, the wiggles among them
//! removed by comparing each swing with its neighbours, and the ends trimmed where
//! a half swing is much smaller than the set's typical one (getting into position,
//! putting the weight down).

/// A turning point: sample index and value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Sample index.
    pub i: usize,
    /// Signal value.
    pub v: f64,
}

/// Turning points of `x` whose reversal exceeds `h`, with the first and last
/// samples added as end points.
pub fn turning_points(x: &[f64], h: f64) -> Vec<Point> {
    let Some(&first) = x.first() else {
        return Vec::new();
    };
    let mut out = vec![Point { i: 0, v: first }];
    let (mut hi, mut lo) = (Point { i: 0, v: first }, Point { i: 0, v: first });
    let mut dir = 0i8;
    for (i, &v) in x.iter().enumerate() {
        let here = Point { i, v };
        if dir >= 0 {
            if v > hi.v {
                hi = here;
            }
            if dir == 0 && v < lo.v {
                lo = here;
            }
            if v < hi.v - h {
                if dir == 1 || hi.i > 0 {
                    out.push(hi);
                }
                dir = -1;
                lo = here;
                continue;
            }
        }
        if dir <= 0 {
            if v < lo.v {
                lo = here;
            }
            if dir == 0 && v > hi.v {
                hi = here;
            }
            if v > lo.v + h {
                if dir == -1 || lo.i > 0 {
                    out.push(lo);
                }
                dir = 1;
                hi = here;
            }
        }
    }
    out.push(Point {
        i: x.len() - 1,
        v: x[x.len() - 1],
    });
    out
}

/// The size of each half swing between consecutive turning points.
pub fn swings(p: &[Point]) -> Vec<f64> {
    p.windows(2).map(|w| (w[1].v - w[0].v).abs()).collect()
}

/// Removes wiggles: repeatedly, the swing that is smallest against its larger
/// neighbour, while it is under `ratio` of it, goes with its turning points. A
/// small swing among small ones (a set of low-amplitude reps) stays.
pub fn simplify(mut p: Vec<Point>, ratio: f64) -> Vec<Point> {
    while p.len() >= 3 {
        let s = swings(&p);
        let k = s.len();
        let worst = (0..k)
            .filter_map(|i| {
                let left = i.checked_sub(1).map(|j| s[j]);
                let right = s.get(i + 1).copied();
                let nb = left.into_iter().chain(right).fold(0.0f64, f64::max);
                (nb > 0.0).then(|| (s[i] / nb, i))
            })
            .filter(|(r, _)| *r < ratio)
            .min_by(|a, b| a.0.total_cmp(&b.0));
        let Some((_, i)) = worst else { break };
        if i == 0 {
            p.remove(0);
        } else if i == k - 1 {
            p.pop();
        } else {
            p.drain(i..i + 2);
        }
    }
    p
}

/// What a breath looks like beside a set's reps: a half swing smaller than
/// `size` of the typical (median) half swing and slower than `slow` times its
/// typical duration, or, at any pace down to `tiny_slow` of it, smaller than
/// `tiny` (a wearer at rest can breathe as fast as they roll their shoulders;
/// a low-amplitude rep at that pace moves more). Beside a short run of them,
/// a half swing under `eased` of the typical one eases out of the last rep
/// into the pause, or out of the pause into the next rep
/// ([`cycles_around_rests`]).
#[derive(Debug, Clone, Copy)]
pub struct Breaths {
    pub size: f64,
    pub slow: f64,
    pub tiny: f64,
    pub tiny_slow: f64,
    pub eased: f64,
}

impl Breaths {
    /// Whether a half swing of `swing` over `duration` samples is a breath,
    /// against the typical half swing and its duration.
    fn is(&self, swing: f64, duration: f64, typical: f64, typical_d: f64) -> bool {
        (swing < self.size * typical && duration > self.slow * typical_d)
            || (swing < self.tiny * typical && duration > self.tiny_slow * typical_d)
    }
}

/// Half swings just inside a stretch's end that a half swing dropped from it as
/// too large, or a second one as partial, must be unlike too ([`trim_ends`]).
const INSIDE_SWINGS: usize = 4;

/// Drops half swings at the ends that are unlike the set's typical (median inner)
/// swing, getting into and out of position:
///
/// - smaller than `small` of it (a partial movement);
/// - larger than `large` times it and than the [`INSIDE_SWINGS`] half swings
///   inside it (lying down, standing up). A set whose reps are mostly small or
///   quick has a small typical swing, and its big reps are like each other.
///
/// At most two from each end: the second is partial only where it is small
/// against the half swings inside it as well (the last rep of a low-amplitude
/// group that ends the set is like its group). So is the first at an end
/// where the movement runs on (`cut`: the recording stopped, or started, mid-rep):
/// a half swing as big as the reps just inside it is a rep the recording cut
/// short, however small against the set's typical one. Then any number that are
/// `breaths` (a wearer standing before the first rep, or settling after the
/// last, breathes more than twice), unless the strap `moves` over them as in a
/// rep (a breath barely tilts it; a low-amplitude rep at the set's pace is as
/// small and as slow).
///
/// `centred` is for the first and the last half swing, 0 at an end that is not
/// at the movement's middle: where both ends are, and both half swings are
/// under their `centred` of it, the movement swings about a middle it starts
/// and ends at (a circle, a roll): the first goes out from the middle and the
/// last comes back to it, about half a swing each, and both go, however near
/// half they are. Where only one end is, its half swing goes when under it.
pub fn trim_ends(
    mut p: Vec<Point>,
    small: f64,
    large: f64,
    centred: [f64; 2],
    cut: [bool; 2],
    breaths: &Breaths,
    moves: &dyn Fn(&Point, &Point) -> bool,
) -> (Vec<Point>, Vec<Point>) {
    let mut dropped = Vec::new();
    let s = swings(&p);
    if s.len() < 3 {
        return (p, dropped);
    }
    let med = super::dsp::median(&s[1..s.len() - 1]);
    let under = |k: usize, swing: f64| swing < centred[k] * med;
    let (first, last) = (s[0], s[s.len() - 1]);
    if s.len() >= 5 {
        if centred[0] > 0.0 && centred[1] > 0.0 {
            if under(0, first) && under(1, last) {
                dropped.extend(p.pop());
                dropped.push(p.remove(0));
            }
        } else if under(1, last) {
            dropped.extend(p.pop());
        } else if under(0, first) {
            dropped.push(p.remove(0));
        }
    }
    // Where one half swing has gone from an end, the next goes only if it is
    // unlike the reps just inside it as well: a set that ends (or starts) with
    // a group of low-amplitude reps has their last half swing trimmed as a
    // partial movement, and the one before it is the last rep's.
    let unlike = |p: &[Point], last: bool, dropped_here: bool| {
        let n = p.len();
        let (a, b) = if last {
            (&p[n - 2], &p[n - 1])
        } else {
            (&p[0], &p[1])
        };
        let sw = (b.v - a.v).abs();
        let s = swings(p);
        let inner: Vec<f64> = if last {
            s[..s.len() - 1]
                .iter()
                .rev()
                .take(INSIDE_SWINGS)
                .copied()
                .collect()
        } else {
            s[1..].iter().take(INSIDE_SWINGS).copied().collect()
        };
        let inner = (inner.len() == INSIDE_SWINGS).then(|| super::dsp::median(&inner));
        let partial = sw < small * med
            && ((!dropped_here && !cut[usize::from(last)]) || inner.is_none_or(|m| sw < small * m));
        let larger = sw > large * med && inner.is_none_or(|m| sw > large * m);
        partial || larger
    };
    let mut dropped_at = [false; 2];
    for _ in 0..2 {
        let n = p.len();
        if n >= 3 && unlike(&p, true, dropped_at[1]) {
            dropped.extend(p.pop());
            dropped_at[1] = true;
        }
        if p.len() >= 3 && unlike(&p, false, dropped_at[0]) {
            dropped.push(p.remove(0));
            dropped_at[0] = true;
        }
    }
    let d: Vec<f64> = p.windows(2).map(|w| (w[1].i - w[0].i) as f64).collect();
    let typical_d = super::dsp::median(&d);
    let breath =
        |a: &Point, b: &Point| breaths.is((b.v - a.v).abs(), (b.i - a.i) as f64, med, typical_d);
    let breath = |a: &Point, b: &Point| breath(a, b) && !moves(a, b);
    while p.len() >= 3 && breath(&p[p.len() - 2], &p[p.len() - 1]) {
        dropped.extend(p.pop());
    }
    while p.len() >= 3 && breath(&p[0], &p[1]) {
        dropped.push(p.remove(0));
    }
    (p, dropped)
}

/// Cycles as (start, turn, end) sample indices: every two swings make a rep, out
/// and back; a lone last swing is a rep whose return the set does not show.
pub fn cycles(p: &[Point]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut j = 0;
    while j + 1 < p.len() {
        let end = p.get(j + 2).unwrap_or(&p[j + 1]);
        out.push((p[j].i, p[j + 1].i, end.i));
        j += 2;
    }
    out
}

/// [`cycles`], paired afresh after each rest: a run of at least `run` half
/// swings that are `breaths` (and over which the strap does not `move` as in a
/// rep: low-amplitude reps at the set's pace are as small and as slow, against
/// a typical half swing that fast reps make short) is breathing between two
/// groups of reps, and so is a run one short of that with the small half
/// swings beside it that make up the number (under `breaths.eased` of the
/// typical one: easing out of a rep into a short pause and out of it into the
/// next, as where shoulder rolls turn from forward to backward). A rest is no
/// rep's part, and the reps after it pair up from where it ends: an odd number
/// of breaths would otherwise put every later rep's return with the next
/// rep's outward swing, and the rest's edges would count. Where the reps
/// before a rest leave a lone half swing into it, under `breaths.eased` of the
/// typical one, it eases into the rest and is the rest's too (a bigger one is
/// a rep whose return the rest hides): in a movement about a middle, the half
/// swing back to the middle where the wearer rests.
pub fn cycles_around_rests(
    p: &[Point],
    breaths: &Breaths,
    moves: &dyn Fn(&Point, &Point) -> bool,
    run: usize,
) -> Vec<(usize, usize, usize)> {
    let s = swings(p);
    if s.len() < run + 2 {
        return cycles(p);
    }
    let d: Vec<f64> = p.windows(2).map(|w| (w[1].i - w[0].i) as f64).collect();
    let (typical, typical_d) = (super::dsp::median(&s), super::dsp::median(&d));
    let rest: Vec<bool> = (0..s.len())
        .map(|j| breaths.is(s[j], d[j], typical, typical_d) && !moves(&p[j], &p[j + 1]))
        .collect();
    let mut out = Vec::new();
    let (mut from, mut k) = (0, 0);
    while k < s.len() {
        let end = (k..s.len()).find(|&j| !rest[j]).unwrap_or(s.len());
        // A run one breath short of a rest is one with the small half swings
        // beside it: the movement easing out of the last rep and into the next.
        let (mut a, mut b) = (k, end);
        if end - k + 1 == run {
            let small = |j: usize| s[j] < breaths.eased * typical;
            a -= usize::from(a > from && small(a - 1));
            b += usize::from(b < s.len() && small(b));
        }
        if end > k && b - a >= run {
            // A lone small half swing left before the rest eases into it.
            if (a - from) % 2 == 1 && s[a - 1] < breaths.eased * typical {
                a -= 1;
            }
            out.extend(cycles(&p[from..=a]));
            from = b;
        }
        k = if b > end { b } else { end + 1 };
    }
    out.extend(cycles(&p[from..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`trim_ends`] at half and 2.5 times the typical swing, nothing moving
    /// the strap as a rep does.
    fn trim(p: Vec<Point>, centred: [f64; 2], cut: [bool; 2]) -> (Vec<Point>, Vec<Point>) {
        trim_ends(p, 0.5, 2.5, centred, cut, &BREATHS, &|_, _| false)
    }

    const BREATHS: Breaths = Breaths {
        size: 0.4,
        slow: 1.0,
        tiny: 0.2,
        tiny_slow: 0.5,
        eased: 0.4,
    };

    fn wave(periods: f64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| -(std::f64::consts::TAU * periods * i as f64 / (n - 1) as f64).cos())
            .collect()
    }

    #[test]
    fn a_wave_from_rest_to_rest_has_one_cycle_per_period() {
        let p = turning_points(&wave(5.0, 501), 0.2);
        let p = simplify(p, 0.3);
        let (p, dropped) = trim(p, [0.75; 2], [false; 2]);
        assert!(dropped.is_empty());
        assert_eq!(cycles(&p).len(), 5);
    }

    #[test]
    fn a_wave_about_a_middle_it_starts_and_ends_at_has_one_cycle_per_period_when_centred() {
        // Five periods of a sine between stillness at its middle: a half swing
        // out of the middle and one back into it, 0.5 of a full swing each.
        let mut x = vec![0.0; 30];
        x.extend((0..=500).map(|i| (std::f64::consts::TAU * 5.0 * f64::from(i) / 500.0).sin()));
        x.extend([0.0; 30]);
        let p = simplify(turning_points(&x, 0.2), 0.3);
        let (kept, _) = trim(p.clone(), [0.0; 2], [false; 2]);
        assert_eq!(cycles(&kept).len(), 6);
        let (kept, dropped) = trim(p, [0.75; 2], [false; 2]);
        assert_eq!(dropped.len(), 2);
        assert_eq!(cycles(&kept).len(), 5);
    }

    #[test]
    fn a_small_rep_cut_short_by_the_recording_stays_where_it_is_like_the_reps_before_it() {
        // Six big half swings (4), four smaller ones (1.8: tired reps), and the
        // recording stops on a last half swing as big as those (1.6): under half
        // the typical swing, but like the reps just inside it.
        let mut v = vec![0.0, 4.0, 0.0, 4.0, 0.0, 4.0, 0.0, 1.8, 0.0, 1.8, 0.0];
        v.push(-1.6);
        let p: Vec<Point> = v.iter().enumerate().map(|(i, &v)| Point { i, v }).collect();
        let (kept, _) = trim(p.clone(), [0.0; 2], [false; 2]);
        assert_eq!(
            kept.len(),
            p.len() - 1,
            "at rest, the end is a partial movement"
        );
        let (kept, _) = trim(p.clone(), [0.0; 2], [false, true]);
        assert_eq!(kept.len(), p.len(), "cut by the recording, it is a rep");
    }

    #[test]
    fn only_the_end_at_the_middle_loses_its_half_swing() {
        // A recording cut at a trough, four and a half periods, then back to
        // the middle and still there: the last half swing is half a swing.
        let mut x: Vec<f64> = (0..=475)
            .map(|i| -(std::f64::consts::TAU * 5.0 * f64::from(i) / 500.0).cos())
            .collect();
        x.extend([0.0; 30]);
        let p = simplify(turning_points(&x, 0.2), 0.3);
        let last = p.last().map(|q| q.i);
        let (kept, dropped) = trim(p.clone(), [0.0, 0.75], [false; 2]);
        assert_eq!(
            dropped.iter().map(|q| q.i).collect::<Vec<_>>(),
            [last.unwrap()]
        );
        assert_eq!(kept.len(), p.len() - 1);
        // The start is no middle: its full half swing stays, and where both
        // ends are taken for the middle, both go or neither does.
        for centred in [[0.75, 0.0], [0.75, 0.75]] {
            let (_, dropped) = trim(p.clone(), centred, [false; 2]);
            assert!(dropped.is_empty(), "{centred:?}: {dropped:?}");
        }
    }

    #[test]
    fn wiggles_inside_swings_are_removed() {
        let x: Vec<f64> = wave(4.0, 400)
            .iter()
            .enumerate()
            .map(|(i, v)| v + 0.05 * (i as f64 * 1.3).sin())
            .collect();
        let p = simplify(turning_points(&x, 0.02), 0.3);
        assert_eq!(cycles(&p).len(), 4);
    }

    #[test]
    fn breaths_before_the_first_rep_are_trimmed_however_many() {
        // Five breaths' half swings of `size`, `step` samples each, then four
        // reps from 0.2 to 1 and back, 10 samples a half swing: the two
        // partial-movement trims leave three breaths, which would pair with
        // the first rep's outward swing.
        let with_breaths = |size: f64, step: usize| {
            let mut p: Vec<Point> = (0..6)
                .map(|k| Point {
                    i: k * step,
                    v: 0.2 - size * (k % 2 == 0) as u8 as f64,
                })
                .collect();
            let at = 5 * step;
            p.extend(reps(at, 4, 10).into_iter().map(|q| Point {
                v: q.v + 0.2 * (1.0 - q.v),
                ..q
            }));
            trim(p, [0.0; 2], [false; 2])
        };
        // A quarter of a rep's swing, twice as slow: breaths.
        let (kept, dropped) = with_breaths(0.2, 20);
        assert_eq!(dropped.len(), 5, "{dropped:?}");
        assert_eq!(cycles(&kept).len(), 4, "{kept:?}");
        // As small, at the reps' pace: low-amplitude reps. The first is
        // trimmed as a partial movement; the second is like the ones inside
        // it and stays, with the three after it: two low-amplitude reps.
        let (kept, dropped) = with_breaths(0.2, 10);
        assert_eq!(dropped.len(), 1, "{dropped:?}");
        assert_eq!(cycles(&kept).len(), 6, "{kept:?}");
        // Under a fifth of a rep's swing, even at the reps' pace: breaths.
        let (kept, dropped) = with_breaths(0.15, 10);
        assert_eq!(dropped.len(), 5, "{dropped:?}");
        assert_eq!(cycles(&kept).len(), 4, "{kept:?}");
    }

    #[test]
    fn a_small_half_swing_at_the_start_is_trimmed() {
        let mut x: Vec<f64> = (0..40).map(|i| -0.2 * f64::from(i) / 40.0 - 1.0).collect();
        x.extend(wave(3.0, 300).iter().map(|v| v * 1.0));
        let p = simplify(turning_points(&x, 0.05), 0.3);
        let (p, _) = trim(p, [0.75; 2], [false; 2]);
        assert_eq!(cycles(&p).len(), 3);
    }

    #[test]
    fn a_large_first_half_swing_is_getting_into_position_only_where_unlike_the_reps_after_it() {
        // Turning points 10 samples apart with these values.
        let points = |v: &[f64]| -> Vec<Point> {
            (0..v.len()).map(|k| Point { i: 10 * k, v: v[k] }).collect()
        };
        // From lying to the reps' pose (three times a rep's size), then six
        // reps.
        let mut lead_in = vec![0.0];
        lead_in.extend((0..13).map(|k| if k % 2 == 0 { 3.0 } else { 4.0 }));
        let (_, dropped) = trim(points(&lead_in), [0.0; 2], [false; 2]);
        assert_eq!(dropped.len(), 1, "{dropped:?}");
        // Three big reps, then six a third their size: the set's typical half
        // swing is small, and the first one is three times that, as the big
        // reps after it are.
        let mut big_then_small = vec![0.0];
        for k in 0..6 {
            big_then_small.push(if k % 2 == 0 { 3.0 } else { 0.0 });
        }
        for k in 0..12 {
            big_then_small.push(if k % 2 == 0 { 1.0 } else { 0.0 });
        }
        let (kept, dropped) = trim(points(&big_then_small), [0.0; 2], [false; 2]);
        assert!(dropped.is_empty(), "{dropped:?}");
        assert_eq!(cycles(&kept).len(), 9);
    }

    /// Turning points: `reps` swings out to 1 and back to 0, `step` samples per
    /// half swing, from sample `at`.
    fn reps(at: usize, reps: usize, step: usize) -> Vec<Point> {
        (1..=2 * reps)
            .map(|k| Point {
                i: at + k * step,
                v: if k % 2 == 1 { 1.0 } else { 0.0 },
            })
            .collect()
    }

    #[test]
    fn breathing_in_a_rest_is_no_rep_and_the_reps_after_it_pair_in_step() {
        // Four reps, three breaths' half swings (a tenth of a rep's), four
        // reps: breaths slower than the reps (25 samples a half swing), and
        // as quick as them (10).
        for breath in [25, 10] {
            let mut p = vec![Point { i: 0, v: 0.0 }];
            p.extend(reps(0, 4, 10));
            let rest_end = 80 + 3 * breath;
            p.extend(
                [(80 + breath, 0.1), (80 + 2 * breath, 0.0), (rest_end, 0.1)]
                    .map(|(i, v)| Point { i, v }),
            );
            p.extend(reps(rest_end, 4, 10).into_iter().map(|q| Point {
                v: if q.v == 0.0 { 0.1 } else { 1.1 },
                ..q
            }));
            // Paired straight through, the breaths put the second group out of step.
            assert_eq!(cycles(&p).len(), 10);
            let c = cycles_around_rests(&p, &BREATHS, &|_, _| false, 3);
            assert_eq!(c.len(), 8, "{breath}: {c:?}");
            assert!(c.iter().all(|&(s, _, e)| e - s == 20), "{breath}: {c:?}");
        }
    }

    #[test]
    fn a_short_pause_eased_into_and_out_of_is_a_rest() {
        // Four reps; easing out (a small quick half swing), two half swings of
        // `size` over `step` samples, easing in; four reps.
        let pause = |size: f64, step: usize| {
            let mut p = vec![Point { i: 0, v: 0.0 }];
            p.extend(reps(0, 4, 10));
            let back = 90 + 2 * step;
            p.extend(
                [
                    (90, 0.3),
                    (90 + step, 0.3 - size),
                    (back, 0.3),
                    (back + 10, 0.0),
                ]
                .map(|(i, v)| Point { i, v }),
            );
            p.extend(reps(back + 10, 4, 10));
            p
        };
        // Two breaths between: a pause, whose four half swings would pair into
        // two reps, and the reps after it pair in step.
        let p = pause(0.15, 15);
        assert_eq!(cycles(&p).len(), 10);
        let c = cycles_around_rests(&p, &BREATHS, &|_, _| false, 3);
        assert_eq!(c.len(), 8, "{c:?}");
        assert!(c.iter().all(|&(s, _, e)| e - s == 20), "{c:?}");
        // Low-amplitude reps' size, at the reps' pace: reps.
        assert_eq!(
            cycles_around_rests(&pause(0.3, 10), &BREATHS, &|_, _| false, 3).len(),
            10
        );
    }

    #[test]
    fn a_pause_at_the_middle_of_a_movement_about_it_is_a_rest() {
        // Four reps swinging between -1 and 1 about their middle; half a swing
        // back to the middle, a sway of `sway` and `sway + 0.04` of a swing
        // while paused there, at the reps' pace, half a swing out; four reps.
        let set = |sway: f64| {
            let swing = |k: usize| if k % 2 == 1 { 1.0 } else { -1.0 };
            let mut p: Vec<Point> = (0..=8)
                .map(|k| Point {
                    i: 10 * k,
                    v: swing(k),
                })
                .collect();
            let low = -0.06 - 2.0 * sway;
            p.extend(
                [
                    (90, -0.06),
                    (100, low),
                    (110, low + 2.0 * (sway + 0.04)),
                    (120, -0.9),
                ]
                .map(|(i, v)| Point { i, v }),
            );
            p.extend((1..=8).map(|k| Point {
                i: 120 + 10 * k,
                v: swing(k),
            }));
            p
        };
        let about_middle = Breaths {
            tiny: 0.3,
            eased: 0.75,
            ..BREATHS
        };
        // The pause's four half swings would pair into two reps.
        let p = set(0.17);
        assert_eq!(cycles(&p).len(), 10);
        let c = cycles_around_rests(&p, &about_middle, &|_, _| false, 3);
        assert_eq!(c.len(), 8, "{c:?}");
        assert!(c.iter().all(|&(s, _, e)| e - s == 20), "{c:?}");
        // Where a movement rests at one end (a leg raise's floor), swings that
        // big out of it and back are reps.
        assert_eq!(
            cycles_around_rests(&p, &BREATHS, &|_, _| false, 3).len(),
            10
        );
        // And about a middle, low-amplitude reps' size at the reps' pace too.
        assert_eq!(
            cycles_around_rests(&set(0.35), &about_middle, &|_, _| false, 3).len(),
            10
        );
    }

    #[test]
    fn a_lone_small_half_swing_into_a_rest_eases_into_it() {
        // Four reps, a third of a swing into the rest at the reps' pace, three
        // slow breaths, four reps; with a full swing in its place, a rep whose
        // return the rest hides.
        let set_with = |into: f64, breaths: &Breaths| {
            let mut p = vec![Point { i: 0, v: 0.0 }];
            p.extend(reps(0, 4, 10));
            p.push(Point { i: 90, v: into });
            p.extend(
                [(115, into - 0.1), (140, into), (165, into - 0.1)].map(|(i, v)| Point { i, v }),
            );
            p.extend(reps(165, 4, 10).into_iter().map(|q| Point {
                v: q.v + into - 0.1,
                ..q
            }));
            cycles_around_rests(&p, breaths, &|_, _| false, 3)
        };
        let set = |into: f64| set_with(into, &BREATHS);
        let c = set(0.3);
        assert_eq!(c.len(), 8, "{c:?}");
        assert!(c.iter().all(|&(s, _, e)| e - s == 20), "{c:?}");
        assert_eq!(set(1.0).len(), 9);
        // Half a swing, where the movement swings about a middle and rests
        // there (a shoulder roll's last one back to neutral), eases into it
        // too; where it rests at one end, it is a rep the rest cut short.
        let about_middle = Breaths {
            eased: 0.75,
            ..BREATHS
        };
        assert_eq!(set_with(0.5, &about_middle).len(), 8);
        assert_eq!(set(0.5).len(), 9);
    }

    #[test]
    fn small_quick_reps_are_not_a_rest() {
        // Four full reps, then four low-amplitude ones, quicker: all reps.
        let mut p = vec![Point { i: 0, v: 0.0 }];
        p.extend(reps(0, 4, 10));
        p.extend(
            reps(80, 4, 6)
                .into_iter()
                .map(|q| Point { v: q.v * 0.2, ..q }),
        );
        assert_eq!(cycles_around_rests(&p, &BREATHS, &|_, _| false, 3).len(), 8);
    }

    #[test]
    fn low_amplitude_reps_among_their_like_stay() {
        let x: Vec<f64> = wave(6.0, 600).iter().map(|v| v * 0.2).collect();
        let p = simplify(turning_points(&x, 0.02), 0.3);
        assert_eq!(cycles(&p).len(), 6);
    }
}
