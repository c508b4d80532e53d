//! Settling a set's count once the set is over, from the whole set's own rhythm.
//!
//! While a set runs, the live counter reports each rep as it completes. It cannot
//! know yet whether the first movement was a rep or the wearer getting into
//! position, nor how big the set's reps will be. At the end of the set, everything
//! is known: [`SetRecorder`] has kept the set's movement at [`RATE_HZ`], and
//! [`settle`] counts it again as a whole:
//!
//! 1. acceleration (and rotation, when the strap measures it) band-passed, each
//!    sensor scaled to the same size so neither drowns the other (a gap in the
//!    recording filled with the level the movement swung about beside it, and
//!    left out of every measure of the set's rhythm and direction);
//! 2. split into active stretches where its moving RMS stands clear of the set's
//!    quiet parts and of the sensors' noise (a stretch so found runs on while
//!    it moves clearly more than the set's quiet parts: low-amplitude reps
//!    after big ones, under the threshold the big ones set; a pause between groups of reps
//!    separates them, on a noisy strap too; a gap in the recording, where the
//!    link dropped, is not a pause; a pause held away from where the reps start,
//!    at the top of a slow rep or of a small one after big ones, is inside
//!    that rep; the set's last stretch goes on through a rep's slow return,
//!    weaker than the threshold, to where the strap comes back);
//! 3. per stretch, the rep period from the autocorrelation (half the best lag
//!    only where the whole run of their multiples says so, not the first pair
//!    alone, which a slow drift in the stretch lifts alike; a stretch shorter
//!    than the period of the set's longest one takes that period: noise near the
//!    floor breaks a low-amplitude group into pieces too short to show their
//!    own), a low-pass just above the rep rate (the second bump of a press is
//!    not a rep), and the direction along which the stretch moves most (any
//!    mounting, any movement); where the stretch runs through a rest between
//!    groups of reps unlike each other (big, fast and low-amplitude ones, the
//!    rest spent fidgeting, so that it is not quiet), each group is counted
//!    again by itself, along its own direction and at its own rhythm (with a
//!    gyro, the rotation weighed against the acceleration there as over the
//!    whole set, so that a quick group's rotation does not lead);
//! 4. the turning points of that signal, wiggles removed against neighbouring
//!    swings (so low-amplitude reps among their like stay), half swings at the
//!    stretch's ends that are much smaller than its typical swing dropped (a
//!    second from the same end only where it is unlike the half swings inside
//!    it too: a set that ends with low-amplitude reps keeps its last; and
//!    any number of breaths before the first rep or after the last), and so
//!    is a step into or out of the set's pose (a half swing that tilts the
//!    strap as a rep does, beside the band-pass's overshoot about it, which
//!    barely tilts it), and every out-and-back counted as one rep; from rest
//!    to rest, a half swing left over, where the strap ends up in another
//!    pose than it started, is getting into position or out of it, not a rep
//!    (a recording cut mid-rep, or in a hold, still counts it), and so is one
//!    back to where it started after a step into the reps' pose too slow to
//!    show as a swing; a cycle that holds a faster rhythm of its own (a few fast reps among slow ones,
//!    smoothed into one by the low-pass; or, riding on a slow rep's way back,
//!    shown by its movement less the slow part, each tilting the strap as a
//!    rep does; or a run of short cycles, fast reps that vary merged in ones
//!    and twos) is low-passed again at its own rate and counted from that,
//!    and so are the cycles beside it that last as long as its reps (the
//!    rest of the group, shrunk by the slow low-pass but still counted one
//!    by one), while the cycles outside it stay as they were where counted
//!    so they would go as wiggles beside its full-size reps;
//!    cycles coming twice per period all through a stretch are a rep's two
//!    jolts, which the low-pass did not smooth away, and are joined in pairs
//!    (unless each turns the strap as a rep does, or turns it steadily, as
//!    a rep slows to turn and a jolt does not: reps of two kinds in turn,
//!    the period a pair of them; counted again at half the period, such
//!    reps show as twice the cycles where the pair's smaller one was
//!    smoothed away); so are, without a gyro, cycles a third more than the
//!    period fits, some reps jolting twice and others once;
//!    each cycle runs from where its movement leaves to where it arrives (a
//!    pause beside it, drifting, is not part of it); a run of breaths (half
//!    swings small and slow, or tiny at any pace near the reps': a rest the
//!    stretch runs through, or a short pause eased into and out of; in a
//!    movement about a middle, such as a shoulder roll, the pause at the middle,
//!    eased into and out of by half swings, swaying up to 0.3 of a swing; a
//!    movement is about a middle where an end of its stretch rests there and
//!    the other end does not rest elsewhere, a swaying one telling nothing) is no
//!    rep's part, and the reps after it pair up from where it ends, not out of
//!    step;
//! 5. per stretch, a cycle far smaller and slower than its others is a pause
//!    between reps (a breath and a shuffle between two groups), not a rep, and
//!    so is a lone cycle clearly smaller and slower than the set's regular
//!    reps, and smaller than those on both sides of it (or at an end beside
//!    one), that holds still about its turn (a short pause mid-set with a
//!    breath in it, settling into the rest after the set; a rep slowed down
//!    for keeps moving);
//! 6. a cycle quicker than the exercise's reps can be (well under the spec's
//!    `min_rep_s`: the steps of a walk to the mat) is not a rep; cycles across
//!    a gap in the recording that last as long as several of the reps around
//!    it were that many reps (the gap hid their turning points);
//! 7. across the set: a few small quick movements between groups of reps
//!    (a fidget, reaching for something) are not reps, nor is a movement at a
//!    group's end set apart from its reps by a pause of a few of them and
//!    off their pace (stretching the arm in the rest after it), and a set with no
//!    stretch of three like cycles has no rhythm at all (a wearer at rest
//!    shifting about): it counts none. Before it does, it is counted once more
//!    with each stretch's period taken from its strongest frequency where that
//!    is shorter: reps with pauses of any length between them match no lag of
//!    the autocorrelation, whose period is then a run of several reps, and
//!    smoothed at it they vanish.
//!
//! Pure and deterministic: the same samples give the same cycles, whatever the
//! strap's mounting and however they arrived.

mod dsp;
pub(crate) use dsp::median;
mod swings;

use super::vec3::{Vec3, angle_deg, unit};

/// The rate the set's movement is kept and analysed at (Hz).
pub const RATE_HZ: f64 = 25.0;
/// Longest set kept for settling (s): longer ones keep their live count.
pub const MAX_SET_S: f64 = 2.0 * 3600.0;

/// Band of the movement signal (Hz): slow drift and tremor are not reps.
const BAND_HZ: [f64; 2] = [0.05, 4.0];
/// The rotation's weight against the acceleration's.
const GYRO_WEIGHT: f64 = 0.7;
/// Window of the moving RMS that finds active stretches (s).
const ACTIVITY_WINDOW_S: f64 = 1.5;
/// A stretch moving less than this is sensor noise, not movement: a still strap
/// counts nothing (g RMS of the band-passed acceleration; deg/s of the rotation).
const STILL_FLOOR_G: f64 = 0.015;
const STILL_FLOOR_DPS: f64 = 1.5;
/// Active: moving RMS over this fraction of its 90th percentile.
const ACTIVE_FRACTION: f64 = 0.12;
/// Active also means over this many times the sensors' noise: the typical
/// moving RMS of the signal above the movement band (where white noise is as
/// strong as inside it, and smooth movement is not).
const NOISE_MARGIN: f64 = 1.0;
/// A strap whose samples come further apart than this (s) is slow: its noise
/// is measured from its own samples ([`slow_noise_energy`]), once it has sent
/// `SLOW_MIN_SAMPLES` of them.
const SLOW_DT_S: f64 = 1.5 / RATE_HZ;
const SLOW_MIN_SAMPLES: usize = 50;
/// The lower quartile of the size of a standard normal value.
const HALF_NORMAL_Q1: f64 = 0.3186;
/// A stretch found over the threshold runs on, at its ends and through a dip
/// between it and the next, while its moving RMS stays over `QUIET_RUN` times
/// the set's quiet level, the moving RMS's `QUIET_PERCENTILE`th percentile (a
/// rest between groups of reps), where that is lower than the threshold: the
/// threshold is set by the set's biggest reps, and low-amplitude ones after
/// them can move less than it and still clearly more than the wearer at rest.
/// A movement that never reaches the threshold stays out: a rest's fidgets
/// are as big.
const QUIET_RUN: f64 = 2.0;
const QUIET_PERCENTILE: f64 = 20.0;
/// Quiet shorter than this does not split a stretch (s).
const MERGE_GAP_S: f64 = 2.5;
/// A stretch goes on while its movement stays over a fraction of the threshold
/// that started it ([`fade_out`]): the set's last stretch over `FADE`, one
/// with another after it over `FADE_BETWEEN`, closer, since a fidget in the
/// short quiet before the next stretch may sit just under the threshold.
const FADE: f64 = 0.75;
const FADE_BETWEEN: f64 = 0.9;
/// A quiet held away from where the reps start and end is inside a rep
/// ([`join_held`]).
const HELD_REACH: f64 = 0.65;
const HELD_MIN_DEG: f64 = 3.0;
/// ... or, judged against the reach of the stretch after it, no longer than
/// this fraction of the set's period.
const HELD_SHORT: f64 = 0.5;
/// Active stretches shorter than this hold no rep (s).
const MIN_STRETCH_S: f64 = 1.5;
/// Quiet time kept on each side of a stretch (s).
const MARGIN_S: f64 = 0.5;
/// Rep periods searched (s), and the period assumed when none is found.
const PERIOD_S: [f64; 2] = [0.6, 12.0];
const DEFAULT_PERIOD_S: f64 = 3.0;
/// The low-pass sits this many times above the rep rate.
const LOW_PASS_PER_RATE: f64 = 1.8;
const MAX_LOW_PASS_HZ: f64 = 4.0;
/// Turning points need a reversal of this fraction of the signal's range.
const TURN_FRACTION: f64 = 0.08;
/// A swing under this fraction of its larger neighbour is a wiggle.
const WIGGLE_RATIO: f64 = 0.3;
/// A half swing at an end under this fraction of the typical swing, or over
/// [`END_LARGE`] times it, is not a rep.
const END_FRACTION: f64 = 0.5;
const END_LARGE: f64 = 2.5;
/// At an end of a stretch that rests at the movement's middle, a half swing
/// under this fraction of the typical swing goes out from the middle or comes
/// back to it (a shoulder roll, an arm circle): no rep of its own. Where both
/// ends rest there, both go together or neither does.
const END_CENTRED: f64 = 0.75;

/// A cycle with a rhythm of its own under `FAST_PERIOD` times its stretch's
/// period, its cycles alike to each other at least `FAST_ALIKE` (the
/// autocorrelation there, as a fraction of the power), is a group of fast reps.
const FAST_PERIOD: f64 = 0.6;
const FAST_ALIKE: f64 = 0.3;
/// A group of fast reps found in a cycle's movement less its slow part has at
/// least this many, each tilting the strap between `FAST_TILT` and its inverse
/// times the stretch's typical rep ([`fast_groups`]).
const FAST_GROUP_CYCLES: usize = 3;
const FAST_TILT: f64 = 0.75;
/// Cycles beside a group of fast reps that last between `FAST_LIKE` and its
/// inverse times the group's period are its reps too ([`extend_fast`]); and so
/// are the cycles under `FAST_SHRUNK` of the stretch's full reps' size (its
/// upper quartile: most of a physiotherapy set's reps can be small) where,
/// smoothed at the group's rhythm, the half swings there are as quick and at
/// least `FAST_SIZE` of the group's.
const FAST_LIKE: f64 = 0.7;
const FAST_SIZE: f64 = 0.5;
const FAST_SHRUNK: f64 = 0.7;
/// A cycle beside a fast group lasting over `FAST_HOLDS` times the group's own
/// and holding a whole rep at the group's rhythm is the group's too.
const FAST_HOLDS: f64 = 1.5;
/// Cycles under `FAST_RUN` times the stretch's period, in a run, may hold a
/// fast group that no one of them shows ([`fast_groups`]).
const FAST_RUN: f64 = 0.75;

/// A stretch whose cycles last under `ECHO_CYCLE` times its period, where the
/// period is clear (its cycles alike at least `ECHO_ALIKE`), counted each rep
/// twice: its cycles are joined, up to `ECHO_JOINED` periods each.
const ECHO_CYCLE: f64 = 0.6;
const ECHO_ALIKE: f64 = 0.35;
const ECHO_JOINED: f64 = 1.35;
/// ... or, without a gyro, a stretch with `ECHO_CROWDED` times as many cycles
/// as its period fits between the first's start and the last's end, however
/// long they last and however alike: the acceleration alone of a movement that
/// turns the wrist little (a trapezius extension, a press) jolts twice in some
/// reps and once in others, so the cycles are neither the period's length nor
/// half of it, and they differ too much for the period to look clear
/// (shoulder-physio-watch's trapezius extensions counted 26 and 31 of 20
/// without the gyro, 20 with it). A rotation measured shows the rep's rhythm
/// whatever the acceleration does, and there a stretch so crowded is a period
/// found over two reps (a barbell set whose presses pause in pairs).
const ECHO_CROWDED: f64 = 1.3;
/// ... unless its cycles each turn the strap this far between start and turn
/// (deg, median): a rep's two jolts come where the strap barely tilts (a
/// press, a shrug: real sets joined so tilt 7-21 deg), and cycles that tilt
/// it this much are reps of their own, the period two of them that differ
/// (a big raise, then a smaller one).
const ECHO_TILT_DEG: f64 = 35.0;
/// ... or where they turn steadily: the median cycle tilts the strap this far
/// between start and turn where it is steady at both ([`STEADY_G`]; deg). A
/// rep slows to turn; a jolt turns with the strap accelerating hardest, and
/// its tilt is not known there (every real set joined reads 0). Reps of two
/// kinds in turn (ten slow, ten fast, ten small) can make a pair of slow reps
/// the period, and a 30 deg raise is under [`ECHO_TILT_DEG`].
const ECHO_STEADY_DEG: f64 = 5.0;

/// A cycle's movement has left its start (or arrived at its end) once it is
/// further than `ARRIVED` of its half swing from it (closer than that at the
/// end); time before (after) that, longer than `PAUSED` typical cycles, is a
/// pause, not part of the rep ([`moving_ends`]).
const ARRIVED: f64 = 0.2;
const PAUSED: f64 = 1.5;
/// ... or, where the signal creeps through the pause (a band-pass filter's
/// slow recovery after a group of reps that all tilt one way), the strap
/// holding within this of one pose over the pause (deg), away from the
/// signal's smoothed edges ([`moving_ends`]).
const PAUSE_STILL_DEG: f64 = 2.0;

/// At least `REST_SWINGS` half swings in a row that are [`BREATHS`] are
/// breathing in a rest between two groups of reps, not part of a rep: the reps
/// after them pair up from where they end. At a stretch's ends, any number of
/// them are breathing before the first rep or after the last
/// ([`swings::trim_ends`]). A breath is smaller than 0.4 of the stretch's
/// typical half swing and slower than it (a low-amplitude rep is as small, but
/// quicker than its set's full ones), or under 0.2 of it and slower than half
/// of it: breaths at the reps' pace. A low-amplitude rep that quick moves
/// more: at 0.28 in place of 0.2, a physio-pt set with 2.5 s cut out loses a
/// rep. Two breaths in a row are a rest too, eased into and out of by half
/// swings under 0.4 of the typical one.
const BREATHS: swings::Breaths = swings::Breaths {
    size: 0.4,
    slow: 1.0,
    tiny: 0.2,
    tiny_slow: 0.5,
    eased: 0.4,
};
/// A movement about a middle (a shoulder roll, an arm circle) pauses at its
/// middle: half a swing back to it and half a swing out of it (under
/// [`END_CENTRED`] of the typical one) ease into and out of the pause, and the
/// wearer's sway or breath while there moves up to 0.3 of a swing at the reps'
/// pace (in firmware-sim's rolls, 0.17-0.26 where they turn from forward to
/// backward): a low-amplitude rep that quick moves more.
const MIDDLE_BREATHS: swings::Breaths = swings::Breaths {
    tiny: 0.3,
    eased: END_CENTRED,
    ..BREATHS
};
const REST_SWINGS: usize = 3;
/// A half swing at a stretch's end that tilts the strap at least this much of
/// the typical rep's tilt, and [`MIN_TYPICAL_ROM_DEG`], is no breath: a
/// low-amplitude rep ending a set (a quarter of the big reps' size) is as
/// small and as slow against reps that are partly fast ones.
const BREATH_TILT: f64 = 0.15;

/// A cycle smaller than `PAUSE_SIZE` times its stretch's typical one and longer
/// than `PAUSE_DURATION` times it is a pause between reps.
const PAUSE_SIZE: f64 = 0.4;
const PAUSE_DURATION: f64 = 1.5;
/// A lone cycle between two regular reps (each at least `REGULAR_SIZE` of the
/// typical size and within `REGULAR_PACE` of the typical length, and bigger
/// than the cycle: one as big as the rep beside it is a rep) is a pause as
/// well when it is under `LONE_PAUSE_SIZE` of the typical size, over
/// `LONE_PAUSE_DURATION` times as long, and holds still about its turning point
/// for at least `PAUSE_DWELL` of its time ([`Cycle::dwell`]): a short pause
/// mid-set (turning from forward to backward rolls) with a breath or a sway in
/// it. So is such a cycle at a stretch's end beside a regular rep, in a stretch
/// of at least `LONE_END_MIN_REPS` cycles: settling into the rest after the
/// set, shifting before it. A rep the wearer slows down for keeps moving: a
/// sine's turn takes a quarter of it within [`DWELL_BAND`] of a typical
/// swing, a slow rep's less (0.09-0.18 in firmware-sim's rolls, where
/// the pauses at the turn from forward to backward dwell 0.23-0.77); a rep held
/// at its turn keeps more of its range (in the real sets, the smallest slow
/// lone rep that dwells is 0.85 of the typical size).
const LONE_PAUSE_SIZE: f64 = 0.8;
const LONE_PAUSE_DURATION: f64 = 1.4;
const LONE_END_MIN_REPS: usize = 5;
const REGULAR_SIZE: f64 = 0.7;
const REGULAR_PACE: f64 = 0.25;
const PAUSE_DWELL: f64 = 0.2;
/// How near its turning point (a fraction of the stretch's typical cycle size)
/// a cycle's movement counts as dwelling there.
const DWELL_BAND: f64 = 0.15;

/// A cycle shorter than this fraction of the spec's shortest rep is not a rep.
const QUICK_OF_MIN_REP: f64 = 0.6;

/// A set needs a stretch of at least this many cycles to show a rhythm, each
/// lasting between `RHYTHM_ALIKE` and 1 / `RHYTHM_ALIKE` times the stretch's
/// typical cycle.
const RHYTHM_REPS: usize = 3;
const RHYTHM_ALIKE: f64 = 0.6;
/// Where counting a fast group again at its own rhythm loses this many of
/// the whole cycles apart from it, those stay as the slow count had them: a
/// group of three low-amplitude reps after fast ones loses two of them (one
/// is enough where the group's last rep swallowed it).
const RECOUNT_LOST: usize = 2;
/// A first or last stretch whose acceleration varies in size by more than
/// `WALK_G` (g, standard deviation: a walk's steps), and `WALK_JOLT` times as
/// much as the set's other stretches, may be walking to or from the set. Fast
/// reps jolt more than slow ones too (twice the tempo, four times the
/// acceleration: physio-pt's fast groups 2-3.4 times their set's others), a
/// walk far more (at the chest, 25 times a shoulder roll).
const WALK_G: f64 = 0.07;
const WALK_JOLT: f64 = 8.0;
/// A stray movement is smaller and shorter than these fractions of the set's
/// typical cycle.
const STRAY_SIZE: f64 = 0.4;
/// A stretch of at most this many cycles may be a stray movement.
const STRAY_CYCLES: usize = 3;
const STRAY_DURATION: f64 = 0.6;
/// ... or, however long it lasts, smaller than this fraction: a stir of the
/// strap at rest, not a rep.
const STRAY_TINY: f64 = 0.1;

