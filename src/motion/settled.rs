//! A set's count once the set is over: the reps that stand, the live reps that
//! settling withdrew and why, and what the wearer should know about the count.

use serde::{Deserialize, Serialize};

use super::rep::{Flag, Rep, score};
use super::settle::{Cycle, GAP_CONTEXT, GAP_MAX_REPS, rhythm};
use crate::exercises::Target;

/// A tilt rep under this fraction of the set's typical peak angle, and short of
/// the spec, is a partial rep ([`Settled::from_tilts`]).
const PARTIAL_OF_TYPICAL: f64 = 0.65;

/// The typical peak angle of a set's reps, what the wearer's reps reach: the
/// upper quartile, which half reps mixed in (even one in two, as a set goes
/// along) do not pull down; 0 for none.
pub(crate) fn typical_peak(peaks: impl Iterator<Item = f64>) -> f64 {
    let mut peaks: Vec<f64> = peaks.collect();
    peaks.sort_by(f64::total_cmp);
    peaks.get(peaks.len() * 3 / 4).copied().unwrap_or(0.0)
}

/// Whether a tilt rep looks like a half rep beside reps whose typical peak is
/// `typical`: far smaller, and short of the spec (its band or its hold). A
/// movement with no hold to make (a squat, a crunch) is its range and nothing
/// else: far smaller than the wearer's own reps is a half rep even where a
/// generous band takes it in. With fewer than [`MIN_REPS_FOR_TYPICAL`] reps,
/// nothing is typical yet.
pub(crate) fn looks_partial(rep: &Rep, typical: f64) -> bool {
    rep.peak_deg < PARTIAL_OF_TYPICAL * typical
        && (rep.hold.is_none()
            || rep
                .flags
                .iter()
                .any(|f| matches!(f, Flag::PartialRange | Flag::ShortHold)))
}

/// Reps a set needs before its typical rep is known.
pub(crate) const MIN_REPS_FOR_TYPICAL: usize = 3;

/// Why a rep the live count reported was withdrawn when the set settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawReason {
    /// Before the set's first rep and unlike its reps: getting into position,
    /// picking up or unracking the weight.
    LeadIn,
    /// After the set's last rep and unlike its reps: putting the weight down,
    /// standing up.
    LeadOut,
    /// Between reps but out of the set's rhythm: a re-grip, a shuffle.
    OutOfRhythm,
    /// Far smaller than the set's other reps and short of the target (its angle
    /// or its hold; a movement with no hold has only its range): a half rep
    /// among full ones.
    Partial,
}

impl WithdrawReason {
    /// The name used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            WithdrawReason::LeadIn => "lead_in",
            WithdrawReason::LeadOut => "lead_out",
            WithdrawReason::OutOfRhythm => "out_of_rhythm",
            WithdrawReason::Partial => "partial",
        }
    }

    /// The reason [`Self::as_str`] names.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::LeadIn,
            Self::LeadOut,
            Self::OutOfRhythm,
            Self::Partial,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// A live rep that settling withdrew.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Withdrawn {
    /// The rep as the live count reported it.
    pub rep: Rep,
    /// Why it is not a rep.
    pub reason: WithdrawReason,
}

/// The settled count of a set.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Settled {
    /// The reps that stand, numbered from 1.
    pub reps: Vec<Rep>,
    /// Live reps that were withdrawn.
    pub withdrawn: Vec<Withdrawn>,
    /// Reps the live count reported.
    pub live_reps: u32,
    /// What the wearer should know about how the count was made (a rest pose
    /// that had to be guessed, a set too long to settle).
    pub warnings: Vec<String>,
}

impl Settled {
    /// The count as the store keeps it: settled, live, and the live reps (by
    /// number) withdrawn.
    pub fn settlement(&self) -> crate::store::Settlement {
        crate::store::Settlement {
            reps: self.reps.len() as u32,
            live_reps: self.live_reps,
            withdrawn: self.withdrawn.iter().map(|w| (w.rep.n, w.reason)).collect(),
        }
    }

    /// A settled count that keeps the live reps as they are.
    pub fn live(reps: Vec<Rep>, warnings: Vec<String>) -> Self {
        Self {
            live_reps: reps.len() as u32,
            reps,
            withdrawn: Vec::new(),
            warnings,
        }
    }

