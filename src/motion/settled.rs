//! A set's count once the set is over: the reps that stand, the live reps that
//! settling withdrew and why, and what the wearer should know about the count.

use serde::{Deserialize, Serialize};

use super::rep::{Flag, Rep, score};
use super::settle::Cycle;
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