/// A cycle at a set's end set apart from its other reps by a pause longer than
/// this many typical reps, and not at their pace, is no rep of the set
/// ([`trim_unlike`]).
const APART: f64 = 2.0;
/// A cycle at the set's ends lasting more than this many times its typical rep
/// is getting into or out of position (putting the bar back, sitting down), not
/// a rep, however it moves.
const END_SLOW: f64 = 3.0;
/// Groups of reps in one stretch, split at a rest ([`rest_pieces`]), are
/// unlike where their typical cycles differ this many times in size or length:
/// the big, the fast and the low-amplitude reps of a physiotherapy set, the
/// rests between them spent fidgeting so that no quiet splits the stretch. The
/// stretch's one direction and rhythm are mostly its biggest group's, along
/// which a low-amplitude group's reps are lost in its wobbles: each group is
/// counted again along its own ([`settle_traced`]).
const UNLIKE_GROUPS: f64 = 1.5;
/// Reps at the set's ends tilting the strap less than `ROM_SMALL` times the
/// typical rep (and smaller or slower than it, see [`SMALL_SIZE`]), or more
/// than `ROM_LARGE` times it while lasting more than `SLOW_LARGE` times as long,
/// are getting into or out of position, where the typical rep tilts it at least
/// `MIN_TYPICAL_ROM_DEG` (deg).
const ROM_SMALL: f64 = 0.25;
const ROM_LARGE: f64 = 2.0;
const SLOW_LARGE: f64 = 1.5;
const MIN_TYPICAL_ROM_DEG: f64 = 5.0;
/// A cycle that barely tilts the strap is still a rep when it moves as much as
/// the set's reps (at least `SMALL_SIZE` times their typical size) in about
/// their time: a press or a pull moves the wrist more than it tilts it.
const SMALL_SIZE: f64 = 0.75;
/// ... unless it moves gently and tilts the strap not at all: under `ROM_BARE`
/// times the typical rep (a degree where the reps tilt 20) is a shove or a
/// turn about the vertical on the way into position, however big it reads. A
/// press among reps that tilt the wrist tilts it too, if less, and where the
/// strap accelerates hard its tilt is not known.
const ROM_BARE: f64 = 0.05;
/// Cycles alike in tilt within this factor either way, and the end one at
/// most this many times as long, make a run of reps ([`trim_unlike`]).
const RUN_ALIKE: f64 = 1.5;
/// A cycle at the set's ends that leaves the strap further than this (and than
/// `ROM_LARGE` times the typical rep) from where it started is a change of
/// posture (deg).
const AWAY_MIN_DEG: f64 = 45.0;
/// A half swing at an end of a stretch tilting the strap at least `STEP_TILT`
/// times the typical half swing, beside one tilting it under `STEP_RECOIL`
/// times that, is a step into (or out of) the set's pose and the band-pass's
/// overshoot about it ([`drop_steps`]).
const STEP_TILT: f64 = 0.5;
const STEP_RECOIL: f64 = 0.25;
/// A stretch from rest to rest ending this many typical half swings' tilt
/// from where it started, with a half swing left over, changed pose at an
/// end ([`stranded_half`]).
const STRANDED_MOVED: f64 = 0.5;
/// A stretch's cycles start further from its rest than this many times their
/// turns are: they pair from a rep's top ([`from_rest`]).
const FROM_REST: f64 = 2.0;
/// A first turning point this near the rest, against the cycles' starts, is at
/// it ([`from_rest`]).
const AT_REST: f64 = 0.25;
/// The strap's direction is known where its acceleration stays this close to
/// 1 g on average (g): a wrist swinging through a rep is not (a change of
/// posture, getting down on all fours or standing up, is).
const GENTLE_G: f64 = 0.1;
/// A turning point's tilt is known where the strap is this steady about it (g,
/// over `STEADY_S` either side): a roll or a circle slows to turn, while a squat
/// or a press turns with the strap accelerating hardest, and its direction then
/// is the lift's acceleration, not a tilt.
const STEADY_G: f64 = 0.05;
const STEADY_S: f64 = 0.2;
/// Samples further apart than this are a gap in the recording (s): the strap's
/// link dropped, notifications were lost.
pub const GAP_S: f64 = 0.5;
/// A gap inside a set's rhythm hides the reps made while it lasted: a cycle
/// across it lasting about `k` of the set's typical rep is `k` reps, where the
/// gap is long enough to hide the `k - 1` not seen, and no longer than this many
/// typical reps (a longer one may hide a pause as well as reps).
pub(crate) const GAP_MAX_REPS: f64 = 3.0;
/// A gap is filled with the mean of this long on either side of it (s).
const LEVEL_S: f64 = 2.5;
/// The cycles across a gap are those with over this fraction of their length in
/// it; the rhythm around it, up to `GAP_CONTEXT` cycles on each side.
const GAP_ACROSS: f64 = 0.25;
pub(crate) const GAP_CONTEXT: usize = 4;
/// The cycles around a gap are a rhythm where they last the same within this
/// fraction (the median of their differences from their median).
const GAP_RHYTHM: f64 = 0.25;

/// The typical of the lengths of the reps around a gap (their median), and
/// whether they keep a rhythm ([`GAP_RHYTHM`]).
pub(crate) fn rhythm(lengths: &[f64]) -> (f64, bool) {
    let typical = median(lengths);
    let spread: Vec<f64> = lengths.iter().map(|d| (d - typical).abs()).collect();
    (typical, median(&spread) <= GAP_RHYTHM * typical)
}

/// One rep found when settling.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cycle {
    /// Start (s).
    pub start_s: f64,
    /// The turning point in the middle (s).
    pub turn_s: f64,
    /// End (s).
    pub end_s: f64,
    /// Angle the strap turned through between start and turn (deg).
    pub rom_deg: f64,
    /// Whether the strap moved gently enough between start and turn
    /// ([`GENTLE_G`]) for `rom_deg` to be all it tilted: a lift's
    /// acceleration hides the tilt at its turn.
    pub gentle: bool,
    /// The larger of its two half swings, in units of the set's movement RMS.
    pub size: f64,
    /// Angle between the strap's direction at the start and at the end (deg): a
    /// rep comes back to where it started. 0 where the strap accelerated too
    /// much for its direction to be known ([`GENTLE_G`]).
    pub away_deg: f64,
    /// Counted from the set's rhythm across a gap in the recording, not seen.
    pub unseen: bool,
    /// The share of its time the movement stays about its turning point
    /// (within [`DWELL_BAND`] of the stretch's typical cycle size): a rep turns
    /// and goes on, a pause in the middle of the movement holds still there. 0
    /// where the recording missed some of it.
    pub dwell: f64,
}

/// Keeps a set's movement, evenly resampled, for [`settle`].
#[derive(Debug, Clone, Default)]
pub struct SetRecorder {
    last: Option<(f64, [f64; 6])>,
    /// The sample before `last`, for the second differences of a slow strap.
    before: Option<(f64, [f64; 6])>,
    /// |second difference| of each channel at every evenly spaced sample of a
    /// strap slower than [`SLOW_DT_S`], and the sum of their spacing (s).
    slow_d2: Vec<[f32; 6]>,
    slow_dt: f64,
    acc: ([f64; 6], Vec3, u32),
    t0: f64,
    x: Vec<[f32; 6]>,
    up: Vec<[f32; 3]>,
    gyro: bool,
    full: bool,
    gaps: Vec<(f64, f64)>,
}

impl SetRecorder {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the set outgrew [`MAX_SET_S`] (the rest of it was not kept).
    pub fn overflowed(&self) -> bool {
        self.full
    }

    /// The gaps in the recording, as (last sample before, first sample after),
    /// s: longer than [`GAP_S`] without a sample.
    pub fn gaps(&self) -> &[(f64, f64)] {
        &self.gaps
    }

    /// Samples kept.
    pub fn len(&self) -> usize {
        self.x.len()
    }

    /// Whether nothing was kept.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// Feeds one sample: acceleration (g), rotation (deg/s) if measured, and the
    /// estimated up direction. Samples between two grid points are averaged (no
    /// aliasing from fast straps); slower straps are interpolated.
    pub fn push(&mut self, t: f64, accel: Vec3, gyro: Option<Vec3>, up: Vec3) {
        let g = gyro.unwrap_or([0.0; 3]);
        self.gyro |= gyro.is_some();
        let x = [accel[0], accel[1], accel[2], g[0], g[1], g[2]];
        let Some((lt, lx)) = self.last else {
            self.t0 = t;
            self.keep(x, up);
            self.last = Some((t, x));
            return;
        };
        if t <= lt || self.full {
            return;
        }
        if t - lt > GAP_S {
            self.gaps.push((lt, t));
        }
        if let Some((bt, bx)) = self.before {
            let (dt, dt0) = (t - lt, lt - bt);
            if dt > SLOW_DT_S && dt <= GAP_S && (dt - dt0).abs() < 0.1 * dt {
                self.slow_d2.push(std::array::from_fn(|i| {
                    (x[i] - 2.0 * lx[i] + bx[i]).abs() as f32
                }));
                self.slow_dt += dt;
            }
        }
        self.before = self.last;
        loop {
            let at = self.time(self.x.len());
            if at >= t || self.full {
                break;
            }
            let (sum, sum_up, count) = self.acc;
            let value = if count >= 2 {
                sum.map(|v| v / f64::from(count))
            } else {
                let f = (at - lt) / (t - lt);
                std::array::from_fn(|i| lx[i] + f * (x[i] - lx[i]))
            };
            self.keep(value, if count >= 2 { sum_up } else { up });
            self.acc = ([0.0; 6], up, 0);
        }
        self.acc.0 = std::array::from_fn(|i| self.acc.0[i] + x[i]);
        self.acc.1 = up;
        self.acc.2 += 1;
        self.last = Some((t, x));
    }

    fn keep(&mut self, x: [f64; 6], up: Vec3) {
        if self.x.len() as f64 >= MAX_SET_S * RATE_HZ {
            self.full = true;
            return;
        }
        self.x.push(x.map(|v| v as f32));
        self.up.push(up.map(|v| v as f32));
    }

    /// Time of kept sample `i` (s).
    fn time(&self, i: usize) -> f64 {
        self.t0 + i as f64 / RATE_HZ
    }

    /// The angle between the strap's direction at kept samples `a` and `b`, or 0
    /// when the strap accelerates too much between them for it to be known.
    fn away_deg(&self, a: usize, b: usize) -> f64 {
        if off_1g(&self.x[a..=b.min(self.x.len() - 1)]) > GENTLE_G {
            return 0.0;
        }
        angle_deg(self.up_at(a), self.up_at(b))
    }

    /// Each gap ([`GAP_S`]) as the kept samples on either side of it: `(i, j)`
    /// where those between them were interpolated.
    fn gap_indices(&self) -> Vec<(usize, usize)> {
        let last = self.x.len().saturating_sub(1);
        let index = |t: f64| (((t - self.t0) * RATE_HZ).max(0.0) as usize).min(last);
        self.gaps
            .iter()
            .map(|&(a, b)| (index(a), index(b)))
            .filter(|(i, j)| j > i)
            .collect()
    }

    /// Whether each kept sample fell in a gap ([`GAP_S`]), interpolated.
    fn in_gap(&self) -> Vec<bool> {
        let mut in_gap = vec![false; self.x.len()];
        for (i, j) in self.gap_indices() {
            in_gap[i + 1..j].fill(true);
        }
        in_gap
    }

    /// For each kept sample, how many before it fell in a gap ([`GAP_S`]).
    fn gap_samples(&self) -> Vec<usize> {
        let mut count = 0;
        self.in_gap()
            .iter()
            .map(|&g| {
                let before = count;
                count += usize::from(g);
                before
            })
            .collect()
    }

    /// Whether the strap is steady about kept sample `i`: its acceleration within
    /// [`STEADY_G`] of 1 g on average over [`STEADY_S`] either side, so that its
    /// direction there is its tilt.
    fn steady_at(&self, i: usize) -> bool {
        let half = (STEADY_S * RATE_HZ) as usize;
        off_1g(&self.x[i.saturating_sub(half)..(i + half + 1).min(self.x.len())]) < STEADY_G
    }

    /// How much the strap's acceleration varies in size over kept samples
    /// `[a, b)` (g, standard deviation): the body's jolts (a walk's steps), which
    /// turning or swinging a limb hardly makes.
    fn jolt_g(&self, a: usize, b: usize) -> f64 {
        let m: Vec<f64> = self.x[a..b.min(self.x.len())].iter().map(accel_g).collect();
        let mean = m.iter().sum::<f64>() / m.len().max(1) as f64;
        (m.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / m.len().max(1) as f64).sqrt()
    }

    fn up_at(&self, i: usize) -> Vec3 {
        let u = self.up[i.min(self.up.len().saturating_sub(1))];
        unit(u.map(f64::from)).unwrap_or([0.0, 0.0, 1.0])
    }
}

/// The size of a kept sample's acceleration (g).
fn accel_g(x: &[f32; 6]) -> f64 {
    let g = [x[0], x[1], x[2]].map(f64::from);
    (g[0] * g[0] + g[1] * g[1] + g[2] * g[2]).sqrt()
}

/// How far the acceleration's size strays from 1 g over kept samples, on
/// average (g): 0 for a strap at rest or turning slowly.
fn off_1g(span: &[[f32; 6]]) -> f64 {
    span.iter().map(|x| (accel_g(x) - 1.0).abs()).sum::<f64>() / span.len().max(1) as f64
}

/// Counts the reps of the recorded set as a whole (see the module's docs), for
/// an exercise whose reps take at least `min_rep_s` seconds.
pub fn settle(rec: &SetRecorder, min_rep_s: f64) -> Vec<Cycle> {
    settle_traced(rec, min_rep_s).0
}

/// [`settle`], with the signal it counted: (time s, movement along each active
/// stretch's main direction, in units of the set's RMS; 0 where it is quiet).
pub fn settle_traced(rec: &SetRecorder, min_rep_s: f64) -> (Vec<Cycle>, Vec<(f64, f64)>) {
    let even = settle_paced(rec, min_rep_s, Pace::Even);
    if !even.0.is_empty() {
        return even;
    }
    // No rhythm at the autocorrelation's period: the reps may come with
    // pauses of any length between them, which no lag matches (the period
    // found is then a run of several, and smoothed at it they vanish). Counted
    // again at the pace of the strongest frequency: movements with no rhythm
    // at all (a wearer at rest shifting about) still have none there.
    settle_paced(rec, min_rep_s, Pace::Uneven)
}

/// [`settle_traced`] with the set's period found at `pace`.
fn settle_paced(rec: &SetRecorder, min_rep_s: f64, pace: Pace) -> (Vec<Cycle>, Vec<(f64, f64)>) {
    let n = rec.x.len();
    let mut trace: Vec<(f64, f64)> = (0..n).map(|i| (rec.time(i), 0.0)).collect();
    if (n as f64) < MIN_STRETCH_S * RATE_HZ {
        return (Vec::new(), trace);
    }
    let (z, scales) = movement(rec);
    let energy: Vec<f64> = (0..n)
        .map(|i| z.iter().map(|c| c[i] * c[i]).sum())
        .collect();
    let window = (ACTIVITY_WINDOW_S * RATE_HZ).round() as usize;
    let env = dsp::moving_rms(&energy, window);
    // Active where the movement stands clear of the set's quiet parts and of
    // the sensors' noise.
    let noise = dsp::percentile(&dsp::moving_rms(&noise_energy(rec, &scales), window), 50.0);
    let noise = slow_noise_energy(rec, &scales).map_or(noise, |e| noise.max(e.sqrt()));
    let threshold = (ACTIVE_FRACTION * dsp::percentile(&env, 90.0)).max(NOISE_MARGIN * noise);
    let margin = (MARGIN_S * RATE_HZ) as usize;
    let mut groups: Vec<Vec<Cycle>> = Vec::new();
    let mut jolts = Vec::new();
    let unseen = rec.gap_samples();
    let in_gap = rec.in_gap();
    let lags = PERIOD_S.map(|s| (s * RATE_HZ) as usize);
    let rhythm_of = |spans: &[(usize, usize)]| {
        let longest = (0..spans.len()).max_by_key(|&k| spans[k].1 - spans[k].0);
        let rhythm = longest.map(|k| {
            let (a, b) = spans[k];
            let chans: Vec<Vec<f64>> = z.iter().map(|c| c[a..b].to_vec()).collect();
            span_period(&chans, &in_gap[a..b], lags, pace)
        });
        (longest, rhythm)
    };
    let with_margins = |spans: Vec<(usize, usize)>| -> Vec<(usize, usize)> {
        spans
            .into_iter()
            .filter(|&(a, b)| !is_still(&z, &scales, a, b))
            .map(|(a, b)| (a.saturating_sub(margin), (b + margin).min(n)))
            .collect()
    };
    let mut raw = fade_out(stretches(&env, threshold, &unseen), &env, threshold, margin);
    // Where the set's quiet parts are far quieter than its threshold, a
    // stretch runs on while it moves clearly more than they do: low-amplitude
    // reps after big ones, under the threshold the big ones set.
    let quiet = (QUIET_RUN * dsp::percentile(&env, QUIET_PERCENTILE)).max(NOISE_MARGIN * noise);
    if quiet < threshold {
        let loud = raw;
        raw = fade_out(stretches(&env, quiet, &unseen), &env, quiet, margin)
            .into_iter()
            .filter(|&(a, b)| loud.iter().any(|&(c, d)| a < d && c < b))
            .collect();
    }
    let found = raw.len();
    let mut spans = with_margins(raw.clone());
    // The set's rhythm, from its longest stretch. A stretch shorter than one
    // of its periods cannot show a rhythm of its own (a low-amplitude rep
    // broken up by noise near the floor): it is smoothed at the set's. A rep
    // paused longer than the quiet that splits stretches is joined up again,
    // and the rhythm found again over the stretches joined.
    let (mut longest, mut set_rhythm) = rhythm_of(&spans);
    if let Some((period, _)) = set_rhythm {
        let joined = join_held(raw, rec, period);
        let (joined, back) = come_back(joined, rec, period, n.saturating_sub(2 * margin + 1));
        if joined.len() < found || back {
            spans = with_margins(joined);
            (longest, set_rhythm) = rhythm_of(&spans);
        }
    }
    // `edges`: whether the stretch starts the set's movement, and ends it.
    let settle_span =
        |z: &[Vec<f64>], a: usize, b: usize, rhythm: Option<(f64, f64)>, edges: [bool; 2]| {
            let tilt = |i: usize, j: usize| {
                let (i, j) = (a + i.min(j), a + i.max(j));
                if rec.steady_at(i) && rec.steady_at(j) {
                    rec.away_deg(i, j)
                } else {
                    0.0
                }
            };
            let up = |i: usize, j: usize| angle_deg(rec.up_at(a + i), rec.up_at(a + j));
            let turns = Turns {
                tilt: &tilt,
                up: &up,
            };
            let (cycles, pc) =
                stretch_cycles(z, (a, b), &in_gap[a..b], &turns, rhythm, pace, edges);
            let seen = |i: usize, j: usize| unseen[(a + j).min(n - 1)] == unseen[a + i];
            let cycles = moving_ends(cycles, &pc, &seen, &up);
            let typical_size = median(
                &cycles
                    .iter()
                    .map(|&c| cycle_size(&pc, c))
                    .collect::<Vec<_>>(),
            );
            let dwell = |s: usize, turn: usize, e: usize| {
                if in_gap[a + s..=a + e].iter().any(|&g| g) {
                    return 0.0;
                }
                let near = pc[s..=e]
                    .iter()
                    .filter(|v| (*v - pc[turn]).abs() < DWELL_BAND * typical_size)
                    .count();
                near as f64 / (e - s + 1) as f64
            };
            let group: Vec<Cycle> = cycles
                .iter()
                .map(|&(s, turn, e)| Cycle {
                    dwell: dwell(s, turn, e),
                    start_s: rec.time(a + s),
                    turn_s: rec.time(a + turn),
                    end_s: rec.time(a + e),
                    rom_deg: angle_deg(rec.up_at(a + s), rec.up_at(a + turn)),
                    gentle: off_1g(&rec.x[a + s..=a + turn]) <= GENTLE_G,
                    size: cycle_size(&pc, (s, turn, e)),
                    away_deg: rec.away_deg(a + s, a + e),
                    unseen: false,
                })
                .collect();
            (group, cycles, pc)
        };
    let span_rhythm = |a: usize, b: usize| match set_rhythm {
        Some((p, _)) if ((b - a) as f64) < p * RATE_HZ => Some((p, 0.0)),
        _ => None,
    };
    for (k, &(a, b)) in spans.iter().enumerate() {
        // The longest stretch's own rhythm is the set's, found once.
        let rhythm = match set_rhythm {
            Some(r) if Some(k) == longest => Some(r),
            _ => span_rhythm(a, b),
        };
        // The set's movement ends here where the recording shows the wearer
        // still after it, beyond the margin: one that stops as the movement
        // does may have cut it.
        let edges = [k == 0, k + 1 == spans.len() && b + margin <= n];
        let (group, cycles, pc) = settle_span(&z, a, b, rhythm, edges);
        // Groups of unlike reps that no quiet split (a rest spent fidgeting):
        // each is counted along its own direction and at its own rhythm.
        let pieces = rest_pieces(&group);
        let settled = if pieces.len() > 1
            && !rest_at_gap(&pieces, &cycles, &in_gap[a..b])
            && unlike(&group, &pieces)
        {
            pieces
                .iter()
                .enumerate()
                .map(|(q, &(i, j))| {
                    let from = (a + cycles[i].0).saturating_sub(margin).max(a);
                    let to = (a + cycles[j].2 + margin).min(b);
                    let edges = [edges[0] && q == 0, edges[1] && q + 1 == pieces.len()];
                    // Along the piece's own direction, with the rotation
                    // weighed as over the whole set: a quick group's
                    // rotation otherwise outweighs the tilt.
                    let local = rescaled(&z, from, to, &in_gap);
                    let z = local.as_deref().unwrap_or(&z);
                    let (group, _, pc) = settle_span(z, from, to, span_rhythm(from, to), edges);
                    (from, to, group, pc)
                })
                .collect()
        } else {
            vec![(a, b, group, pc)]
        };
        for (a, b, group, pc) in settled {
            groups.push(group);
            jolts.push(rec.jolt_g(a, b));
            for (i, v) in pc.into_iter().enumerate() {
                trace[a + i].1 = v;
            }
        }
    }
    drop_walks(&mut groups, &jolts);
    drop_too_quick(&mut groups, min_rep_s);
    groups
        .iter_mut()
        .for_each(|g| count_across_gaps(g, &rec.gaps));
    let mut groups = split_at_rests(groups);
    // Every group of reps has its own way in and out: after a rest between
    // sets, the wearer gets back into position as at the start.
    for g in &mut groups {
        trim_unlike(g, true);
        trim_unlike(g, false);
    }
    groups.iter_mut().for_each(drop_pauses);
    drop_strays(&mut groups);
    (groups.into_iter().flatten().collect(), trace)
}