    /// A count that stands as counted live, with the reps a gap in the samples
    /// hid counted from the set's rhythm: where the reps on both sides of a
    /// gap start at a steady period (`settle::rhythm`), and the two
    /// beside it start about `k` periods apart, the `k - 1` reps between them
    /// were made unseen (the rep under way when the link dropped is lost to a
    /// live count). A gap longer than [`GAP_MAX_REPS`] periods may hide a
    /// pause or the set's end as well, and one with no reps beyond it on one
    /// side may hide the end: nothing is guessed there. Returns the count and,
    /// per gap, the reps added.
    pub fn live_across_gaps(
        live: Vec<Rep>,
        gaps: &[(f64, f64)],
        warnings: Vec<String>,
    ) -> (Self, Vec<usize>) {
        let live_reps = live.len() as u32;
        let mut reps = live;
        let mut added = Vec::with_capacity(gaps.len());
        for &(a, b) in gaps {
            let next = reps.partition_point(|r| r.start_s < a);
            added.push(0);
            if next == 0 || next >= reps.len() || reps[next].start_s < b {
                continue;
            }
            let periods = |from: usize, to: usize| -> Vec<f64> {
                (from + 1..to)
                    .map(|i| reps[i].start_s - reps[i - 1].start_s)
                    .collect()
            };
            let before = periods(next.saturating_sub(GAP_CONTEXT + 1), next);
            let after = periods(next, (next + GAP_CONTEXT + 1).min(reps.len()));
            if before.is_empty() || after.is_empty() {
                continue;
            }
            let (period, steady) = rhythm(&[before, after].concat());
            if period <= 0.0 || !steady || b - a > GAP_MAX_REPS * period {
                continue;
            }
            let (prev, following) = (&reps[next - 1], &reps[next]);
            let k = ((following.start_s - prev.start_s) / period).round() as usize;
            if k < 2 {
                continue;
            }
            let step = (following.start_s - prev.start_s) / k as f64;
            let length = (prev.end_s - prev.start_s).min(step);
            let unseen: Vec<Rep> = (1..k)
                .map(|j| {
                    let start_s = prev.start_s + j as f64 * step;
                    Rep {
                        start_s,
                        end_s: start_s + length,
                        flags: vec![Flag::Unseen],
                        ..prev.clone()
                    }
                })
                .collect();
            *added.last_mut().expect("pushed above") = unseen.len();
            reps.splice(next..next, unseen);
        }
        for (i, r) in reps.iter_mut().enumerate() {
            r.n = i as u32 + 1;
        }
        (
            Self {
                reps,
                withdrawn: Vec::new(),
                live_reps,
                warnings,
            },
            added,
        )
    }

    /// Settles a count of tilts from the live reps themselves: a lone rep that
    /// tilted the strap less than [`PARTIAL_OF_TYPICAL`] of the set's typical rep
    /// ([`typical_peak`]) and fell short of the spec (of the band, or of the hold;
    /// a movement with no hold, of the set's reps: [`looks_partial`]), between
    /// reps of the usual size, is a half rep among full ones (a wearer who can
    /// reach the target and did not this time): withdrawn. Small reps in a row
    /// are the wearer's own low-amplitude reps and stay, flagged; so do the reps
    /// of a set too short to show what is typical.
    pub fn from_tilts(live: Vec<Rep>, warnings: Vec<String>) -> Self {
        let typical = typical_peak(live.iter().map(|r| r.peak_deg));
        let small = |i: usize| {
            live.get(i)
                .is_some_and(|r: &Rep| r.peak_deg < PARTIAL_OF_TYPICAL * typical)
        };
        let partial: Vec<bool> = (0..live.len())
            .map(|i| {
                live.len() >= MIN_REPS_FOR_TYPICAL
                    && looks_partial(&live[i], typical)
                    && !(i > 0 && small(i - 1))
                    && !small(i + 1)
            })
            .collect();
        let live_reps = live.len() as u32;
        let (mut reps, mut withdrawn) = (Vec::new(), Vec::new());
        for (rep, partial) in live.into_iter().zip(partial) {
            if partial {
                withdrawn.push(Withdrawn {
                    rep,
                    reason: WithdrawReason::Partial,
                });
            } else {
                reps.push(Rep {
                    n: reps.len() as u32 + 1,
                    ..rep
                });
            }
        }
        Self {
            reps,
            withdrawn,
            live_reps,
            warnings,
        }
    }