/// `z` ([`movement`]) with the rotation rescaled so that over `[a, b)` it
/// weighs against the acceleration as it does over the whole set
/// ([`GYRO_WEIGHT`]); `None` without a gyro.
fn rescaled(z: &[Vec<f64>], a: usize, b: usize, in_gap: &[bool]) -> Option<Vec<Vec<f64>>> {
    if !with_gyro(z) {
        return None;
    }
    let power = |chans: &[Vec<f64>]| -> f64 {
        chans
            .iter()
            .map(|c| {
                c[a..b]
                    .iter()
                    .zip(&in_gap[a..b])
                    .filter(|&(_, &g)| !g)
                    .map(|(v, _)| v * v)
                    .sum::<f64>()
            })
            .sum()
    };
    let (accel, gyro) = (power(&z[..3]), power(&z[3..6]));
    if !(accel > 0.0 && gyro > 0.0) {
        return None;
    }
    let k = GYRO_WEIGHT * (accel / gyro).sqrt();
    let mut out = z.to_vec();
    for c in &mut out[3..6] {
        c.iter_mut().for_each(|v| *v *= k);
    }
    Some(out)
}

/// Counts the reps a gap in the recording hid, where the set's rhythm shows
/// beside it. The cycles across the gap (and those ending or starting in it,
/// whose turning points may be the gap's edges) last as long as `k` of the
/// cycles around them: they were `k` reps, and the longest of them becomes as
/// many cycles as they were short, of equal length, marked unseen. A gap short
/// against the cycle it falls in may still have hidden the turning point
/// between two reps, joining them: that cycle is across it too, where the
/// cycles around it keep a rhythm ([`GAP_RHYTHM`]; a rest's slow drifts tell
/// nothing). A gap
/// longer than [`GAP_MAX_REPS`] reps, or at a stretch's end (no cycle beyond it
/// on that side, and the cycle across it turning within [`GAP_ACROSS`] of a
/// typical cycle of its edge), may hide a pause or the set's end as well:
/// nothing is counted there.
fn count_across_gaps(group: &mut Vec<Cycle>, gaps: &[(f64, f64)]) {
    for &(a, b) in gaps {
        let overlap = |c: &Cycle| c.end_s.min(b) - c.start_s.max(a);
        let mut across: Vec<usize> = (0..group.len())
            .filter(|&i| overlap(&group[i]) > GAP_ACROSS * (group[i].end_s - group[i].start_s))
            .collect();
        // A short gap inside a long cycle: the turning point it hid may have
        // joined two reps in one, where the rhythm beside it says so.
        let inside = across.is_empty();
        if inside {
            across
                .extend((0..group.len()).filter(|&i| group[i].start_s <= a && b <= group[i].end_s));
        }
        let (Some(&i0), Some(&i1)) = (across.first(), across.last()) else {
            continue;
        };
        let before: Vec<f64> = group[i0.saturating_sub(GAP_CONTEXT)..i0]
            .iter()
            .map(|c| c.end_s - c.start_s)
            .collect();
        let after: Vec<f64> = group[i1 + 1..]
            .iter()
            .take(GAP_CONTEXT)
            .map(|c| c.end_s - c.start_s)
            .collect();
        let around = [before.as_slice(), after.as_slice()].concat();
        if around.is_empty() {
            continue;
        }
        let (typical_s, steady) = rhythm(&around);
        // No rhythm beside it to tell (a rest's slow drifts).
        if inside && !steady {
            continue;
        }
        // The set goes on past the gap on both sides: more cycles, or the
        // turning point that ends the cycle across it seen clear of its edge.
        let margin = GAP_ACROSS * typical_s;
        if (before.is_empty() && group[i0].start_s > a - margin)
            || (after.is_empty() && group[i1].end_s < b + margin)
        {
            continue;
        }
        let spanned = group[i1].end_s - group[i0].start_s;
        if b - a > GAP_MAX_REPS * typical_s {
            continue;
        }
        let reps = (spanned / typical_s).round() as usize;
        let Some(extra) = reps.checked_sub(across.len()).filter(|&e| e > 0) else {
            continue;
        };
        let i = (i0..=i1)
            .max_by(|&x, &y| {
                let d = |c: &Cycle| c.end_s - c.start_s;
                d(&group[x]).total_cmp(&d(&group[y]))
            })
            .unwrap_or(i0);
        let c = group[i];
        let k = extra + 1;
        let part = (c.end_s - c.start_s) / k as f64;
        let parts = (0..k).map(|j| {
            let start_s = c.start_s + j as f64 * part;
            Cycle {
                start_s,
                turn_s: start_s + part / 2.0,
                end_s: start_s + part,
                unseen: j > 0,
                ..c
            }
        });
        group.splice(i..=i, parts);
    }
}

/// Drops the cycles quicker than the exercise's reps can be (under
/// [`QUICK_OF_MIN_REP`] times `min_rep_s`): the steps of a walk to the mat, a
/// shiver.
fn drop_too_quick(groups: &mut Vec<Vec<Cycle>>, min_rep_s: f64) {
    for g in groups.iter_mut() {
        // A cycle's length from its longer half: a set's last cycle may be a
        // lone swing whose return the recording does not show.
        g.retain(|c| {
            2.0 * (c.turn_s - c.start_s).max(c.end_s - c.turn_s) >= QUICK_OF_MIN_REP * min_rep_s
        });
    }
    groups.retain(|g| !g.is_empty());
}

/// Drops a first or last stretch that is walking to or from the set's place,
/// not reps: the body jolting (the acceleration's size varying by over
/// [`WALK_G`], and [`WALK_JOLT`] times as much as in the set's other stretches)
/// in cycles quicker than [`RHYTHM_ALIKE`] times the other stretches' typical
/// one, where those hold [`RHYTHM_REPS`] cycles at least (a stretch of a
/// breath or two before a set of big quick swings, which jolt, is not the
/// set). `jolts` are the stretches' [`SetRecorder::jolt_g`].
fn drop_walks(groups: &mut Vec<Vec<Cycle>>, jolts: &[f64]) {
    if groups.len() < 2 {
        return;
    }
    let walking = |k: usize| {
        let others: Vec<usize> = (0..groups.len()).filter(|&j| j != k).collect();
        let jolt = median(&others.iter().map(|&j| jolts[j]).collect::<Vec<_>>());
        let length = |g: &[Cycle]| g.iter().map(|c| c.end_s - c.start_s).collect::<Vec<_>>();
        let typical_s = median(
            &others
                .iter()
                .flat_map(|&j| length(&groups[j]))
                .collect::<Vec<_>>(),
        );
        // The set is in the others: a set of reps that jolts after a breath
        // or two before it is no walk.
        let others_cycles: usize = others.iter().map(|&j| groups[j].len()).sum();
        others_cycles >= RHYTHM_REPS
            && jolts[k] > WALK_G
            && jolts[k] > WALK_JOLT * jolt
            && median(&length(&groups[k])) < RHYTHM_ALIKE * typical_s
    };
    let (first, last) = (walking(0), walking(groups.len() - 1));
    if last {
        groups.pop();
    }
    if first {
        groups.remove(0);
    }
}

/// Drops the movements that hold no rhythm of their own and are unlike the set's
/// reps: a stretch of at most [`STRAY_CYCLES`] cycles, each smaller than
/// [`STRAY_SIZE`] times the set's typical cycle and shorter than
/// [`STRAY_DURATION`] times it (a fidget between two groups of reps, reaching
/// for something), and a stretch of any length whose cycles are all smaller
/// than [`STRAY_TINY`] times it (the strap stirring at rest). A set where no stretch holds [`RHYTHM_REPS`] cycles of about
/// one length ([`RHYTHM_ALIKE`]) has no rhythm to tell reps from fidgeting (a
/// wearer at rest shifting about, a slow drift while standing): it counts none.
fn drop_strays(groups: &mut Vec<Vec<Cycle>>) {
    // Cycles of about the stretch's typical length: a slow drift and a couple
    // of movements in one stretch are no rhythm.
    let alike = |g: &Vec<Cycle>| {
        let d: Vec<f64> = g.iter().map(|c| c.end_s - c.start_s).collect();
        let typical = median(&d);
        d.iter()
            .filter(|&&s| s >= RHYTHM_ALIKE * typical && s * RHYTHM_ALIKE <= typical)
            .count()
    };
    if groups.iter().all(|g| alike(g) < RHYTHM_REPS) {
        groups.clear();
        return;
    }
    let all: Vec<&Cycle> = groups.iter().flatten().collect();
    let typical_size = median(&all.iter().map(|c| c.size).collect::<Vec<_>>());
    let typical_s = median(&all.iter().map(|c| c.end_s - c.start_s).collect::<Vec<_>>());
    let tiny = |c: &Cycle| c.size < STRAY_TINY * typical_size;
    groups.retain(|g| {
        !g.iter().all(tiny)
            && (g.len() > STRAY_CYCLES
                || !g.iter().all(|c| {
                    tiny(c)
                        || (c.size < STRAY_SIZE * typical_size
                            && c.end_s - c.start_s < STRAY_DURATION * typical_s)
                }))
    });
}

/// Splits a group at a rest between two sets of reps that the stretch did not
/// split at: a big change of pose on either side of a short rest (sitting up,
/// lying down again) keeps the movement signal from being quiet there. The rest
/// shows as a cycle far slower than the group's typical one ([`END_SLOW`]), or
/// as time between two cycles as long ([`moving_ends`]), with more than
/// [`RHYTHM_REPS`] cycles on each side; it ends the set before it, and each set
/// then loses its own way in and out ([`trim_unlike`]).
fn split_at_rests(groups: Vec<Vec<Cycle>>) -> Vec<Vec<Cycle>> {
    let mut out = Vec::new();
    for g in groups {
        let pieces = rest_pieces(&g);
        if pieces.is_empty() {
            out.push(g);
            continue;
        }
        for (i, j) in pieces {
            out.push(g[i..=j].to_vec());
        }
    }
    out
}

/// Where [`split_at_rests`] splits a group: each piece as the indices of its
/// first and last cycle; empty for an empty group.
fn rest_pieces(g: &[Cycle]) -> Vec<(usize, usize)> {
    let n = g.len();
    if n == 0 {
        return Vec::new();
    }
    if n < 2 * RHYTHM_REPS {
        return vec![(0, n - 1)];
    }
    let typical_s = median(&g.iter().map(|c| c.end_s - c.start_s).collect::<Vec<_>>());
    let mut pieces = Vec::new();
    let mut first = 0;
    let mut prev_end: Option<f64> = None;
    for (i, c) in g.iter().enumerate() {
        let rest = prev_end.map_or(0.0, |e| c.start_s - e);
        prev_end = Some(c.end_s);
        if rest > (END_SLOW - 1.0) * typical_s && i - first > RHYTHM_REPS && n - i > RHYTHM_REPS {
            pieces.push((first, i - 1));
            first = i;
        }
        let slow = c.end_s - c.start_s > END_SLOW * typical_s;
        if slow && i + 1 - first > RHYTHM_REPS && n - i > RHYTHM_REPS {
            pieces.push((first, i));
            first = i + 1;
        }
    }
    if first < n {
        pieces.push((first, n - 1));
    }
    pieces
}

/// Whether any rest between `pieces` ([`rest_pieces`] of a stretch's
/// `cycles`) falls where the recording has a gap: a cycle across a gap is long
/// for the samples it lacks, not for a rest ([`count_across_gaps`]).
fn rest_at_gap(pieces: &[(usize, usize)], cycles: &Cycles, in_gap: &[bool]) -> bool {
    pieces.windows(2).any(|w| {
        let (from, to) = (cycles[w[0].1].0, cycles[w[1].0].2);
        in_gap[from..=to].iter().any(|&g| g)
    })
}

/// Whether the groups `pieces` of `group` are unlike ([`UNLIKE_GROUPS`]): their
/// typical cycles' sizes or lengths, largest over smallest.
fn unlike(group: &[Cycle], pieces: &[(usize, usize)]) -> bool {
    let spread = |f: fn(&Cycle) -> f64| {
        let typical: Vec<f64> = pieces
            .iter()
            .map(|&(i, j)| median(&group[i..=j].iter().map(f).collect::<Vec<_>>()))
            .collect();
        let (lo, hi) = typical
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        hi / lo.max(1e-9)
    };
    spread(|c| c.size) >= UNLIKE_GROUPS || spread(|c| c.end_s - c.start_s) >= UNLIKE_GROUPS
}

/// The cycles of a stretch (`pc` the signal they were counted on), each timed
/// from where its movement leaves to where it arrives. A turning point next to a
/// pause lies wherever a slow drift through the pause peaked: a cycle ending
/// there would last the pause as well as the rep, and look like a pause or the
/// set's end ([`split_at_rests`], [`trim_unlike`]). Where a cycle's first half
/// swing stays within [`ARRIVED`] of its start for longer than [`PAUSED`] typical
/// cycles, it starts where it leaves that band for the last time (a breath or
/// a sway in the pause may wander out of it and back: seen from the first time,
/// the breaths before a set's first roll joined it into a cycle as long as a
/// rest, and the roll was lost with it); likewise its end, where the second
/// half swing first arrives within it. Not across a gap in the recording
/// (`seen(i, j)`: no sample of `i..=j` in one), whose straight fill is no pause.
/// The signal can creep through a pause, out of that band: the set's
/// movement band-passed recovers slowly after a group of reps that all tilt
/// the strap one way, and a pause between groups that quiet did not split
/// read as part of the next group's first rep, which was then trimmed or
/// dropped with it (ten slow, ten quick, ten small reps with 7 s pauses lost
/// one on every seed). So a cycle also starts where the signal ends
/// [`PAUSED`] typical cycles within [`ARRIVED`] of its half swing, and ends
/// where it starts such a rest, where the strap (`up(i, j)`, deg apart) held
/// within [`PAUSE_STILL_DEG`] of one pose over the rest but its last (first)
/// quarter, which the smoothed signal's edge reaches into.
/// The stretch's first cycle starts, and its last ends, where its half swing
/// went furthest ([`extreme`]): past it, in the stretch's margin, the signal
/// creeps back as the wearer settles, and a set's last rep timed to there read
/// as long as a pause and was dropped ([`drop_pauses`]).
fn moving_ends(
    mut cycles: Cycles,
    pc: &[f64],
    seen: &dyn Fn(usize, usize) -> bool,
    up: &dyn Fn(usize, usize) -> f64,
) -> Cycles {
    if cycles.len() < RHYTHM_REPS {
        return cycles;
    }
    let last = pc.len() - 1;
    if let Some(c) = cycles.last_mut()
        && c.2 == last
    {
        let far = extreme(pc, c.1, c.2);
        if seen(far, c.2) {
            c.2 = far;
        }
    }
    if let Some(c) = cycles.first_mut()
        && c.0 == 0
    {
        let far = extreme(pc, c.1, c.0);
        if seen(c.0, far) {
            c.0 = far;
        }
    }
    let lengths: Vec<f64> = cycles.iter().map(|c| (c.2 - c.0) as f64).collect();
    let paused = PAUSED * median(&lengths);
    for c in &mut cycles {
        let (s, t, e) = *c;
        let out = (pc[t] - pc[s]).abs();
        // Where it leaves for the last time: a breath or a sway in the pause
        // may wander out of the band and back.
        if let Some(left) = (s..=t)
            .rev()
            .find(|&i| (pc[i] - pc[s]).abs() <= ARRIVED * out)
            && (left - s) as f64 > paused
            && seen(s, left)
        {
            c.0 = left;
        } else if let Some(left) = rest_until(pc, (s, t), paused, ARRIVED * out)
            && seen(s, left)
            && still(
                up,
                left - paused.ceil() as usize,
                left - (paused / 4.0).ceil() as usize,
            )
        {
            c.0 = left;
        }
        let back = (pc[e] - pc[t]).abs();
        if let Some(j) = (t..=e).find(|&j| (pc[j] - pc[e]).abs() <= ARRIVED * back)
            && (e - j) as f64 > paused
            && seen(j, e)
        {
            c.2 = j;
        } else if let Some(j) = rest_from(pc, (t, e), paused, ARRIVED * back)
            && seen(j, e)
            && still(
                up,
                j + (paused / 4.0).ceil() as usize,
                j + paused.ceil() as usize,
            )
        {
            c.2 = j;
        }
    }
    cycles
}

/// Whether the strap held within [`PAUSE_STILL_DEG`] of where it was at `i`
/// until `j` (`up(i, k)`: how far apart, deg).
fn still(up: &dyn Fn(usize, usize) -> f64, i: usize, j: usize) -> bool {
    (i..=j).all(|k| up(i, k) <= PAUSE_STILL_DEG)
}

/// The span of `pc` over `i..=j`.
fn spread(pc: &[f64], i: usize, j: usize) -> f64 {
    let (lo, hi) = pc[i..=j]
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    hi - lo
}

/// The last sample of `pc` over `s..=t` that ends a rest: the `paused`
/// samples up to it, all after `s`, stay within `band` of one another.
fn rest_until(pc: &[f64], (s, t): (usize, usize), paused: f64, band: f64) -> Option<usize> {
    let w = paused.ceil() as usize;
    (s + w..=t).rev().find(|&i| spread(pc, i - w, i) <= band)
}

/// The first sample of `pc` over `t..=e` that starts a rest: the `paused`
/// samples from it, all before `e`, stay within `band` of one another.
fn rest_from(pc: &[f64], (t, e): (usize, usize), paused: f64, band: f64) -> Option<usize> {
    let w = paused.ceil() as usize;
    (t..=e.saturating_sub(w)).find(|&j| j + w <= e && spread(pc, j, j + w) <= band)
}

/// How far the half swing of `pc` from turning point `from` towards `to` went:
/// `to`, or the sample between them furthest from `from` where the signal
/// went further and then crept back by less than a turning point needs.
fn extreme(pc: &[f64], from: usize, to: usize) -> usize {
    let sign = (pc[to] - pc[from]).signum();
    (from.min(to)..=from.max(to)).fold(to, |best, i| {
        if sign * pc[i] > sign * pc[best] {
            i
        } else {
            best
        }
    })
}

/// Drops the cycles of a stretch that are a pause between its reps, not a rep:
/// smaller than [`PAUSE_SIZE`] times the stretch's typical cycle and longer than
/// [`PAUSE_DURATION`] times it (a breath and a shuffle between two groups of reps
/// too close together to split the stretch; at an end, not where it is as big
/// as the rep inside it: the last of a low-amplitude group ending the set,
/// slowed where the set's end settles), or, alone between two regular
/// reps or at an end beside one (and smaller than those), smaller than
/// [`LONE_PAUSE_SIZE`] and longer than [`LONE_PAUSE_DURATION`] times it (a
/// short pause mid-set, settling into the rest after it). Small quick reps and
/// big slow ones stay.
fn drop_pauses(group: &mut Vec<Cycle>) {
    if group.len() < RHYTHM_REPS {
        return;
    }
    let typical_size = median(&group.iter().map(|c| c.size).collect::<Vec<_>>());
    let typical_s = median(
        &group
            .iter()
            .map(|c| c.end_s - c.start_s)
            .collect::<Vec<_>>(),
    );
    let pace = |c: &Cycle| (c.end_s - c.start_s) / typical_s;
    let regular =
        |c: &Cycle| c.size >= REGULAR_SIZE * typical_size && (pace(c) - 1.0).abs() <= REGULAR_PACE;
    let slow_and_small = |c: &Cycle| c.size < PAUSE_SIZE * typical_size && pace(c) > PAUSE_DURATION;
    let pause: Vec<bool> = (0..group.len())
        .map(|i| {
            let c = &group[i];
            let at_end = i == 0 || i + 1 == group.len();
            // A regular rep beside it, and bigger: a cycle as big as the
            // rep beside it is a rep as well (the last of a low-amplitude
            // group ending the set, long where the set's end settles).
            let beside = |j: usize| regular(&group[j]) && c.size < group[j].size;
            let lone = (!at_end || group.len() >= LONE_END_MIN_REPS)
                && (i == 0 || beside(i - 1))
                && (i + 1 == group.len() || beside(i + 1));
            // At an end, a cycle as big as the rep just inside it is the
            // last (first) of a low-amplitude group, slow where the set's end
            // settles.
            let inside = if i == 0 {
                group.get(1)
            } else {
                group.get(i - 1)
            };
            let end_rep = at_end && inside.is_some_and(|r| !slow_and_small(r) && c.size >= r.size);
            (slow_and_small(c) && !end_rep)
                || (lone
                    && c.dwell >= PAUSE_DWELL
                    && c.size < LONE_PAUSE_SIZE * typical_size
                    && pace(c) > LONE_PAUSE_DURATION)
        })
        .collect();
    let mut pause = pause.into_iter();
    group.retain(|_| !pause.next().unwrap_or(false));
}

/// Drops cycles at the start (or end) of a set (a group of reps) that are unlike its
/// typical rep: far slower than it ([`END_SLOW`]: putting the bar back on its
/// rack, sitting down); or, where the reps themselves tilt the strap clearly (a
/// rotation about the vertical barely does), with a range of motion unlike
/// theirs: getting into position tilts the strap much further (and more slowly)
/// than a rep, or barely at all (while moving less, or more slowly, than a rep,
/// or gently without tilting it at all: [`ROM_BARE`]), or leaves it in another pose (further from where the cycle started than the
/// typical rep tilts it: getting down on all fours, standing up). A cycle that
/// tilts the strap little is kept where the [`RHYTHM_REPS`] - 1 cycles inside
/// it are like it ([`RUN_ALIKE`]): it ends (or starts) a group of
/// low-amplitude reps, which getting into position does not repeat. Nor is a
/// cycle set apart from the others by a pause of over [`APART`] typical reps
/// with no rep in it (the strap moving only in breaths and wiggles) and not at
/// their pace (off it by more than [`REGULAR_PACE`]): a movement in the rest
/// before or after the set, such as a stretch of the arm after its last circle.
fn trim_unlike(group: &mut Vec<Cycle>, from_start: bool) {
    let roms: Vec<f64> = group.iter().map(|c| c.rom_deg).collect();
    let typical = median(&roms);
    if group.len() < 3 {
        return;
    }
    let tilts = typical >= MIN_TYPICAL_ROM_DEG;
    let durations: Vec<f64> = group.iter().map(|c| c.end_s - c.start_s).collect();
    let typical_s = median(&durations);
    let sizes: Vec<f64> = group.iter().map(|c| c.size).collect();
    let typical_size = median(&sizes);
    // The end cycle and the ones just inside it tilt the strap alike, at a
    // like pace (or the end one quicker: its return may fade out unseen).
    let of_a_run = |g: &[Cycle]| {
        if g.len() <= RHYTHM_REPS {
            return false;
        }
        let (end, inside) = if from_start {
            (&g[0], &g[1..RHYTHM_REPS])
        } else {
            (&g[g.len() - 1], &g[g.len() - RHYTHM_REPS..g.len() - 1])
        };
        inside.iter().all(|c| {
            let tilt = end.rom_deg / c.rom_deg.max(1e-9);
            let pace = (end.end_s - end.start_s) / (c.end_s - c.start_s).max(1e-9);
            tilt < RUN_ALIKE && tilt > 1.0 / RUN_ALIKE && pace < RUN_ALIKE
        })
    };
    let unlike = |c: &Cycle, g: &[Cycle]| {
        let slower = (c.end_s - c.start_s) / typical_s;
        slower > END_SLOW
            || tilts
                && ((c.rom_deg < ROM_SMALL * typical
                    && !of_a_run(g)
                    && (c.size < SMALL_SIZE * typical_size
                        || slower > SLOW_LARGE
                        || c.gentle && c.rom_deg < ROM_BARE * typical))
                    || (c.rom_deg > ROM_LARGE * typical && slower > SLOW_LARGE)
                    || c.away_deg > (ROM_LARGE * typical).max(AWAY_MIN_DEG))
    };
    // Set apart from the others by a pause as long as [`APART`] reps, and
    // not at their pace: a movement in the rest before or after the set.
    let apart = |g: &[Cycle]| {
        let (c, pause) = if from_start {
            (&g[0], g[1].start_s - g[0].end_s)
        } else {
            (
                &g[g.len() - 1],
                g[g.len() - 1].start_s - g[g.len() - 2].end_s,
            )
        };
        let pace = (c.end_s - c.start_s) / typical_s;
        pause > APART * typical_s && (pace - 1.0).abs() > REGULAR_PACE
    };
    for _ in 0..2 {
        let end = if from_start {
            group.first()
        } else {
            group.last()
        };
        if group.len() < 3 || !(end.is_some_and(|c| unlike(c, group)) || apart(group)) {
            break;
        }
        if from_start {
            group.remove(0);
        } else {
            group.pop();
        }
    }
}

/// Whether stretch `[a, b)` moves less than the still floors, in the sensors' own
/// units (`scales` turned them into the normalised channels).
fn is_still(z: &[Vec<f64>], scales: &[f64], a: usize, b: usize) -> bool {
    let floors = [STILL_FLOOR_G, STILL_FLOOR_DPS];
    scales
        .iter()
        .zip(floors)
        .enumerate()
        .all(|(s, (k, floor))| {
            let power: f64 = z[3 * s..3 * s + 3]
                .iter()
                .map(|c| c[a..b].iter().map(|v| v * v).sum::<f64>())
                .sum();
            (power / (b - a).max(1) as f64).sqrt() / k < floor
        })
}

/// Whether `z` ([`movement`]'s channels) holds the rotation too: three channels
/// of acceleration, then three of rotation where the strap has a gyro.
fn with_gyro(z: &[Vec<f64>]) -> bool {
    z.len() >= 6
}

/// The band-passed channels, each sensor scaled to unit RMS (the rotation
/// weighted by [`GYRO_WEIGHT`]); without a gyro, the acceleration alone. Also the
/// scale applied to each sensor.
fn movement(rec: &SetRecorder) -> (Vec<Vec<f64>>, Vec<f64>) {
    let sensors = if rec.gyro { 2 } else { 1 };
    let lo = dsp::Biquad::high_pass(BAND_HZ[0], RATE_HZ);
    let hi = dsp::Biquad::low_pass(BAND_HZ[1], RATE_HZ);
    let (mut out, mut scales) = (Vec::new(), Vec::new());
    let gaps = rec.gap_indices();
    for s in 0..sensors {
        let mut chans: Vec<Vec<f64>> = (0..3)
            .map(|k| rec.x.iter().map(|x| f64::from(x[3 * s + k])).collect())
            .collect();
        for c in &mut chans {
            for &(i, j) in &gaps {
                level(c, i, j);
            }
            lo.filtfilt(c);
            hi.filtfilt(c);
            for &(i, j) in &gaps {
                bridge(c, i, j);
            }
        }
        let seen = chans[0].len() - gaps.iter().map(|(i, j)| j - i - 1).sum::<usize>();
        let power: f64 = chans.iter().flatten().map(|v| v * v).sum::<f64>() / seen.max(1) as f64;
        let weight = if s == 0 { 1.0 } else { GYRO_WEIGHT };
        let k = weight / (power.sqrt() + 1e-9);
        out.extend(
            chans
                .into_iter()
                .map(|c| c.into_iter().map(|v| v * k).collect::<Vec<_>>()),
        );
        scales.push(k);
    }
    (out, scales)
}

/// Fills the gap between kept samples `i` and `j` of a channel with the level
/// it moved about on either side of it (the mean over [`LEVEL_S`]), from the
/// one side's to the other's. Interpolated from edge to edge instead, the gap
/// would hold, for its whole length, how far from that level the movement
/// happened to be at its edges (a sensor's bias, a rep's speed there): a slow
/// swing that the band-pass spreads over the reps around it and that outweighs
/// them in the set's rhythm and direction.
fn level(c: &mut [f64], i: usize, j: usize) {
    let w = (LEVEL_S * RATE_HZ) as usize;
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len().max(1) as f64;
    let before = mean(&c[i.saturating_sub(w)..=i]);
    let after = mean(&c[j..(j + w + 1).min(c.len())]);
    line(c, i, j, before, after);
}

/// Joins kept samples `i` and `j` of a band-passed channel with a straight line
/// over the gap between them. Filtered, the level the gap was filled with
/// ([`level`]) sits at the middle of the movement: a gap over a rep's top would
/// dip there and back, a swing nobody made, where the line turns nowhere.
fn bridge(c: &mut [f64], i: usize, j: usize) {
    let (from, to) = (c[i], c[j]);
    line(c, i, j, from, to);
}

/// Fills samples `i + 1..j` of `c` on the line from `from` at `i` to `to` at `j`.
fn line(c: &mut [f64], i: usize, j: usize, from: f64, to: f64) {
    for (k, v) in c[i + 1..j].iter_mut().enumerate() {
        *v = from + (to - from) * (k + 1) as f64 / (j - i) as f64;
    }
}

/// The energy of each sample's fast part (above the movement band), in the
/// movement's scaled units: the sensors' white noise, which lies in the band as
/// much as above it. (A strap slower than [`SLOW_DT_S`] has little there, its
/// samples being interpolated: see [`slow_noise_energy`].)
fn noise_energy(rec: &SetRecorder, scales: &[f64]) -> Vec<f64> {
    let hp = dsp::Biquad::high_pass(BAND_HZ[1] * 1.25, RATE_HZ);
    let n = rec.x.len();
    let mut energy = vec![0.0; n];
    for (s, k) in scales.iter().enumerate() {
        for ch in 0..3 {
            let mut c: Vec<f64> = rec.x.iter().map(|x| f64::from(x[3 * s + ch])).collect();
            hp.filtfilt(&mut c);
            for (e, v) in energy.iter_mut().zip(c) {
                *e += (v * k) * (v * k);
            }
        }
    }
    energy
}

/// [`noise_energy`] of a strap slower than [`SLOW_DT_S`] over most of the set
/// (every sample's the same), whose noise the interpolation to [`RATE_HZ`]
/// leaves little of above the band:
/// from the second differences of its own samples, where white noise of `s`
/// per sample gives `6 s^2` and smooth movement almost nothing (its lower
/// quartile, as reps fill most of a set), scaled to what the same noise would
/// put above the band at [`RATE_HZ`].
fn slow_noise_energy(rec: &SetRecorder, scales: &[f64]) -> Option<f64> {
    let d2 = &rec.slow_d2;
    let covered = rec.slow_dt * RATE_HZ / rec.x.len().max(1) as f64;
    if d2.len() < SLOW_MIN_SAMPLES || covered < 0.5 {
        return None;
    }
    let rate = d2.len() as f64 / rec.slow_dt;
    // The share of white noise inside the band, and the fast part of the same
    // in-band noise at RATE_HZ against it.
    let in_band = (BAND_HZ[1] / (rate / 2.0)).min(1.0);
    let above = (RATE_HZ / 2.0 - BAND_HZ[1] * 1.25) / BAND_HZ[1];
    let mut energy = 0.0;
    for (s, k) in scales.iter().enumerate() {
        for ch in 0..3 {
            let col: Vec<f64> = d2.iter().map(|d| f64::from(d[3 * s + ch])).collect();
            let sigma = dsp::percentile(&col, 25.0) / (HALF_NORMAL_Q1 * 6f64.sqrt());
            energy += sigma * sigma * in_band * above * k * k;
        }
    }
    Some(energy)
}

/// Active stretches `[start, end)` of the envelope, merged across short quiet.
/// Time the recording has no samples for is not quiet: `unseen[i]` counts the
/// samples before `i` that fell in a gap.
fn stretches(env: &[f64], threshold: f64, unseen: &[usize]) -> Vec<(usize, usize)> {
    let gap = (MERGE_GAP_S * RATE_HZ) as usize;
    let min_len = (MIN_STRETCH_S * RATE_HZ) as usize;
    let mut out: Vec<(usize, usize)> = Vec::new();
    for i in (0..env.len()).filter(|&i| env[i] > threshold) {
        match out.last_mut() {
            Some((_, end)) if i - *end - (unseen[i] - unseen[*end]) <= gap => *end = i,
            _ => out.push((i, i)),
        }
    }
    out.into_iter()
        .filter(|(a, b)| b - a >= min_len)
        .map(|(a, b)| (a, b + 1))
        .collect()
}

/// Each stretch (of `spans`, as [`stretches`] finds them over `threshold`)
/// goes on while `env` stays over [`FADE_BETWEEN`] of the threshold, the set's
/// last over [`FADE`]: a rep's slow return (a low-amplitude rep's, a raise's
/// lowering) falls under the threshold before it arrives, and cut there it was
/// a half swing left over, not a rep. Not into the next stretch, nor into the
/// recording's last two `margin`s: a stretch reaching them reads as a
/// recording that cut the set's movement short, where the threshold found the
/// wearer at rest after it.
fn fade_out(
    mut spans: Vec<(usize, usize)>,
    env: &[f64],
    threshold: f64,
    margin: usize,
) -> Vec<(usize, usize)> {
    let n = spans.len();
    for q in 0..n {
        let (low, stop) = match spans.get(q + 1) {
            Some(&(next, _)) => (FADE_BETWEEN * threshold, next.saturating_sub(1)),
            None => (FADE * threshold, env.len().saturating_sub(2 * margin + 1)),
        };
        let b = &mut spans[q].1;
        while *b < stop && env[*b] > low {
            *b += 1;
        }
    }
    spans
}

/// Joins stretches across a quiet the wearer spent away from the poses both
/// left from and came back to: a rep held at its far end (a slow raise paused
/// at the top), which is part of that rep, not a rest between reps, which
/// comes back to where the reps start. Away: further from each than
/// [`HELD_MIN_DEG`] and than [`HELD_REACH`] of a reach: the first stretch's
/// own from its start, the quiet no longer than the set's `period` (s); or the
/// second's from its end, the quiet no longer than [`HELD_SHORT`] of the
/// period (a low-amplitude rep held at its top after big reps reaches as far
/// as the small reps after it, not as the big ones; a rest between such groups
/// lasts about a rep). Split there, each half of the rep counted:
/// physio-pt's leg abduction templates done a third slower, paused at the top
/// of a slow rep, counted 10 of 9; the first small rep after fast ones, its
/// top quiet, was two half swings left over at two stretches' ends. A wearer
/// resting between groups a little off the start pose (a seated lean's trunk
/// 5.4 deg from it, half its reach) is not held: hence more than half.
fn join_held(spans: Vec<(usize, usize)>, rec: &SetRecorder, period: f64) -> Vec<(usize, usize)> {
    let last = rec.len().saturating_sub(1);
    let reach = |from: Vec3, i: usize, j: usize| {
        (i..j)
            .map(|k| angle_deg(from, rec.up_at(k)))
            .fold(0.0, f64::max)
    };
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (a2, b2) in spans {
        let b2_seen = b2.min(last);
        if let Some((a1, b1)) = out.last_mut()
            && ((a2 - *b1) as f64) <= period * RATE_HZ
        {
            let (start, end) = (rec.up_at(*a1), rec.up_at(b2_seen));
            let held = rec.up_at((*b1 + a2) / 2);
            let away = angle_deg(held, start).min(angle_deg(held, end));
            let short = ((a2 - *b1) as f64) <= HELD_SHORT * period * RATE_HZ;
            if away > HELD_MIN_DEG
                && (away > HELD_REACH * reach(start, *a1, *b1)
                    || (short && away > HELD_REACH * reach(end, a2, b2_seen)))
            {
                *b1 = b2;
                continue;
            }
        }
        out.push((a2, b2));
    }
    out
}

/// The set's last stretch (of `spans`) goes on to where the strap comes back
/// closest to the pose it started from, within the set's `period` (s) and
/// not into the recording from `stop` on ([`fade_out`]'s end), where that is
/// over [`HELD_MIN_DEG`] closer than where it ends: a low-amplitude rep's
/// slow return falls under the threshold, and under [`FADE`] of it, before it
/// arrives; its way back shows in where the strap points, if not in the
/// movement's strength. Cut there, it was a half swing left over. Also
/// whether the stretch grew.
fn come_back(
    mut spans: Vec<(usize, usize)>,
    rec: &SetRecorder,
    period: f64,
    stop: usize,
) -> (Vec<(usize, usize)>, bool) {
    let Some((a, b)) = spans.last_mut() else {
        return (spans, false);
    };
    if *b >= stop {
        return (spans, false);
    }
    let start = rec.up_at(*a);
    let from = angle_deg(rec.up_at(*b), start);
    let until = (*b + (period * RATE_HZ) as usize).min(stop);
    let closest = (*b..=until)
        .map(|i| (i, angle_deg(rec.up_at(i), start)))
        .min_by(|x, y| x.1.total_cmp(&y.1));
    match closest {
        Some((i, d)) if from - d > HELD_MIN_DEG => {
            *b = i;
            (spans, true)
        }
        _ => (spans, false),
    }
}

/// Cycles as (start, turn, end) sample indices.
type Cycles = Vec<(usize, usize, usize)>;