    /// Reconciles the live reps with the cycles the whole set shows: the cycles are
    /// the reps; a live rep that overlaps none of them is withdrawn.
    pub fn from_cycles(target: &Target, live: &[Rep], cycles: &[Cycle]) -> Self {
        let reps = cycles
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let (score, mut flags) = score(target, c.rom_deg, None, c.end_s - c.start_s);
                if c.unseen {
                    // Split from a cycle across the gap: its angle and pace are
                    // that cycle's, not the rep's own.
                    flags = vec![Flag::Unseen];
                }
                Rep {
                    n: i as u32 + 1,
                    start_s: c.start_s,
                    end_s: c.end_s,
                    hold: None,
                    peak_deg: c.rom_deg,
                    side: None,
                    score,
                    flags,
                }
            })
            .collect();
        let first = cycles.first().map_or(f64::INFINITY, |c| c.start_s);
        let last = cycles.last().map_or(f64::NEG_INFINITY, |c| c.end_s);
        let withdrawn = live
            .iter()
            .filter(|r| {
                !cycles
                    .iter()
                    .any(|c| r.start_s < c.end_s && c.start_s < r.end_s)
            })
            .map(|r| Withdrawn {
                rep: r.clone(),
                reason: if cycles.is_empty() {
                    WithdrawReason::OutOfRhythm
                } else if r.end_s <= first {
                    WithdrawReason::LeadIn
                } else if r.start_s >= last {
                    WithdrawReason::LeadOut
                } else {
                    WithdrawReason::OutOfRhythm
                },
            })
            .collect();
        Self {
            reps,
            withdrawn,
            live_reps: live.len() as u32,
            warnings: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep(start_s: f64) -> Rep {
        Rep {
            n: 0,
            start_s,
            end_s: start_s + 2.0,
            hold: None,
            peak_deg: 40.0,
            side: None,
            score: 1.0,
            flags: Vec::new(),
        }
    }

    /// Reps every 3 s from 0, but those starting at `missing`.
    fn every_3_s(n: usize, missing: &[f64]) -> Vec<Rep> {
        (0..n)
            .map(|k| 3.0 * k as f64)
            .filter(|t| !missing.contains(t))
            .map(rep)
            .collect()
    }

    fn unseen(s: &Settled) -> Vec<f64> {
        s.reps
            .iter()
            .filter(|r| r.flags.contains(&Flag::Unseen))
            .map(|r| r.start_s)
            .collect()
    }

    #[test]
    fn a_rep_a_dropped_link_hid_from_a_live_count_is_counted_from_the_rhythm() {
        // The link dropped from 11.5 s to 14 s: the rep starting at 12 s was lost.
        let (s, added) =
            Settled::live_across_gaps(every_3_s(10, &[12.0]), &[(11.5, 14.0)], Vec::new());
        assert_eq!((s.reps.len(), s.live_reps, added), (10, 9, vec![1]));
        assert_eq!(unseen(&s), vec![12.0]);
        assert!(s.reps.iter().enumerate().all(|(i, r)| r.n == i as u32 + 1));
        // Two lost to a longer drop.
        let (s, added) =
            Settled::live_across_gaps(every_3_s(10, &[12.0, 15.0]), &[(11.5, 17.0)], Vec::new());
        assert_eq!((s.reps.len(), added), (10, vec![2]));
        // A drop between two reps that hid none.
        let (s, added) = Settled::live_across_gaps(every_3_s(10, &[]), &[(12.5, 14.5)], Vec::new());
        assert_eq!((s.reps.len(), added), (10, vec![0]));
    }

    #[test]
    fn nothing_is_guessed_at_a_sets_end_or_without_a_rhythm() {
        // After the last rep: the set may have ended there.
        let (s, _) = Settled::live_across_gaps(every_3_s(8, &[]), &[(23.5, 27.0)], Vec::new());
        assert_eq!(s.reps.len(), 8);
        // Before the first.
        let (s, _) = Settled::live_across_gaps(every_3_s(8, &[0.0]), &[(-0.5, 2.0)], Vec::new());
        assert_eq!(s.reps.len(), 7);
        // Movements at no steady period (a rest's fidgets).
        let fidgets: Vec<Rep> = [0.0, 1.0, 6.0, 7.5, 20.0, 21.0, 28.0].map(rep).to_vec();
        let (s, _) = Settled::live_across_gaps(fidgets, &[(12.0, 14.5)], Vec::new());
        assert_eq!(s.reps.len(), 7);
        // Longer than three periods: a pause may hide in it.
        let (s, _) = Settled::live_across_gaps(
            every_3_s(12, &[12.0, 15.0, 18.0]),
            &[(11.5, 21.0)],
            Vec::new(),
        );
        assert_eq!(s.reps.len(), 9);
    }
}