/// A cycle's size on `pc`: the larger of its two half swings.
fn cycle_size(pc: &[f64], (s, t, e): (usize, usize, usize)) -> f64 {
    (pc[t] - pc[s]).abs().max((pc[e] - pc[t]).abs())
}

/// How a set's rep period is found ([`span_period`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pace {
    /// From the autocorrelation: the lag at which one rep matches the next.
    Even,
    /// From the autocorrelation, or the strongest frequency where that is
    /// shorter: reps with pauses of any length between them, which match no
    /// lag ([`settle_traced`]).
    Uneven,
}

/// How far the strap turns between two samples of a stretch (deg).
struct Turns<'a> {
    /// Its tilt, where the strap is steady at both ([`SetRecorder::steady_at`];
    /// 0 where it is not, and the tilt is not known).
    tilt: &'a dyn Fn(usize, usize) -> f64,
    /// Its up direction as the strap's orientation has it, steady or not.
    up: &'a dyn Fn(usize, usize) -> f64,
}

/// The cycles of one stretch `[a, b)` as sample indices relative to `a`, and the
/// signal they were counted on. `rhythm` is the stretch's period (s) and how
/// alike its cycles are ([`span_period`]) where already known: found for the
/// set's longest stretch, or the set's period (alike 0) for a stretch too short
/// to show its own; `None` finds it here. `edges`: whether the stretch starts
/// the set's movement and whether it ends it, where a half swing left over
/// can be getting into position or out of it ([`stranded_half`]).
fn stretch_cycles(
    z: &[Vec<f64>],
    (a, b): (usize, usize),
    in_gap: &[bool],
    turns: &Turns,
    rhythm: Option<(f64, f64)>,
    pace: Pace,
    edges: [bool; 2],
) -> (Cycles, Vec<f64>) {
    let (tilt, rom) = (turns.tilt, turns.up);
    let chans: Vec<Vec<f64>> = z.iter().map(|c| c[a..b].to_vec()).collect();
    let lags = PERIOD_S.map(|s| (s * RATE_HZ) as usize);
    let (period, alike) = rhythm.unwrap_or_else(|| span_period(&chans, in_gap, lags, pace));
    let (mut pc, dir) = smooth_pc(&chans, in_gap, period, None);
    let count = |pc: &[f64]| {
        // Only an end of a stretch at rest can be in its middle (a recording
        // cut mid-movement is not). Where the wearer breathes before the first
        // rep or after the last, where the stretch rests shows once the breaths
        // are trimmed. Each end is judged by itself: a set whose first rep
        // starts as the recording does, or after a lead-in, can still end at
        // its middle.
        let points = span_points(pc);
        // Whether each end, the start and the end, is at rest.
        let at_rest = [rests(pc, true), rests(pc, false)];
        // Where the stretch rests shows with every small, slow half swing at
        // its ends trimmed; counting, a half swing that tilts the strap as a
        // low-amplitude rep does is no breath, however small and slow.
        let any_breath = |_: &swings::Point, _: &swings::Point| false;
        let trimmed = || {
            let (small, large) = (END_FRACTION, END_LARGE);
            swings::trim_ends(
                points.clone(),
                small,
                large,
                [0.0; 2],
                [false; 2],
                &BREATHS,
                &any_breath,
            )
            .0
        };
        let typical_tilt = typical_tilt(&points, tilt).filter(|&t| t >= MIN_TYPICAL_ROM_DEG);
        let moves = |a: &swings::Point, b: &swings::Point| {
            typical_tilt
                .is_some_and(|t| tilt(a.i, b.i) >= (BREATH_TILT * t).max(MIN_TYPICAL_ROM_DEG))
        };
        let end = |start: bool| if start { 0 } else { pc.len() - 1 };
        let middle_at = |start: bool| {
            at_rest[usize::from(!start)]
                && (rests_between(&points, tilt, &moves, start, None)
                    || rests_between(&trimmed(), tilt, &moves, start, Some(end(start))))
        };
        let (start_mid, end_mid) = (middle_at(true), middle_at(false));
        // The movement swings about a middle (its rests between reps are
        // there) where an end rests at the middle and the other does not
        // rest elsewhere: an end still moving (a wearer swaying before the
        // first roll, a recording cut mid-movement) says nothing either way.
        let about_middle = match (start_mid, end_mid) {
            (true, true) => true,
            (true, false) => !at_rest[1],
            (false, true) => !at_rest[0],
            (false, false) => false,
        };
        let centred = [start_mid, end_mid].map(|m| if m { END_CENTRED } else { 0.0 });
        let breaths = if about_middle {
            MIDDLE_BREATHS
        } else {
            BREATHS
        };
        // An end still moving: the recording cut the movement there.
        let cut = at_rest.map(|r| !r);
        let (points, _) = swings::trim_ends(
            points,
            END_FRACTION,
            END_LARGE,
            centred,
            cut,
            &BREATHS,
            &moves,
        );
        let points = from_rest(drop_steps(points, tilt), at_rest, pc.len(), rom);
        let cycles = swings::cycles_around_rests(&points, &breaths, &moves, REST_SWINGS);
        // From rest to rest, a lone half swing left over is a change of pose
        // (where the recording shows every turning point: a gap can hide one).
        let rest_to_rest = !about_middle && at_rest == [true; 2] && !in_gap.iter().any(|&g| g);
        match stranded_half(&points, &cycles, pc.len(), edges, tilt) {
            Some(points) if rest_to_rest => {
                swings::cycles_around_rests(&points, &breaths, &moves, REST_SWINGS)
            }
            _ => cycles,
        }
    };
    let mut cycles = count(&pc);
    // Reps of two kinds in turn (a big raise, then a smaller or quicker one)
    // can make the pair of them the period, and smoothed at it the second
    // of each pair is gone: counted at half the period, twice as many cycles
    // that each turn the strap as a rep does are the reps.
    if period / 2.0 >= PERIOD_S[0] && cycles.len() >= RHYTHM_REPS - 1 {
        let (halved, _) = smooth_pc(&chans, in_gap, period / 2.0, None);
        let more = count(&halved);
        let least = more
            .iter()
            .map(|&(s, t, _)| rom(s, t))
            .fold(f64::INFINITY, f64::min);
        if more.len() + 1 >= 2 * cycles.len()
            && more.len() >= 2 * RHYTHM_REPS
            && least >= ECHO_TILT_DEG
        {
            cycles = more;
            pc = halved;
        }
    }
    let median_of = |f: &dyn Fn(usize, usize) -> f64| {
        (!cycles.is_empty())
            .then(|| median(&cycles.iter().map(|&(s, t, _)| f(s, t)).collect::<Vec<_>>()))
    };
    let accel_only = !with_gyro(&chans);
    let reps_of_their_own = median_of(rom).is_some_and(|m| m >= ECHO_TILT_DEG)
        || median_of(tilt).is_some_and(|m| m >= ECHO_STEADY_DEG);
    if !reps_of_their_own
        && let Some(joined) = join_echoes(&cycles, period * RATE_HZ, alike, accel_only)
    {
        return (joined, pc);
    }
    let fast = extend_fast(
        &fast_groups(&chans, in_gap, &cycles, period, pace, tilt),
        &cycles,
        period,
        &pc,
        &|local| smooth_pc(&chans, in_gap, local, Some(&dir)).0,
    );
    if fast.is_empty() {
        return (cycles, pc);
    }
    for &(s, e, local) in &fast {
        let (fine, _) = smooth_pc(&chans, in_gap, local, Some(&dir));
        pc[s..=e].copy_from_slice(&fine[s..=e]);
    }
    let recounted = count(&pc);
    // At full size beside a group of low-amplitude reps, a fast group makes
    // their half swings look like wiggles against its own, and removed one
    // after another the whole group went. Where the recount lost
    // [`RECOUNT_LOST`] or more of the whole cycles apart from the fast groups,
    // those stay as the slow count had them, and the fast groups' cycles come
    // from the recount. A cycle is a fast group's where its middle lies in
    // one, or where it starts and turns in one: the group's last rep, whose
    // way back the recount merged with the small reps it removed; it ends
    // where the kept cycles resume. A half swing left over at the stretch's
    // end is not compared: the recount's full-size fast reps make it a
    // breath where the slow count kept it, rightly or not.
    let in_fast = |i: usize| fast.iter().any(|&(s, e, _)| (s..=e).contains(&i));
    let merged = |&(s, t, e): &(usize, usize, usize)| {
        !in_fast(usize::midpoint(s, e)) && in_fast(s) && in_fast(t)
    };
    let of_fast = |c: &(usize, usize, usize)| in_fast(usize::midpoint(c.0, c.2)) || merged(c);
    let apart = |cs: &Cycles| cs.iter().filter(|c| c.1 < c.2 && !of_fast(c)).count();
    // A single one lost counts where the group's last rep, so merged,
    // swallowed it whole.
    let swallowed = recounted.iter().any(|&(s, t, e)| {
        merged(&(s, t, e))
            && cycles
                .iter()
                .any(|&(a, u, b)| u < b && !of_fast(&(a, u, b)) && t <= a && b <= e)
    });
    if swallowed || apart(&recounted) + RECOUNT_LOST <= apart(&cycles) {
        let mut kept: Cycles = cycles.iter().filter(|c| !of_fast(c)).copied().collect();
        let resumes = |t: usize| kept.iter().map(|c| c.0).filter(|&k| k > t).min();
        let from_fast: Cycles = recounted
            .iter()
            .filter(|c| of_fast(c))
            .map(|&(s, t, e)| (s, t, resumes(t).map_or(e, |k| k.min(e))))
            .collect();
        kept.extend(from_fast);
        kept.sort_by_key(|c| c.0);
        return (kept, pc);
    }
    (recounted, pc)
}

/// The cycles of a stretch whose reps each show as two (a rep's two jolts, at the
/// start and at the end of a movement that barely turns the strap: the
/// acceleration alone of a shrug or a press), joined into one per rep: where the
/// stretch's cycles last under [`ECHO_CYCLE`] of its period (`period`, samples;
/// its cycles alike at least `alike`, which must be [`ECHO_ALIKE`]), or where,
/// measured without a gyro (`accel_only`), they crowd it ([`ECHO_CROWDED`]),
/// consecutive ones are joined while together they last at most
/// [`ECHO_JOINED`] periods. `None` where the cycles are the period's.
fn join_echoes(cycles: &Cycles, period: f64, alike: f64, accel_only: bool) -> Option<Cycles> {
    if cycles.len() < 2 * RHYTHM_REPS {
        return None;
    }
    let lengths: Vec<f64> = cycles.iter().map(|c| (c.2 - c.0) as f64).collect();
    // As many cycles as the period fits between the first's start and the
    // last's end, and more by a third: echoes, some reps showing as two.
    let extent = (cycles[cycles.len() - 1].2 - cycles[0].0) as f64;
    let crowded = accel_only && cycles.len() as f64 * period >= ECHO_CROWDED * extent;
    if !crowded && (alike < ECHO_ALIKE || median(&lengths) >= ECHO_CYCLE * period) {
        return None;
    }
    let mut joined = Vec::new();
    let mut i = 0;
    while i < cycles.len() {
        let start = cycles[i].0;
        let mut j = i;
        while j + 1 < cycles.len() && (cycles[j + 1].2 - start) as f64 <= ECHO_JOINED * period {
            j += 1;
        }
        let turn = if i == j {
            cycles[i].1
        } else {
            cycles[(i + j) / 2].2
        };
        joined.push((start, turn, cycles[j].2));
        i = j + 1;
    }
    Some(joined)
}

/// The cycles of a stretch (of rep period `period`, s) that hold a faster rhythm
/// of their own: a group of fast reps among slower ones, which the low-pass
/// tuned to the slower ones smoothed into one. Each as (start, end, its period).
/// A cycle qualifies when its own period is under [`FAST_PERIOD`] times the
/// stretch's, its cycles are alike (at least [`FAST_ALIKE`]) and there are two
/// of them or more: a rep with a second bump (a press) shows none of that.
///
/// Fast reps that follow a slow one without a pause ride on its tail, in one
/// cycle with it, and the slow swing drowns their rhythm. So a cycle also
/// qualifies on its movement less the slow part (the stretch's own low-pass
/// taken away), where that shows the faster rhythm and at least
/// [`FAST_GROUP_CYCLES`] cycles, each tilting the strap as the stretch's
/// typical rep does ([`FAST_TILT`]; `tilt`, where the strap is steady at both
/// turns): the jolts of a press tilt a wrist far less or far more than its
/// reps do, or at turns where it accelerates too much for its tilt to be known
/// (the barbell sets' presses and bench presses read 0 there).
///
/// Where no cycle qualifies, a run of short cycles ([`FAST_RUN`]) does where
/// it shows such a rhythm and, smoothed at it, more cycles than the run has:
/// fast reps that vary, merged by the slow rhythm in ones and twos, so that
/// no one cycle is long enough for the autocorrelation to see them.
fn fast_groups(
    chans: &[Vec<f64>],
    in_gap: &[bool],
    cycles: &Cycles,
    period: f64,
    pace: Pace,
    tilt: &dyn Fn(usize, usize) -> f64,
) -> Vec<(usize, usize, f64)> {
    if cycles.len() < RHYTHM_REPS {
        return Vec::new();
    }
    let lags = [
        (PERIOD_S[0] * RATE_HZ) as usize,
        (FAST_PERIOD * period * RATE_HZ) as usize,
    ];
    let typical = median(
        &cycles
            .iter()
            .map(|&(a, t, _)| tilt(a, t))
            .collect::<Vec<_>>(),
    );
    let mut fast_part: Option<Vec<Vec<f64>>> = None;
    let found: Vec<(usize, usize, f64)> = cycles
        .iter()
        .filter_map(|&(s, _, e)| {
            let gap = &in_gap[s..=e];
            let span: Vec<Vec<f64>> = chans.iter().map(|c| c[s..=e].to_vec()).collect();
            let (local, alike) = span_period(&span, gap, lags, pace);
            if local < FAST_PERIOD * period && alike >= FAST_ALIKE {
                let (pc, _) = smooth_pc(&span, gap, local, None);
                return (swings::cycles(&span_points(&pc)).len() >= 2).then_some((s, e, local));
            }
            if typical < MIN_TYPICAL_ROM_DEG {
                return None;
            }
            let fast_part = fast_part.get_or_insert_with(|| less_slow(chans, period));
            let part: Vec<Vec<f64>> = fast_part.iter().map(|c| c[s..=e].to_vec()).collect();
            let (local, alike) = span_period(&part, gap, lags, pace);
            if local >= FAST_PERIOD * period || alike < FAST_ALIKE {
                return None;
            }
            let (pc, _) = smooth_pc(&span, gap, local, None);
            let fine = swings::cycles(&span_points(&pc));
            let like_a_rep = |&(a, t, _): &(usize, usize, usize)| {
                let r = tilt(s + a, s + t) / typical;
                (FAST_TILT..=1.0 / FAST_TILT).contains(&r)
            };
            (fine.len() >= FAST_GROUP_CYCLES && fine.iter().all(like_a_rep))
                .then_some((s, e, local))
        })
        .collect();
    if !found.is_empty() {
        return found;
    }
    // No cycle holds a fast group: where the fast reps vary, the slow
    // rhythm merged them in ones and twos, and no cycle is long enough to
    // show their rhythm. A run of short cycles (each under [`FAST_RUN`] of
    // the period) does, where that rhythm shows more reps than the run has
    // cycles: a run already counted one by one stays as it was.
    let short = |k: usize| ((cycles[k].2 - cycles[k].0) as f64) < FAST_RUN * period * RATE_HZ;
    let mut runs = Vec::new();
    let mut k = 0;
    while k < cycles.len() {
        let mut j = k;
        while short(k) && j + 1 < cycles.len() && short(j + 1) {
            j += 1;
        }
        if j > k {
            runs.push((cycles[k].0, cycles[j].2, j + 1 - k));
        }
        k = j + 1;
    }
    runs.into_iter()
        .filter_map(|(s, e, counted)| {
            // Two of its periods at the longest, for the autocorrelation.
            if ((e - s) as f64) < 2.0 * FAST_PERIOD * period * RATE_HZ {
                return None;
            }
            let gap = &in_gap[s..=e];
            let span: Vec<Vec<f64>> = chans.iter().map(|c| c[s..=e].to_vec()).collect();
            let (local, alike) = span_period(&span, gap, lags, pace);
            if local >= FAST_PERIOD * period || alike < FAST_ALIKE {
                return None;
            }
            let (pc, _) = smooth_pc(&span, gap, local, None);
            let fine = swings::cycles(&span_points(&pc)).len();
            (fine >= FAST_GROUP_CYCLES && fine > counted).then_some((s, e, local))
        })
        .collect()
}

/// `fast` ([`fast_groups`]) grown over the cycles beside each group that last
/// as long as its reps ([`FAST_LIKE`]) and under [`FAST_PERIOD`] times the
/// stretch's typical cycle: fast reps that the slow low-pass shrank, though not
/// so far that they no longer count one by one, are the same group. Smoothed
/// at the group's rhythm beside it and at the slow one there, they would
/// shrink against the group's and be taken for wiggles. Where the shrunk reps
/// no longer count one by one (reps that vary in pace and size: two of them
/// merge into one slow cycle), the group's rhythm shows them: smoothed at it,
/// the half swings beside the group as quick as its own and not far smaller
/// ([`FAST_SIZE`]) are its reps, and so the shrunk cycles they cover
/// ([`FAST_SHRUNK`]: a full-size cycle is the set's own rhythm, whatever the
/// noise does at the group's). And a cycle beside the group lasting over
/// [`FAST_HOLDS`] times the group's own, where the group's rhythm shows a
/// whole rep of it, is the group's last (first) rep and what comes after
/// (before) it made one at the slow rhythm (ten fast reps straight before
/// small ones): it is taken in too. `pc` is the stretch's signal at its
/// rhythm, and `smoothed_at` smooths the stretch at another.
fn extend_fast(
    fast: &[(usize, usize, f64)],
    cycles: &Cycles,
    period: f64,
    pc: &[f64],
    smoothed_at: &dyn Fn(f64) -> Vec<f64>,
) -> Vec<(usize, usize, f64)> {
    let sizes: Vec<f64> = cycles.iter().map(|&c| cycle_size(pc, c)).collect();
    let full_size = dsp::percentile(&sizes, 75.0);
    let shrunk = |k: usize| sizes[k] < FAST_SHRUNK * full_size;
    let durations: Vec<f64> = cycles
        .iter()
        .map(|&(s, _, e)| (e - s) as f64 / RATE_HZ)
        .collect();
    let typical = median(&durations).min(period);
    let in_a_group: Vec<bool> = cycles
        .iter()
        .map(|&(a, _, b)| fast.iter().any(|&(s, e, _)| a >= s && b <= e))
        .collect();
    fast.iter()
        .map(|&(s, e, local)| {
            let like = |k: usize| {
                let d = durations[k];
                !in_a_group[k]
                    && d < FAST_PERIOD * typical
                    && (FAST_LIKE * local..=local / FAST_LIKE).contains(&d)
            };
            let (Some(mut i), Some(mut j)) = (
                cycles.iter().position(|c| c.0 == s),
                cycles.iter().rposition(|c| c.2 == e),
            ) else {
                return (s, e, local);
            };
            while i > 0 && like(i - 1) {
                i -= 1;
            }
            while j + 1 < cycles.len() && like(j + 1) {
                j += 1;
            }
            let beside = |k: usize| !in_a_group[k] && shrunk(k);
            let (first, last) = reach_at(
                &span_points(&smoothed_at(local)),
                (cycles[i].0, cycles[j].2),
                local,
            );
            let mid = |k: usize| (cycles[k].0 + cycles[k].2) / 2;
            while j + 1 < cycles.len() && beside(j + 1) && mid(j + 1) < last {
                j += 1;
            }
            while i > 0 && beside(i - 1) && mid(i - 1) > first {
                i -= 1;
            }
            // A cycle beside the group far longer than its own, over which
            // the group's rhythm shows a whole rep of it: its last (first)
            // rep and what comes after (before) it, one cycle at the slow
            // rhythm.
            let rep = (local * RATE_HZ) as usize;
            let own = median(&durations[i..=j]);
            let holds_one = |k: usize| !in_a_group[k] && durations[k] > FAST_HOLDS * own;
            if j + 1 < cycles.len() && holds_one(j + 1) && last >= cycles[j].2 + rep {
                j += 1;
            }
            if i > 0 && holds_one(i - 1) && first + rep <= cycles[i].0 {
                i -= 1;
            }
            (cycles[i].0, cycles[j].2, local)
        })
        .collect()
}

/// How far a group of fast reps `[from, to]` (samples) at `local` s a rep
/// reaches on `fine`, the turning points of its stretch smoothed at that
/// rhythm: over the half swings beside it as quick as its own ([`FAST_LIKE`])
/// and at least [`FAST_SIZE`] of their typical size.
fn reach_at(fine: &[swings::Point], (from, to): (usize, usize), local: f64) -> (usize, usize) {
    let halves: Vec<(usize, usize, f64)> = fine
        .windows(2)
        .map(|w| (w[0].i, w[1].i, (w[1].v - w[0].v).abs()))
        .collect();
    let inside: Vec<f64> = halves
        .iter()
        .filter(|h| h.0 >= from && h.1 <= to)
        .map(|h| h.2)
        .collect();
    if inside.len() < 2 {
        return (from, to);
    }
    let size = median(&inside);
    let half = local * RATE_HZ / 2.0;
    let quick = |h: &&(usize, usize, f64)| {
        let d = (h.1 - h.0) as f64;
        h.2 >= FAST_SIZE * size && (FAST_LIKE * half..=half / FAST_LIKE).contains(&d)
    };
    let first = halves
        .iter()
        .rev()
        .filter(|h| h.0 < from)
        .take_while(quick)
        .last()
        .map_or(from, |h| h.0);
    let last = halves
        .iter()
        .filter(|h| h.1 > to)
        .take_while(quick)
        .last()
        .map_or(to, |h| h.1);
    (first, last)
}

/// `chans` less their slow part: what the low-pass at the rate of reps
/// `period` s long ([`smooth_pc`]'s) takes away.
fn less_slow(chans: &[Vec<f64>], period: f64) -> Vec<Vec<f64>> {
    let lp = rep_low_pass(period);
    chans
        .iter()
        .map(|c| {
            let mut slow = c.clone();
            lp.filtfilt(&mut slow);
            c.iter().zip(&slow).map(|(v, w)| v - w).collect()
        })
        .collect()
}

/// The low-pass just above the rate of reps `period` s long: a rep's second
/// bump is not a rep.
fn rep_low_pass(period: f64) -> dsp::Biquad {
    dsp::Biquad::low_pass((LOW_PASS_PER_RATE / period).min(MAX_LOW_PASS_HZ), RATE_HZ)
}

/// The rep period of `chans` (s; [`DEFAULT_PERIOD_S`] when there is none between
/// `lags`) and how alike its cycles are (see [`dsp::period`]), from the samples
/// not `in_gap`: what the recording did not see has no rhythm.
/// [`Pace::Uneven`] takes the period of the strongest frequency instead where
/// that is shorter ([`dsp::strongest_period`]).
fn span_period(chans: &[Vec<f64>], in_gap: &[bool], lags: [usize; 2], pace: Pace) -> (f64, f64) {
    let centred: Vec<Vec<f64>> = chans.iter().map(|c| demean(c.clone(), in_gap)).collect();
    let (period, alike) = dsp::period(&centred, in_gap, lags[0], lags[1])
        .map_or((DEFAULT_PERIOD_S, 0.0), |(p, r)| (p as f64 / RATE_HZ, r));
    let strongest = match pace {
        Pace::Even => None,
        Pace::Uneven => dsp::strongest_period(&centred, in_gap, lags[0], lags[1]),
    };
    match strongest.map(|lag| lag / RATE_HZ) {
        Some(p) if p < period => (p, alike),
        _ => (period, alike),
    }
}

/// `chans` low-passed just above the rate of reps `period` s long, along `dir`
/// (their principal direction, of the samples not `in_gap`, when `None`); and
/// that direction.
fn smooth_pc(
    chans: &[Vec<f64>],
    in_gap: &[bool],
    period: f64,
    dir: Option<&[f64]>,
) -> (Vec<f64>, Vec<f64>) {
    let lp = rep_low_pass(period);
    let smooth: Vec<Vec<f64>> = chans
        .iter()
        .map(|c| {
            let mut c = c.clone();
            lp.filtfilt(&mut c);
            demean(c, in_gap)
        })
        .collect();
    let dir = dir.map_or_else(
        || {
            let seen: Vec<Vec<f64>> = smooth.iter().map(|c| unseen_zeroed(c, in_gap)).collect();
            dsp::principal(&seen)
        },
        <[f64]>::to_vec,
    );
    let n = chans.first().map_or(0, Vec::len);
    let pc = (0..n)
        .map(|i| smooth.iter().zip(&dir).map(|(c, d)| c[i] * d).sum())
        .collect();
    (pc, dir)
}

/// Whether `pc` is at rest over its first (or last) [`MARGIN_S`]: moving less
/// than a turning point needs ([`TURN_FRACTION`] of its range).
fn rests(pc: &[f64], start: bool) -> bool {
    let m = ((MARGIN_S * RATE_HZ) as usize).min(pc.len());
    let part = if start { &pc[..m] } else { &pc[pc.len() - m..] };
    let range = dsp::percentile(pc, 95.0) - dsp::percentile(pc, 5.0);
    let (lo, hi) = part
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    m > 0 && hi - lo < TURN_FRACTION * range
}

/// Whether the strap rests, at the start (or end) of a stretch, between the
/// tilts of the two turning points beside it (a shoulder roll's neutral
/// between forward and back), not at or near one of them (a leg raise's
/// floor): tilted from each between 1 - [`END_CENTRED`] and [`END_CENTRED`] of
/// their tilt from each other, where that is a clear tilt
/// ([`MIN_TYPICAL_ROM_DEG`]) and known (`tilt` is 0 where the strap
/// accelerates too much for its direction to be known: see [`STEADY_G`]).
/// The wearer's sway or breath about the rest before the first rep (after the
/// last), half swings under [`MIDDLE_BREATHS`]' `tiny` of the typical one, is
/// not the movement yet: the rest is where the first rep leaves it. A half
/// swing over which the strap `moves` as in a rep is one, however small (the
/// low-amplitude reps ending a physiotherapy set: skipped, the set seemed to
/// end between a small rep's top and a fast rep's). With `rest_at`, the sample
/// where the stretch rests must lie between the two turning points as well:
/// `p` with its ends trimmed of every small slow half swing ends at a
/// low-amplitude rep's top where those ended the set, and that top, between
/// the fast reps' floor and top, is not where the wearer rests.
fn rests_between(
    p: &[swings::Point],
    tilt: &dyn Fn(usize, usize) -> f64,
    moves: &dyn Fn(&swings::Point, &swings::Point) -> bool,
    start: bool,
    rest_at: Option<usize>,
) -> bool {
    let n = p.len();
    if n < 6 {
        return false;
    }
    let between = |rest: usize, t1: usize, t2: usize| {
        let full = tilt(t1, t2);
        let near = (1.0 - END_CENTRED) * full..END_CENTRED * full;
        full >= MIN_TYPICAL_ROM_DEG
            && near.contains(&tilt(rest, t1))
            && near.contains(&tilt(rest, t2))
            && rest_at.is_none_or(|r| near.contains(&tilt(r, t1)) && near.contains(&tilt(r, t2)))
    };
    // From the end in question, inward.
    let at = |j: usize| if start { p[j].i } else { p[n - 1 - j].i };
    let mut sizes = swings::swings(p);
    if !start {
        sizes.reverse();
    }
    let typical = median(&sizes);
    let mut k = 0;
    let sway = |j: usize| {
        let (a, b) = if start {
            (&p[j], &p[j + 1])
        } else {
            (&p[n - 2 - j], &p[n - 1 - j])
        };
        sizes[j] < MIDDLE_BREATHS.tiny * typical && !moves(a, b)
    };
    while k + 4 < n && sway(k) {
        k += 1;
    }
    let q = |j: usize| at(k + j);
    between(q(0), q(1), q(2)) && between(q(0), q(2), q(3))
}

/// The typical tilt of the half swings between `p`'s turning points, where
/// known (deg; `tilt` is 0 where it is not).
fn typical_tilt(p: &[swings::Point], tilt: &dyn Fn(usize, usize) -> f64) -> Option<f64> {
    let known: Vec<f64> = p
        .windows(2)
        .map(|w| tilt(w[0].i, w[1].i))
        .filter(|&v| v > 0.0)
        .collect();
    (known.len() >= RHYTHM_REPS).then(|| median(&known))
}

/// `p` without its first turning point where that is a wobble at the rest
/// before the reps: the stretch rests at an end (`at_rest`, the start's and
/// the end's; `len` samples long), the turning points that pair as the
/// cycles' starts and ends are further from that rest (by the strap's `up`
/// direction) than [`FROM_REST`] times its turns and a clear
/// tilt ([`MIN_TYPICAL_ROM_DEG`]), and the first point is at the rest (under
/// [`AT_REST`] of the starts' distance). Reps go out from the rest and back:
/// the first half swing, from the rest to a turn near it (a recording started
/// as the wearer stepped back, or wound up, before the first raise), is no
/// rep's, and paired from it every cycle would start at a rep's top and the
/// lead-in count as a rep.
fn from_rest(
    mut p: Vec<swings::Point>,
    at_rest: [bool; 2],
    len: usize,
    up: &dyn Fn(usize, usize) -> f64,
) -> Vec<swings::Point> {
    if p.len() < 5 {
        return p;
    }
    let rest = if at_rest[0] {
        0
    } else if at_rest[1] {
        len - 1
    } else {
        return p;
    };
    let away = |odd: usize| {
        let d: Vec<f64> = p
            .iter()
            .skip(odd)
            .step_by(2)
            .map(|q| up(rest, q.i))
            .collect();
        median(&d)
    };
    let (starts, turns) = (away(0), away(1));
    if starts >= MIN_TYPICAL_ROM_DEG
        && starts > FROM_REST * turns
        && up(rest, p[0].i) < AT_REST * starts
    {
        p.remove(0);
    }
    p
}

/// `p` without the steps into and out of the set's pose at its ends: the
/// wearer moving from where they stood or sat to where the reps start (or
/// back), which the band-pass turns into a swing and back. The step tilts the
/// strap as a rep does ([`STEP_TILT`] of the typical half swing), and the
/// filter's overshoot beside it, a half swing as big in the signal, barely
/// tilts it ([`STEP_RECOIL`]): it is no movement. Before the step, the
/// filter (zero-phase) overshoots too: where that shows as its own half
/// swing, it goes with the step. Only where the reps tilt the strap clearly
/// ([`MIN_TYPICAL_ROM_DEG`]) and the tilts are known.
fn drop_steps(mut p: Vec<swings::Point>, tilt: &dyn Fn(usize, usize) -> f64) -> Vec<swings::Point> {
    let Some(typical) = typical_tilt(&p, tilt).filter(|&t| t >= MIN_TYPICAL_ROM_DEG) else {
        return p;
    };
    let recoil = |a: &swings::Point, b: &swings::Point| {
        let r = tilt(a.i, b.i);
        r > 0.0 && r < STEP_RECOIL * typical
    };
    let step = |a: &swings::Point, b: &swings::Point| tilt(a.i, b.i) >= STEP_TILT * typical;
    // At least this many turning points stay: two reps.
    let keep = 5;
    if p.len() >= keep + 3 && recoil(&p[0], &p[1]) && step(&p[1], &p[2]) && recoil(&p[2], &p[3]) {
        p.drain(..3);
    } else if p.len() >= keep + 2 && step(&p[0], &p[1]) && recoil(&p[1], &p[2]) {
        p.drain(..2);
    }
    let n = p.len();
    if n >= keep + 3
        && recoil(&p[n - 2], &p[n - 1])
        && step(&p[n - 3], &p[n - 2])
        && recoil(&p[n - 4], &p[n - 3])
    {
        p.truncate(n - 3);
    } else if n >= keep + 2 && step(&p[n - 2], &p[n - 1]) && recoil(&p[n - 3], &p[n - 2]) {
        p.truncate(n - 2);
    }
    p
}

/// A stretch's turning points `p` without the half swing at one end that
/// changes the wearer's pose, where its `cycles` end in a lone half swing and
/// the strap ends up elsewhere than it started ([`STRANDED_MOVED`] of the
/// typical half swing's tilt): a set from rest to rest that is out-and-back
/// reps has an even number of half swings, and one left over there is getting
/// into position (to the far side of where the reps go: lying down for a leg
/// raise) or out of it, not a rep. The end that goes is the one whose rest is
/// further from where the reps turn on its side (the turning point two on).
/// Only at the set's own start or end (`edges`): within a set, a stretch can
/// end in a slow rep's hold, long enough to split it from the rep's return.
/// `None` where nothing goes. Only where the strap rests at the first and the
/// last turning point until the stretch's ends (`len` samples; within
/// [`STEP_RECOIL`] of the typical tilt), and the caller keeps it for a stretch
/// that is still at both ends: a recording cut mid-rep, or in a hold, leaves a
/// half swing that was a rep. Or where the stretch, the whole set, ends where
/// it began and one end's rest is [`STRANDED_MOVED`] from its turning point:
/// a step into the reps' pose (or out of it) too slow to show as a swing was
/// trimmed there, and the lone half swing at the other end, from that pose
/// back to the rest, is the way out (or in).
fn stranded_half(
    p: &[swings::Point],
    cycles: &Cycles,
    len: usize,
    edges: [bool; 2],
    tilt: &dyn Fn(usize, usize) -> f64,
) -> Option<Vec<swings::Point>> {
    let &(_, turn, end) = cycles.last()?;
    let m = p.len().checked_sub(1)?;
    if turn != end || m < 2 * RHYTHM_REPS - 1 {
        return None;
    }
    let typical = typical_tilt(p, tilt).filter(|&t| t >= MIN_TYPICAL_ROM_DEG)?;
    // The end points are where the strap rests before and after: a half
    // swing trimmed beyond one (a rep's return cut short by the recording)
    // moved it on.
    let at_rest = |i: usize, j: usize| {
        let d = tilt(i, j);
        i == j || (d > 0.0 && d < STEP_RECOIL * typical)
    };
    let moved = |i: usize, j: usize| tilt(i, j) >= STRANDED_MOVED * typical;
    match (at_rest(0, p[0].i), at_rest(p[m].i, len - 1)) {
        (true, true) => {}
        // The set's one stretch ends where it began, and the movement
        // trimmed from one end moved the strap as far as a half swing does:
        // getting into position (or out of it), too slow to show as a swing.
        // The lone half swing at the other end is the way back.
        (false, true)
            if edges == [true; 2]
                && at_rest(0, len - 1)
                && moved(0, p[0].i)
                && at_rest(p[0].i, p[m - 1].i) =>
        {
            return Some(p[..m].to_vec());
        }
        (true, false)
            if edges == [true; 2]
                && at_rest(0, len - 1)
                && moved(p[m].i, len - 1)
                && at_rest(p[1].i, p[m].i) =>
        {
            return Some(p[1..].to_vec());
        }
        _ => return None,
    }
    if !moved(p[0].i, p[m].i) {
        return None;
    }
    // How far an end's rest is from where the reps turn on its side, against
    // the half swing beside it: where both are known.
    let off = |rest: usize, turn: usize, other: usize| {
        let (away, swing) = (tilt(p[rest].i, p[turn].i), tilt(p[other].i, p[turn].i));
        (away > 0.0 && swing > 0.0).then(|| away / swing)
    };
    let first = off(0, 2, 1)? > off(m, m - 2, m - 1)?;
    match (first, edges) {
        (true, [true, _]) => Some(p[1..].to_vec()),
        (false, [_, true]) => Some(p[..m].to_vec()),
        _ => None,
    }
}

/// The turning points of `pc`, wiggles removed.
fn span_points(pc: &[f64]) -> Vec<swings::Point> {
    let range = dsp::percentile(pc, 95.0) - dsp::percentile(pc, 5.0);
    swings::simplify(
        swings::turning_points(pc, TURN_FRACTION * range),
        WIGGLE_RATIO,
    )
}

/// `c` less its mean over the samples not `in_gap`.
fn demean(mut c: Vec<f64>, in_gap: &[bool]) -> Vec<f64> {
    let seen = || c.iter().zip(in_gap).filter(|(_, g)| !**g).map(|(v, _)| v);
    let m = seen().sum::<f64>() / seen().count().max(1) as f64;
    c.iter_mut().for_each(|v| *v -= m);
    c
}

/// `c` with the samples `in_gap` zeroed, so that sums over it hold only what
/// the recording saw.
fn unseen_zeroed(c: &[f64], in_gap: &[bool]) -> Vec<f64> {
    c.iter()
        .zip(in_gap)
        .map(|(&v, &g)| if g { 0.0 } else { v })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cycle(start_s: f64, duration_s: f64, size: f64) -> Cycle {
        Cycle {
            start_s,
            turn_s: start_s + duration_s / 2.0,
            end_s: start_s + duration_s,
            rom_deg: 30.0,
            gentle: true,
            size,
            away_deg: 1.0,
            unseen: false,
            dwell: 0.0,
        }
    }

    fn group(start_s: f64, n: usize, duration_s: f64, size: f64) -> Vec<Cycle> {
        (0..n)
            .map(|i| cycle(start_s + i as f64 * duration_s, duration_s, size))
            .collect()
    }

    #[test]
    fn a_small_quick_movement_between_groups_is_not_a_rep() {
        let mut groups = vec![
            group(0.0, 10, 4.0, 2.0),
            vec![cycle(45.0, 1.0, 0.3)],
            group(60.0, 10, 2.0, 2.0),
        ];
        drop_strays(&mut groups);
        assert_eq!(groups.iter().map(Vec::len).collect::<Vec<_>>(), [10, 10]);
    }

    #[test]
    fn a_long_stir_of_the_strap_at_rest_is_not_reps() {
        // Seven cycles a hundredth the size of the set's reps, between two
        // groups: however many, not reps.
        let mut groups = vec![
            group(0.0, 10, 4.0, 2.0),
            group(45.0, 7, 1.0, 0.02),
            group(60.0, 10, 4.0, 2.0),
        ];
        drop_strays(&mut groups);
        assert_eq!(groups.iter().map(Vec::len).collect::<Vec<_>>(), [10, 10]);
    }

    #[test]
    fn a_lone_rep_like_the_others_stays() {
        // A pause split one rep from its set: as big and as long as the rest.
        let mut groups = vec![group(0.0, 8, 4.0, 2.0), vec![cycle(40.0, 4.0, 1.9)]];
        drop_strays(&mut groups);
        assert_eq!(groups.iter().map(Vec::len).sum::<usize>(), 9);
        // Small but not quick (a slow low-amplitude rep) stays too.
        let mut groups = vec![group(0.0, 8, 4.0, 2.0), vec![cycle(40.0, 4.0, 0.3)]];
        drop_strays(&mut groups);
        assert_eq!(groups.iter().map(Vec::len).sum::<usize>(), 9);
    }

    #[test]
    fn a_group_of_low_amplitude_reps_is_kept() {
        let mut groups = vec![group(0.0, 10, 3.0, 2.0), group(40.0, 10, 1.5, 0.3)];
        drop_strays(&mut groups);
        assert_eq!(groups.iter().map(Vec::len).sum::<usize>(), 20);
    }

    #[test]
    fn a_movement_in_the_rest_after_the_set_is_not_a_rep() {
        // Ten circles of 2.7 s, then, 10 s into the rest, a stretch of the
        // arm as big as a circle and taking 4 s (physio-pt's s2-e8 arm
        // circles at 100 Hz, and done faster, counted it).
        let with_last = |last: Cycle| {
            let mut g = group(100.0, 10, 2.7, 3.0);
            g.push(last);
            trim_unlike(&mut g, false);
            g.len()
        };
        assert_eq!(with_last(cycle(137.0, 4.0, 3.0)), 10);
        // At the set's pace, it is one more rep after a pause.
        assert_eq!(with_last(cycle(137.0, 2.8, 3.0)), 11);
        // Slow, but right after the last circle: the set's own last rep.
        assert_eq!(with_last(cycle(127.0, 4.0, 3.0)), 11);
        // The same before the set's first rep.
        let mut g = group(100.0, 10, 2.7, 3.0);
        g.insert(0, cycle(85.0, 1.2, 1.0));
        trim_unlike(&mut g, true);
        assert_eq!(g.len(), 10);
        assert_eq!(g[0].start_s, 100.0);
    }

    #[test]
    fn a_first_cycle_that_barely_tilts_is_a_rep_only_if_it_moves_like_one() {
        let with_first = |first: Cycle| {
            let mut g = group(4.0, 8, 4.0, 2.0);
            g.insert(0, first);
            trim_unlike(&mut g, true);
            g.len()
        };
        // A press: as big and as quick as the others, barely a tilt.
        let press = Cycle {
            rom_deg: 3.0,
            ..cycle(0.0, 4.0, 1.9)
        };
        assert_eq!(with_first(press), 9);
        // As big and as quick, and no tilt at all: a shove of a leg lying
        // prone before its first raise, which the rotation reads as a swing.
        let shove = Cycle {
            rom_deg: 0.2,
            ..cycle(0.0, 4.0, 2.5)
        };
        assert_eq!(with_first(shove), 8);
        // Unless the strap accelerates too hard for its tilt to be known (a
        // squat cut off at the recording's end turns as it brakes hardest).
        let lift = Cycle {
            gentle: false,
            ..shove
        };
        assert_eq!(with_first(lift), 9);
        // Shifting into position: a small movement, or a slow one.
        let shift = Cycle {
            rom_deg: 3.0,
            ..cycle(0.0, 4.0, 0.8)
        };
        assert_eq!(with_first(shift), 8);
        let slow = Cycle {
            rom_deg: 3.0,
            ..cycle(-4.0, 8.0, 1.9)
        };
        assert_eq!(with_first(slow), 8);
    }

    #[test]
    fn a_slow_shuffle_between_reps_is_a_pause_not_a_rep() {
        let mut g = group(0.0, 5, 4.0, 2.0);
        g.push(cycle(20.0, 9.0, 0.5));
        g.extend(group(29.0, 5, 4.0, 2.0));
        drop_pauses(&mut g);
        assert_eq!(g.len(), 10);
        assert!(g.iter().all(|c| c.size == 2.0));
        // A small quick rep, and a big slow one, are reps.
        let mut g = group(0.0, 5, 4.0, 2.0);
        g.push(cycle(20.0, 4.0, 0.5));
        g.push(cycle(24.0, 9.0, 2.0));
        drop_pauses(&mut g);
        assert_eq!(g.len(), 7);
    }

    #[test]
    fn a_short_pause_mid_set_is_no_rep_and_a_rep_slowed_down_for_is() {
        // Regular reps, then a half-sized cycle 1.6 times as long between two of
        // them (a breath while turning from forward to backward rolls), which
        // holds still about its turn for `dwell` of its time; the reps beside
        // it of `beside` size.
        let paused = |start_s: f64, duration_s: f64, size: f64, dwell: f64| Cycle {
            dwell,
            ..cycle(start_s, duration_s, size)
        };
        let with_middle = |duration_s: f64, size: f64, dwell: f64, beside: f64| {
            let mut g = group(0.0, 4, 3.0, 2.0);
            g.push(cycle(12.0, 3.0, beside));
            g.push(paused(15.0, duration_s, size, dwell));
            g.push(cycle(15.0 + duration_s, 3.0, beside));
            g.extend(group(18.0 + duration_s, 4, 3.0, 2.0));
            drop_pauses(&mut g);
            g.len()
        };
        assert_eq!(with_middle(4.8, 1.2, 0.4, 2.0), 10);
        // Swaying, the reps into and out of the pause can be smaller.
        assert_eq!(with_middle(4.8, 1.2, 0.4, 1.5), 10);
        // As small and as slow, moving all through: a slow rep.
        assert_eq!(with_middle(4.8, 1.2, 0.15, 2.0), 11);
        // As slow and still, keeping most of its range: a rep held at its turn.
        assert_eq!(with_middle(4.8, 1.7, 0.4, 2.0), 11);
        // As small but at the set's pace: a low-amplitude rep.
        assert_eq!(with_middle(3.3, 1.2, 0.4, 2.0), 11);
        // Beside reps far smaller than the set's, nothing is sure: it stays.
        assert_eq!(with_middle(4.8, 1.2, 0.4, 1.2), 11);
        // Beside an irregular rep, too.
        let mut g = group(0.0, 5, 3.0, 2.0);
        g.push(paused(15.0, 4.8, 1.2, 0.4));
        g.push(cycle(19.8, 6.0, 2.0));
        g.extend(group(25.8, 4, 3.0, 2.0));
        drop_pauses(&mut g);
        assert_eq!(g.len(), 11);
        // The same cycle after the set's last rep is settling into the rest;
        // after only three reps, there is too little to tell; moving all
        // through, it is the last rep, slowed down.
        for (reps, dwell, kept) in [(5, 0.4, 5), (3, 0.4, 4), (5, 0.15, 6)] {
            let mut g = group(0.0, reps, 3.0, 2.0);
            g.push(paused(3.0 * reps as f64, 4.8, 1.2, dwell));
            drop_pauses(&mut g);
            assert_eq!(g.len(), kept, "after {reps} reps, dwelling {dwell}");
        }
    }

    #[test]
    fn a_rest_between_two_sets_splits_them_and_a_slow_rep_near_an_end_does_not() {
        let with_slow_after = |before: usize| {
            let mut g = group(0.0, before, 3.0, 2.0);
            g.push(cycle(3.0 * before as f64, 20.0, 1.0));
            g.extend(group(3.0 * before as f64 + 20.0, 8, 3.0, 2.0));
            split_at_rests(vec![g])
                .iter()
                .map(Vec::len)
                .collect::<Vec<_>>()
        };
        // The rest ends the set before it.
        assert_eq!(with_slow_after(8), [9, 8]);
        // Two reps and a slow cycle are no set of their own: left to trim_unlike.
        assert_eq!(with_slow_after(2), [11]);
        // A slowish rep (under END_SLOW of the typical) splits nothing.
        let mut g = group(0.0, 8, 3.0, 2.0);
        g.insert(4, cycle(12.0, 8.0, 2.0));
        assert_eq!(split_at_rests(vec![g]).len(), 1);
    }

    #[test]
    fn a_far_slower_last_cycle_is_putting_the_weight_down() {
        let with_last = |duration_s: f64| {
            let mut g = group(0.0, 8, 3.0, 2.0);
            g.iter_mut().for_each(|c| c.rom_deg = 2.0); // a press barely tilts
            g.push(cycle(24.0, duration_s, 1.5));
            trim_unlike(&mut g, false);
            g.len()
        };
        assert_eq!(with_last(10.0), 8);
        // A slowish last rep is still a rep.
        assert_eq!(with_last(6.0), 9);
    }

    #[test]
    fn a_slow_drift_and_two_movements_are_no_rhythm() {
        // A wearer at rest, with stillness around: the drift of a minute's
        // standing reads as two long cycles, then two shifts of the arm.
        let mut groups = vec![vec![
            cycle(5.0, 12.7, 1.0),
            cycle(17.7, 14.2, 1.0),
            cycle(31.9, 4.4, 2.5),
            cycle(36.3, 1.8, 2.0),
        ]];
        drop_strays(&mut groups);
        assert!(groups.is_empty());
        // Three cycles of about one length among them are a rhythm.
        let mut groups = vec![vec![
            cycle(5.0, 12.7, 1.0),
            cycle(17.7, 4.0, 1.0),
            cycle(21.7, 4.4, 2.5),
            cycle(26.1, 3.0, 2.0),
        ]];
        drop_strays(&mut groups);
        assert_eq!(groups[0].len(), 4);
    }

    #[test]
    fn a_gap_inside_the_rhythm_hides_reps_and_one_at_the_end_does_not() {
        let gapped = |g: &[Cycle]| g.iter().filter(|c| c.unseen).count();
        // Reps of 3 s; samples lost for 3.5 s from 12.5 s: the cycle across
        // lasts two reps.
        let mut g = group(0.0, 4, 3.0, 2.0);
        g.push(cycle(12.0, 6.0, 2.0));
        g.extend(group(18.0, 4, 3.0, 2.0));
        count_across_gaps(&mut g, &[(12.5, 16.0)]);
        assert_eq!((g.len(), gapped(&g)), (10, 1));
        assert_eq!(g[4].end_s, 15.0);
        // As long as its neighbours: the gap hid no rep.
        let mut g = group(0.0, 9, 3.0, 2.0);
        count_across_gaps(&mut g, &[(12.5, 14.0)]);
        assert_eq!((g.len(), gapped(&g)), (9, 0));
        // At the end of the set, the gap may hide its end: nothing is guessed.
        let mut g = group(0.0, 8, 3.0, 2.0);
        g.push(cycle(24.0, 6.0, 2.0));
        count_across_gaps(&mut g, &[(24.5, 30.0)]);
        assert_eq!(g.len(), 9);
        // The set's last cycle across it, its end seen well after it: the
        // rhythm before it is enough.
        let mut g = group(0.0, 2, 3.0, 2.0);
        g.push(cycle(6.0, 6.0, 2.0));
        count_across_gaps(&mut g, &[(7.5, 10.0)]);
        assert_eq!((g.len(), gapped(&g)), (4, 1));
        // Longer than three reps: a pause may be hidden as well.
        let mut g = group(0.0, 4, 3.0, 2.0);
        g.push(cycle(12.0, 15.0, 2.0));
        g.extend(group(27.0, 4, 3.0, 2.0));
        count_across_gaps(&mut g, &[(12.5, 25.0)]);
        assert_eq!(g.len(), 9);
        // A gap of 1 s hid the turning point between two reps of 3 s: the
        // cycle across it lasts two, though the gap is a sixth of it.
        let mut g = group(0.0, 4, 3.0, 2.0);
        g.push(cycle(12.0, 6.0, 2.0));
        g.extend(group(18.0, 4, 3.0, 2.0));
        count_across_gaps(&mut g, &[(14.5, 15.5)]);
        assert_eq!((g.len(), gapped(&g)), (10, 1));
        // The same gap inside a rest's slow drifts, which have no rhythm to
        // count by: nothing is guessed.
        let mut g = vec![cycle(0.0, 12.0, 1.0), cycle(12.0, 14.0, 1.0)];
        g.extend([cycle(26.0, 4.5, 1.0), cycle(30.5, 1.8, 1.0)]);
        count_across_gaps(&mut g, &[(19.0, 21.5)]);
        assert_eq!(g.len(), 4);
    }

    #[test]
    fn a_rep_counted_twice_against_the_period_is_joined() {
        // Cycles of 10 samples where the period is 20: each rep's two jolts.
        let halves: Cycles = (0..12).map(|k| (10 * k, 10 * k + 5, 10 * k + 10)).collect();
        let joined = join_echoes(&halves, 20.0, 1.0, false).unwrap();
        assert_eq!(joined.len(), 6);
        assert_eq!((joined[0], joined[5]), ((0, 10, 20), (100, 110, 120)));
        // Cycles of the period's length stay as they are, and so do a few
        // short ones among them (fast reps among slow ones).
        let reps: Cycles = (0..8).map(|k| (20 * k, 20 * k + 10, 20 * k + 20)).collect();
        assert!(join_echoes(&reps, 20.0, 1.0, false).is_none());
        let mut mixed = reps;
        mixed.extend((0..3).map(|k| (160 + 10 * k, 165 + 10 * k, 170 + 10 * k)));
        assert!(join_echoes(&mixed, 20.0, 1.0, false).is_none());
    }

    #[test]
    fn without_a_gyro_cycles_crowding_the_period_are_echoes_however_they_last() {
        // Period 20: reps that show as one cycle, and reps that show as two
        // of 10 (the wrist jolting twice), six of each: 12 cycles where the
        // period fits 9, their median 15 (no half period) and the period not
        // clear (alike 0.3).
        let lengths = [20, 10, 10, 20, 20, 10, 10, 20, 20, 10, 10, 20];
        let mut crowded = Cycles::new();
        let mut at = 0;
        for len in lengths {
            crowded.push((at, at + len / 2, at + len));
            at += len;
        }
        let joined = join_echoes(&crowded, 20.0, 0.3, true).unwrap();
        let joined_lengths: Vec<usize> = joined.iter().map(|c| c.2 - c.0).collect();
        assert_eq!(joined_lengths, [20; 9]);
        // Measured with a gyro, whose rotation shows the rhythm, they stay:
        // so crowded, the period is two reps'.
        assert!(join_echoes(&crowded, 20.0, 0.3, false).is_none());
        // Without a gyro, cycles the period's length, a few quicker ones
        // among them, stay too.
        let mut reps: Cycles = (0..8).map(|k| (20 * k, 20 * k + 10, 20 * k + 20)).collect();
        reps.extend((0..3).map(|k| (160 + 10 * k, 165 + 10 * k, 170 + 10 * k)));
        assert!(join_echoes(&reps, 20.0, 0.3, true).is_none());
    }

    #[test]
    fn a_stir_at_rest_is_no_rep_however_long() {
        // A tenth of a rep's size over a rep's time, before the set: the strap
        // stirring, not a slow low-amplitude rep.
        let mut groups = vec![vec![cycle(0.0, 2.6, 0.15)], group(15.0, 10, 3.0, 2.0)];
        drop_strays(&mut groups);
        assert_eq!(groups.iter().map(Vec::len).collect::<Vec<_>>(), [10]);
    }

    #[test]
    fn a_movement_rests_between_its_turning_points_only_where_it_swings_about_a_middle() {
        // Tilts along one axis (deg) at the turning points, a point a sample.
        let points = |tilts: &[f64]| -> Vec<swings::Point> {
            (0..tilts.len())
                .map(|i| swings::Point { i, v: tilts[i] })
                .collect()
        };
        let rolls = [0.0, 10.0, -10.0, 10.0, -10.0, 10.0, -10.0, 0.0];
        let raises = [0.0, 20.0, 0.0, 20.0, 0.0, 20.0, 0.0, 20.0, 0.0];
        let apart = |t: &[f64]| {
            let t = t.to_vec();
            move |i: usize, j: usize| (t[i] - t[j]).abs()
        };
        let still = |_: &swings::Point, _: &swings::Point| false;
        for start in [true, false] {
            assert!(rests_between(
                &points(&rolls),
                &apart(&rolls),
                &still,
                start,
                None
            ));
            assert!(!rests_between(
                &points(&raises),
                &apart(&raises),
                &still,
                start,
                None
            ));
            // Where the tilts are not known (the strap accelerating), nothing
            // says the movement swings about a middle.
            assert!(!rests_between(
                &points(&rolls),
                &|_, _| 0.0,
                &still,
                start,
                None
            ));
        }
        // Rolls after a lead-in that ends at a turning point: only their end
        // is at the middle.
        let cut = [10.0, -10.0, 10.0, -10.0, 10.0, -10.0, 0.0];
        assert!(!rests_between(
            &points(&cut),
            &apart(&cut),
            &still,
            true,
            None
        ));
        assert!(rests_between(
            &points(&cut),
            &apart(&cut),
            &still,
            false,
            None
        ));
        // Raises trimmed down to where a small rep's top (15 deg) ends them,
        // which lies between a raise's floor and top: the stretch itself
        // rests at the floor (its last sample, not a turning point), so the
        // movement does not swing about that top.
        let small_top = [0.0, 40.0, 0.0, 40.0, 0.0, 40.0, 0.0, 40.0, 0.0, 15.0, 0.0];
        let trimmed = &points(&small_top)[..10];
        let tilts = apart(&small_top);
        assert!(rests_between(trimmed, &tilts, &still, false, None));
        assert!(!rests_between(trimmed, &tilts, &still, false, Some(10)));
    }

    #[test]
    fn the_strap_is_steady_where_it_turns_slowly_and_not_where_it_accelerates() {
        let mut rec = SetRecorder::new();
        for k in 0..100 {
            let t = f64::from(k) / RATE_HZ;
            // Turning slowly for 2 s, then pushed along z at 0.3 g.
            let a = if t < 2.0 {
                [(0.5 * t).sin(), 0.0, (0.5 * t).cos()]
            } else {
                [0.0, 0.0, 1.3]
            };
            rec.push(t, a, None, a);
        }
        assert!(rec.steady_at(25));
        assert!(!rec.steady_at(75));
    }

    #[test]
    fn a_quiet_held_at_the_far_end_of_a_rep_is_inside_it_and_one_at_rest_is_not() {
        // Tilts of 30 deg every 5 s; the strap still for 3 s at the top of
        // the third rep (12.5 s) and at rest after the fifth (from 26 s).
        let rep = |t: f64| 15.0 - 15.0 * (std::f64::consts::TAU * t / 5.0).cos();
        let tilt = |t: f64| match t {
            t if t < 12.5 => rep(t),
            t if t < 15.5 => 30.0,
            t if t < 26.0 => rep(t - 3.0),
            t if t < 29.0 => 0.0,
            t => rep(t - 6.0),
        };
        let mut rec = SetRecorder::new();
        for k in 0..(40.0 * RATE_HZ) as u32 {
            let t = f64::from(k) / RATE_HZ;
            let up = [tilt(t).to_radians().sin(), 0.0, tilt(t).to_radians().cos()];
            rec.push(t, up, None, up);
        }
        let s = |t: f64| (t * RATE_HZ) as usize;
        let spans = vec![
            (s(0.0), s(12.5)),
            (s(15.5), s(26.0)),
            (s(29.0), s(40.0) - 1),
        ];
        assert_eq!(
            join_held(spans.clone(), &rec, 5.0),
            [(s(0.0), s(26.0)), (s(29.0), s(40.0) - 1)]
        );
        // Held longer than a rep takes: a rest in another pose, not a pause.
        assert_eq!(join_held(spans, &rec, 2.5).len(), 3);
    }

    #[test]
    fn a_walk_to_the_set_is_no_reps_and_a_fast_last_group_is() {
        // Striding to the mat (cycles of 1 s, the body jolting 0.2 g) before
        // rolls of 3 s that barely jolt it.
        let mut groups = vec![group(0.0, 10, 1.0, 1.0), group(20.0, 20, 3.0, 2.0)];
        drop_walks(&mut groups, &[0.2, 0.008]);
        assert_eq!(groups.iter().map(Vec::len).collect::<Vec<_>>(), [20]);
        // Ten reps, then ten at twice the tempo: four times the jolt.
        let mut groups = vec![group(0.0, 10, 6.0, 2.0), group(70.0, 10, 3.0, 2.0)];
        drop_walks(&mut groups, &[0.03, 0.12]);
        assert_eq!(groups.iter().map(Vec::len).collect::<Vec<_>>(), [10, 10]);
        // A breath before fourteen big quick raises, which jolt the arm: the
        // set is the raises (counted 0 of 14 when it was taken for a walk).
        let mut groups = vec![group(0.0, 1, 4.0, 0.4), group(7.0, 14, 2.0, 2.4)];
        drop_walks(&mut groups, &[0.004, 0.1]);
        assert_eq!(groups.iter().map(Vec::len).collect::<Vec<_>>(), [1, 14]);
    }

    #[test]
    fn low_amplitude_reps_fading_under_the_big_ones_threshold_still_count() {
        // Four raises of 40 deg, 15 s of rest, then six raises fading from
        // 7 to 2.5 deg (a wearer's low-amplitude reps), each over 5 s, then
        // rest; 0.002 g of noise throughout. The big raises set the threshold
        // that finds stretches, and the last four small ones stay under it
        // (counted 6 before a stretch ran on over twice the rest's level).
        let small = [7.0, 5.0, 3.5, 3.0, 2.5, 2.5];
        let tilt = |t: f64| {
            let rep =
                |size: f64, t: f64| 0.5 * size * (1.0 - (std::f64::consts::TAU * t / 5.0).cos());
            match t {
                t if t < 5.0 => 0.0,
                t if t < 25.0 => rep(40.0, t - 5.0),
                t if t < 40.0 => 0.0,
                t if t < 70.0 => rep(small[((t - 40.0) / 5.0) as usize], t - 40.0),
                _ => 0.0,
            }
        };
        let mut rng = crate::synth::Rng::new(5);
        let mut rec = SetRecorder::new();
        for k in 0..(80.0 * RATE_HZ) as u32 {
            let t = f64::from(k) / RATE_HZ;
            let a = tilt(t).to_radians();
            let up = [a.sin(), 0.0, a.cos()];
            let n = [
                0.002 * rng.normal(),
                0.002 * rng.normal(),
                0.002 * rng.normal(),
            ];
            let x = [up[0] + n[0], up[1] + n[1], up[2] + n[2]];
            rec.push(t, x, None, up);
        }
        assert_eq!(settle(&rec, 1.0).len(), 10);
    }

    #[test]
    fn a_slow_strap_s_noise_is_measured_from_its_own_samples() {
        // 12.5 Hz, 0.01 g of white noise on a slow movement; a 50 Hz strap is
        // measured above the band instead.
        let record = |rate: f64| {
            let mut rng = crate::synth::Rng::new(3);
            let mut rec = SetRecorder::new();
            for k in 0..(60.0 * rate) as u32 {
                let t = f64::from(k) / rate;
                let tilt = 0.3 * (0.5 * t).sin();
                let n = [
                    0.01 * rng.normal(),
                    0.01 * rng.normal(),
                    0.01 * rng.normal(),
                ];
                let a = [tilt.sin() + n[0], n[1], tilt.cos() + n[2]];
                rec.push(t, a, None, a);
            }
            rec
        };
        let slow = slow_noise_energy(&record(12.5), &[1.0]).unwrap();
        // Three channels of 0.01 g, 4 of 6.25 Hz of it in the band, and 7.5 Hz
        // above it at 25 Hz for every 4 in it.
        let want = 3.0 * 0.01f64.powi(2) * (4.0 / 6.25) * (7.5 / 4.0);
        assert!((slow / want - 1.0).abs() < 0.15, "{slow} vs {want}");
        assert!(slow_noise_energy(&record(50.0), &[1.0]).is_none());
    }

    #[test]
    fn a_stretch_shorter_than_the_set_s_period_is_smoothed_at_it() {
        // One slow rep over 5 s with a 1.2 Hz tremor a quarter its size: on its
        // own, the tremor is the stretch's rhythm; at the set's 6 s, one rep.
        let n = (5.0 * RATE_HZ) as usize;
        let x: Vec<f64> = (0..n)
            .map(|i| {
                let t = i as f64 / RATE_HZ;
                1.0 - (std::f64::consts::TAU * t / 5.0).cos()
                    + 0.5 * (std::f64::consts::TAU * 1.2 * t).sin()
            })
            .collect();
        let z = vec![x, vec![0.0; n], vec![0.0; n]];
        let unknown = Turns {
            tilt: &|_, _| 0.0,
            up: &|_, _| 0.0,
        };
        let (own, _) = stretch_cycles(
            &z,
            (0, n),
            &vec![false; n],
            &unknown,
            None,
            Pace::Even,
            [true; 2],
        );
        let (borrowed, _) = stretch_cycles(
            &z,
            (0, n),
            &vec![false; n],
            &unknown,
            Some((6.0, 0.0)),
            Pace::Even,
            [true; 2],
        );
        assert!(own.len() > 1, "{own:?}");
        assert_eq!(borrowed.len(), 1, "{borrowed:?}");
    }

    #[test]
    fn a_cycle_ends_where_its_movement_arrives_not_where_a_pause_drifts_to() {
        // Five cycles of 20 samples from +1 to -1 and back, then 80 samples of a
        // pause drifting slowly down from +1 to +0.6, then four more cycles
        // from there.
        let mut pc: Vec<f64> = (0..100)
            .map(|i| (std::f64::consts::TAU * f64::from(i) / 20.0).cos())
            .collect();
        pc.extend((0..80).map(|i| 1.0 - 0.4 * f64::from(i) / 79.0));
        pc.extend(
            (1..=80)
                .map(|i| 0.6 - 0.8 * (1.0 - (std::f64::consts::TAU * f64::from(i) / 20.0).cos())),
        );
        let points = span_points(&pc);
        let cycles = swings::cycles(&points);
        // Counted from the turning points, the pause's drift joins a cycle.
        assert!(cycles.iter().any(|c| c.2 - c.0 > 60), "{cycles:?}");
        let timed = moving_ends(cycles.clone(), &pc, &|_, _| true, &|_, _| 0.0);
        assert_eq!(timed.len(), cycles.len());
        assert!(timed.iter().all(|c| c.2 - c.0 <= 30), "{timed:?}");
        // Across a gap in the recording, nothing is moved.
        assert_eq!(
            moving_ends(cycles.clone(), &pc, &|_, _| false, &|_, _| 0.0),
            cycles
        );
    }

    #[test]
    fn a_cycle_starts_where_its_movement_leaves_for_the_last_time() {
        // Four cycles of 20 samples from +1 to -1 and back; a pause at +1 for
        // 60 samples with a breath 0.5 deep in it (further out of the pause
        // than a fifth of a half swing); a half swing down and back, 20
        // samples; three more cycles.
        let wave = |n: usize| (0..n).map(|i| (std::f64::consts::TAU * i as f64 / 20.0).cos());
        let mut pc: Vec<f64> = wave(80).collect();
        pc.extend((0..60).map(|k| {
            if (20..40).contains(&k) {
                1.0 - 0.5
                    * (std::f64::consts::PI * f64::from(k - 20) / 20.0)
                        .sin()
                        .powi(2)
            } else {
                1.0
            }
        }));
        pc.extend(wave(81));
        let mut cycles: Cycles = (0..4).map(|k| (20 * k, 20 * k + 10, 20 * k + 20)).collect();
        cycles.push((80, 150, 160));
        cycles.extend((0..3).map(|k| (160 + 20 * k, 170 + 20 * k, 180 + 20 * k)));
        let timed = moving_ends(cycles, &pc, &|_, _| true, &|_, _| 0.0);
        let (start, _, end) = timed[4];
        assert!((135..145).contains(&start), "{:?}", timed[4]);
        assert_eq!(end, 160);
    }

    #[test]
    fn a_cycle_starts_where_a_pause_the_signal_creeps_through_ends() {
        // Four cycles of 20 samples from +1 to -1 and back; a pause of 80
        // samples whose signal creeps from +1 down to +0.4, further than a
        // fifth of a half swing, then stays; a cycle down from there and
        // back; three more cycles.
        let wave = |n: usize| (0..n).map(|i| (std::f64::consts::TAU * i as f64 / 20.0).cos());
        let mut pc: Vec<f64> = wave(80).collect();
        pc.extend((0..80).map(|k| 0.4 + 0.6 * (-f64::from(k) / 10.0).exp()));
        pc.extend(
            (1..=20)
                .map(|i| 0.4 - 0.7 * (1.0 - (std::f64::consts::TAU * f64::from(i) / 20.0).cos())),
        );
        pc.extend(wave(61).map(|v| v - 0.6));
        let mut cycles: Cycles = (0..4).map(|k| (20 * k, 20 * k + 10, 20 * k + 20)).collect();
        cycles.push((80, 170, 180));
        cycles.extend((0..3).map(|k| (180 + 20 * k, 190 + 20 * k, 200 + 20 * k)));
        // The strap held still through the pause: the cycle starts where it ends.
        let timed = moving_ends(cycles.clone(), &pc, &|_, _| true, &|_, _| 0.5);
        let (start, _, end) = timed[4];
        assert!((155..=165).contains(&start), "{:?}", timed[4]);
        assert_eq!(end, 180);
        // A strap turning through it was not pausing: nothing moves.
        let turning = |i: usize, j: usize| i.abs_diff(j) as f64;
        assert_eq!(
            moving_ends(cycles.clone(), &pc, &|_, _| true, &turning),
            cycles
        );
    }

    #[test]
    fn time_between_cycles_as_long_as_a_rest_splits_the_sets() {
        let mut g = group(0.0, 5, 3.0, 2.0);
        g.extend(group(25.0, 5, 3.0, 2.0));
        let pieces = split_at_rests(vec![g]);
        assert_eq!(pieces.iter().map(Vec::len).collect::<Vec<_>>(), [5, 5]);
    }

    #[test]
    fn movements_with_no_rhythm_count_nothing() {
        let mut groups = vec![group(0.0, 2, 9.0, 2.0), vec![cycle(30.0, 3.0, 1.0)]];
        drop_strays(&mut groups);
        assert!(groups.is_empty());
        // Three like cycles in one stretch are a rhythm.
        let mut groups = vec![group(0.0, 3, 3.0, 2.0)];
        drop_strays(&mut groups);
        assert_eq!(groups[0].len(), 3);
    }

    /// Minimum-jerk easing from 0 to 1 over `u` in 0..1.
    fn eased(u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        u * u * u * (10.0 - 15.0 * u + 6.0 * u * u)
    }

    /// A strap turning about one axis through `angle(t)` (deg) until `end`
    /// (s), kept at [`RATE_HZ`] with an accelerometer's and a gyroscope's
    /// noise (seeded by `seed`).
    fn hinge_set(angle: &dyn Fn(f64) -> f64, end: f64, seed: u64) -> SetRecorder {
        limb_set(angle, end, seed, 0.0)
    }

    /// [`hinge_set`] for a strap `lever_m` from the hinge, which senses the
    /// limb's own acceleration too: along the limb towards the hinge as it
    /// turns, across it as it speeds up and brakes.
    fn limb_set(angle: &dyn Fn(f64) -> f64, end: f64, seed: u64, lever_m: f64) -> SetRecorder {
        let mut noise = crate::synth::Rng::new(seed);
        let mut rec = SetRecorder::new();
        let dt = 1.0 / RATE_HZ;
        for k in 0..(end * RATE_HZ) as u32 {
            let t = f64::from(k) * dt;
            let a = angle(t).to_radians();
            let rate = (angle(t + dt / 2.0) - angle(t - dt / 2.0)) / dt;
            let up = [0.0, a.sin(), a.cos()];
            let (w, dw) = (
                rate.to_radians(),
                (angle(t + dt) - 2.0 * angle(t) + angle(t - dt)).to_radians() / (dt * dt),
            );
            let own = [0.0, -w * w * lever_m, dw * lever_m].map(|v| v / 9.81);
            let accel = std::array::from_fn(|i| up[i] + own[i] + 0.015 * noise.normal());
            let gyro = [
                rate + 0.3 * noise.normal(),
                0.3 * noise.normal(),
                0.3 * noise.normal(),
            ];
            rec.push(t, accel, Some(gyro), up);
        }
        rec
    }

    #[test]
    fn reps_with_pauses_of_any_length_between_them_are_counted_at_their_own_pace() {
        // Six raises of about 30 deg, each out and back in about 2 s, half of
        // them followed by a pause of up to 1.5 s: no lag of the
        // autocorrelation matches one rep to the next, and the period it finds
        // (6.8 s) is a run of three, at which the reps are smoothed away until
        // no three like movements are left. Measured: counted at the
        // autocorrelation's period alone, 0.
        let mut rng = crate::synth::Rng::new(7);
        let mut uniform = |lo: f64, hi: f64| lo + (hi - lo) * (0.5 + 0.5 * rng.normal().tanh());
        // (start, out-and-back time, size) of each rep.
        let mut reps = Vec::new();
        let mut t = 3.0;
        for _ in 0..6 {
            let (d, size) = (1.9 * uniform(0.8, 1.25), 31.0 * uniform(0.75, 1.2));
            reps.push((t, d, size));
            t += d + if uniform(0.0, 1.0) < 0.5 {
                uniform(0.0, 1.5)
            } else {
                0.05
            };
        }
        let end = t + 3.0;
        let angle = |t: f64| {
            reps.iter()
                .map(|&(s, d, size)| {
                    let u = (t - s) / d;
                    size * if u < 0.5 {
                        eased(2.0 * u)
                    } else {
                        eased(2.0 - 2.0 * u)
                    }
                })
                .sum::<f64>()
        };
        let rec = hinge_set(&angle, end, 11);
        let cycles = settle(&rec, 1.0);
        assert_eq!(cycles.len(), 6, "{cycles:?}");
    }

    /// The angle (deg) of a strap eased from one angle to the next through
    /// `moves`, each (how long it takes (s), from, to), and the time it ends.
    fn moves(moves: Vec<(f64, f64, f64)>) -> (impl Fn(f64) -> f64, f64) {
        let end = moves.iter().map(|m| m.0).sum();
        let angle = move |t: f64| {
            let mut from = 0.0;
            for &(d, a, b) in &moves {
                if t < from + d {
                    return a + (b - a) * eased((t - from) / d);
                }
                from += d;
            }
            moves.last().map_or(0.0, |m| m.2)
        };
        (angle, end)
    }

    /// Eight raises of 30 deg, each held 2 s at the top, from a pose
    /// `step_deg` from where the wearer stood, and the step into it before them.
    fn raises_after_a_step(step_deg: f64) -> Vec<(f64, f64, f64)> {
        let mut m = vec![
            (4.0, 0.0, 0.0),
            (2.5, 0.0, step_deg),
            (2.0, step_deg, step_deg),
        ];
        for k in 0..8 {
            let top = step_deg + 30.0 + f64::from(k % 3);
            m.extend([(1.2, step_deg, top), (2.0, top, top), (1.2, top, step_deg)]);
            m.push((0.3 + 0.2 * f64::from(k % 2), step_deg, step_deg));
        }
        m.push((4.0, step_deg, step_deg));
        m
    }

    #[test]
    fn a_step_into_the_set_s_pose_is_no_rep() {
        // The band-pass turns the step into a swing and back: the step tilts
        // the strap as much as a rep, and the overshoot after it not at all.
        // Measured without [`drop_steps`]: 9 of 8.
        let (angle, end) = moves(raises_after_a_step(35.0));
        let cycles = settle(&hinge_set(&angle, end, 3), 1.0);
        assert_eq!(cycles.len(), 8, "{cycles:?}");
        assert!(
            cycles[0].start_s > 8.0,
            "the first rep starts after the step: {cycles:?}"
        );
        // With no step, the same raises count the same.
        let (angle, end) = moves(raises_after_a_step(0.0));
        assert_eq!(settle(&hinge_set(&angle, end, 3), 1.0).len(), 8);
    }

    #[test]
    fn a_half_swing_left_over_between_two_rests_in_other_poses_is_getting_into_position() {
        // Lying down for the set, breathing: the strap turns 23 deg one way
        // into the reps' pose, and each raise turns it 33 deg the other way and
        // back, held at the top. To the counter the step is the second half
        // of a rep, and the set ends in a lone half swing, which a recording
        // cut mid-rep would count. Measured without [`stranded_half`]: 9 of 8.
        let mut m = vec![(4.0, 0.0, 0.0), (3.0, 0.0, -23.0), (2.0, -23.0, -23.0)];
        for k in 0..8 {
            let top = 10.0 + f64::from(k % 3);
            m.extend([(2.7, -23.0, top), (1.7, top, top), (2.7, top, -23.0)]);
            m.push((0.2 + 0.4 * f64::from(k % 2), -23.0, -23.0));
        }
        m.push((4.0, -23.0, -23.0));
        let (raises, end) = moves(m);
        let breathing = |t: f64| {
            1.2 * (std::f64::consts::TAU * 0.3 * t).sin()
                + 0.8 * (std::f64::consts::TAU * 0.07 * t + 1.0).sin()
        };
        let angle = |t: f64| raises(t) + breathing(t);
        let cycles = settle(&hinge_set(&angle, end, 5), 1.0);
        assert_eq!(cycles.len(), 8, "{cycles:?}");
        // A recording cut as the last raise comes down, or while it is held,
        // does not rest where the reps turn: it keeps the raise.
        for back in [0.0, 1.0, 2.0, 3.0] {
            let cut = end - 4.0 - 0.6 - back;
            let n = settle(&hinge_set(&angle, cut, 5), 1.0).len();
            assert_eq!(n, 8, "cut {back} s before the last raise is down");
        }
    }

    #[test]
    fn a_slow_step_into_position_and_the_step_back_after_the_set_are_no_rep() {
        // A strap 0.2 m from the hinge rests 30 deg above where the reps
        // start. The wearer lowers it there slowly (a half swing under half
        // the reps', trimmed as no rep), waits, raises it 50 deg and back
        // eight times, and raises it back to where they stood as quickly as
        // a rep. Rest to rest, the strap ends where it began, and the step
        // back is a lone half swing from where the reps start: the way out of
        // the position the trimmed step went into, not a rep. Measured
        // without that in [`stranded_half`]: 9 of 8 for 6 of these 16 sets.
        for (step_s, seed) in [3.0, 5.0]
            .into_iter()
            .flat_map(|s| (1..=8).map(move |k| (s, k)))
        {
            let mut m = vec![
                (4.0, -15.0, -15.0),
                (step_s, -15.0, -45.0),
                (2.0, -45.0, -45.0),
            ];
            for k in 0..8 {
                let top = 4.0 + 3.0 * f64::from(k % 3);
                m.extend([(1.2, -45.0, top), (1.2, top, -45.0), (0.3, -45.0, -45.0)]);
            }
            m.extend([(1.2, -45.0, -15.0), (6.0, -15.0, -15.0)]);
            let (raises, end) = moves(m);
            let angle = |t: f64| raises(t) + 0.8 * (std::f64::consts::TAU * 0.3 * t).sin();
            let cycles = settle(&limb_set(&angle, end, seed, 0.2), 1.0);
            assert_eq!(cycles.len(), 8, "step {step_s} s, seed {seed}: {cycles:?}");
            assert!(cycles[0].start_s > 4.0 + step_s, "{cycles:?}");
        }
    }

    #[test]
    fn big_raises_of_two_sizes_in_turn_are_each_a_rep() {
        // Raises of 80 deg in 3 s and 50 deg in 2 s, in turn: the
        // autocorrelation finds the pair of them the period (5.4 s), smoothed
        // at which each smaller raise is gone. Measured without counting
        // again at half the period: 4 of 8.
        let mut m = vec![(3.0, 0.0, 0.0)];
        for k in 0..8 {
            let (top, half_s) = if k % 2 == 0 { (80.0, 1.5) } else { (50.0, 1.0) };
            m.extend([(half_s, 0.0, top), (half_s, top, 0.0), (0.2, 0.0, 0.0)]);
        }
        m.push((3.0, 0.0, 0.0));
        let (angle, end) = moves(m);
        let cycles = settle(&hinge_set(&angle, end, 9), 1.0);
        assert_eq!(cycles.len(), 8, "{cycles:?}");
    }

    #[test]
    fn raises_that_tilt_the_strap_far_are_no_rep_s_two_jolts() {
        // Six raises of 80 and 60 deg in turn, a longer pause after each
        // smaller one: the autocorrelation finds a pair of them the period
        // (alike 0.35 at least), and each raise lasts under 0.6 of it, as a
        // press's two jolts do; but a jolt barely tilts the strap.
        // Measured without [`ECHO_TILT_DEG`]: 3 of 6.
        let mut m = vec![(3.0, 0.0, 0.0)];
        for k in 0..6 {
            let (top, half_s, pause_s) = if k % 2 == 0 {
                (80.0, 1.3, 0.1)
            } else {
                (60.0, 1.1, 0.6)
            };
            m.extend([(half_s, 0.0, top), (half_s, top, 0.0), (pause_s, 0.0, 0.0)]);
        }
        m.push((3.0, 0.0, 0.0));
        let (angle, end) = moves(m);
        let cycles = settle(&hinge_set(&angle, end, 9), 1.0);
        assert_eq!(cycles.len(), 6, "{cycles:?}");
    }
}
