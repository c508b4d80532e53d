//! The rep counter on recordings of real people that nobody here made (the two data
//! sets in `data/`), counted with the generic `reps` spec and settled, as
//! `postured analyze` reports them. Pins the accuracy reached so far, so that a
//! change that makes it worse fails; the full tables are
//! `cargo run --release --example score_real`.

#[path = "../examples/real/sets.rs"]
mod real;

fn score(name: &'static str, accel_only: bool) -> (usize, usize, usize) {
    let sets = real::load(name, &real::repo_data().join(name)).unwrap_or_else(|e| panic!("{e}"));
    let generic = real::generic();
    let counted: Vec<i64> = sets
        .iter()
        .map(|s| real::count(s, &generic, accel_only))
        .collect();
    let t = real::tally(sets.iter().zip(counted.iter().copied()));
    println!(
        "{name} (accel only: {accel_only}): {} exact, {} within one, of {}",
        t.0, t.1, t.2
    );
    t
}

#[test]
fn shoulder_physiotherapy_sets_from_a_watch() {
    // Measured: 81% exact, 97% within one (accelerometer only: 74%, 95%); 81%,
    // 97% (74%, 94%) before cycles crowding the period without a gyro were
    // joined as echoes; 79%,
    // 97% (74%, 94%) before a last half swing cut short by the recording was
    // kept where it is like the reps inside it; 79%, 97% (73%, 94%) before a
    // small last cycle was kept where the two inside it were like it; (70%,
    // 90%) before a rep's two jolts were joined. Before the count settled from
    // the whole set: 49%, 73%.
    let (exact, one, n) = score("shoulder-physio-watch", false);
    assert_eq!(n, 140);
    assert!(
        exact >= 113 && one >= 136,
        "{exact} exact, {one} within one of {n}"
    );
    let (exact, one, _) = score("shoulder-physio-watch", true);
    assert!(
        exact >= 104 && one >= 133,
        "accel only: {exact} exact, {one} within one of {n}"
    );
}

#[test]
fn physiotherapy_sets_with_fast_and_low_amplitude_reps() {
    // Measured: 97% exact, 97% within one (accelerometer only: 92%, 97%);
    // 97%, 97% (92%, 95%) before a stretch ran on while it moved over twice
    // the set's quiet level (low-amplitude reps under the threshold the big
    // ones set); 97%, 97% (90%, 95%) before a stretch went on while its movement faded
    // just under the threshold; 95%, 97% (90%, 95%) before a large end half
    // swing had to be unlike the reps inside it to be getting into position; 94%,
    // 97% (89%, 95%) before fast reps riding on a slow rep's tail were found
    // in the movement less its slow part; 92%, 97% (87%, 95%) before a lead-in
    // that tilted the thigh 0.2 deg was told from a rep however big it read. Before the count settled from the whole set: 14%, 52%; before small quick
    // movements between groups were told from reps: 68%, 92%; before fast reps
    // among slow ones were counted at their own rate: 79%, 95%; before a cycle
    // was timed from where its movement left to where it arrived: 87%, 97%;
    // before a slow small cycle at a stretch's end was settling into the rest:
    // 89%, 97%; before any number of breaths at a stretch's end were trimmed:
    // 90%, 97%.
    let (exact, one, n) = score("physio-pt", false);
    assert_eq!(n, 63);
    assert!(
        exact >= 60 && one >= 61,
        "{exact} exact, {one} within one of {n}"
    );
    let (exact, one, _) = score("physio-pt", true);
    assert!(
        exact >= 58 && one >= 61,
        "accel only: {exact} exact, {one} within one of {n}"
    );
}

#[test]
fn without_a_gyro_a_wrist_that_jolts_twice_in_some_reps_is_not_counted_twice() {
    // Trapezius extensions turn the wrist little: without the gyro the watch
    // sees mostly their acceleration, which jolts twice in some reps and once
    // in others, and these three sets of 20 counted 26, 26 and 31 (20, 20 and
    // 21 with the gyro). Joined as echoes where the cycles crowd the period by
    // a third: 19, 18 and 22.
    let generic = real::generic();
    for set in shoulder_sets(&[
        "p08-trapezius-extension-right",
        "p09-trapezius-extension-right",
        "p05-trapezius-extension-right",
    ]) {
        let counted = real::count(&set, &generic, true);
        assert_within(counted, &set, 2, "accel only");
    }
}

/// Every set of a data set counted as `variant` records it: (exact, within one,
/// sets) and the counts.
fn score_variant(name: &'static str, variant: real::Variant) -> ((usize, usize, usize), Vec<i64>) {
    let sets = real::load(name, &real::repo_data().join(name)).unwrap_or_else(|e| panic!("{e}"));
    let generic = real::generic();
    let counted: Vec<i64> = sets
        .iter()
        .flat_map(|s| {
            let samples = variant.apply(&s.samples);
            [false, true].map(|accel_only| real::count_samples(&samples, &generic, accel_only))
        })
        .collect();
    let with_gyro = counted.iter().step_by(2).copied();
    (real::tally(sets.iter().zip(with_gyro)), counted)
}

#[test]
fn real_sets_count_the_same_whichever_way_the_strap_is_turned() {
    for name in ["shoulder-physio-watch", "physio-pt"] {
        let (_, as_recorded) = score_variant(name, real::Variant::AsIs);
        let (_, turned) = score_variant(name, real::Variant::Turned);
        assert_eq!(as_recorded, turned, "{name}");
    }
}

#[test]
fn a_noisy_accelerometer_on_a_limb_that_barely_moves_still_counts() {
    // physio-pt's second-ranked units move as little as 0.07 g RMS; 0.02 g of
    // accelerometer noise added. Measured: 94% exact, 95% within one (90%, 95%
    // before a stretch went on while its movement faded just under the
    // threshold; 86%, 95% before a lead-in that barely tilted was told from a
    // rep; before the activity threshold knew the sensors' noise: 76%, 84%;
    // before a stretch shorter than the set's period was smoothed at the
    // set's: 81%, 92%; as recorded now: 97%, 97%).
    let ((exact, one, n), _) = score_variant("physio-pt", real::Variant::Noisy);
    assert!(
        exact >= 59 && one >= 60,
        "{exact} exact, {one} within one of {n}"
    );
}

/// How many sets of a data set count the same with 2.5 s of samples lost
/// mid-set as recorded: (with the gyro, without).
fn same_count_when_dropped(name: &'static str) -> (usize, usize) {
    let (_, as_recorded) = score_variant(name, real::Variant::AsIs);
    let (_, dropped) = score_variant(name, real::Variant::Dropped);
    let same = |accel_only: usize| {
        (accel_only..as_recorded.len())
            .step_by(2)
            .filter(|&i| as_recorded[i] == dropped[i])
            .count()
    };
    (same(0), same(1))
}

#[test]
fn a_link_that_drops_for_a_moment_mid_set_loses_no_rep() {
    // 2.5 s of samples lost in the middle of each shoulder set (20 reps of 2-3 s):
    // the count across the gap comes from the rhythm around it. Measured: 138
    // and 131 of the 140 counts (with and without the gyro) equal those of the
    // set as recorded; before the gap was counted across: 0% and 1% (a rep lost
    // in nearly every set).
    let (gyro, accel) = same_count_when_dropped("shoulder-physio-watch");
    assert!(
        gyro >= 133 && accel >= 122,
        "the same count in {gyro} and {accel} of 140 sets"
    );
}

#[test]
fn a_link_that_drops_for_a_moment_sets_neither_the_rhythm_nor_the_direction() {
    // physio-pt's sets, 2.5 s lost mid-set: slow reps (a template set's 5-8 s)
    // and a few fast ones. Measured: 49 and 48 of the 63 counts (with and
    // without the gyro) equal those of the set as recorded; while the samples
    // interpolated across the gap took part in the set's period and main
    // direction, and a gap with cycles on one side only was not counted
    // across: 41 and 42.
    let (gyro, accel) = same_count_when_dropped("physio-pt");
    assert!(
        gyro >= 47 && accel >= 46,
        "the same count in {gyro} and {accel} of 63 sets"
    );
}

/// Asserts that each of physio-pt's `sets` sets whose file starts with
/// `prefix`, done a third slower (every time 1.35 times as long), counts its
/// reps exactly, with the gyro and without.
fn exact_done_slower(prefix: &str, sets: usize) {
    let all = real::load("physio-pt", &real::repo_data().join("physio-pt"))
        .unwrap_or_else(|e| panic!("{e}"));
    let generic = real::generic();
    let chosen: Vec<&real::Set> = all.iter().filter(|s| s.file.starts_with(prefix)).collect();
    assert_eq!(chosen.len(), sets);
    for set in chosen {
        let slower = real::Variant::Slower.apply(&set.samples);
        for accel_only in [false, true] {
            let counted = real::count_samples(&slower, &generic, accel_only);
            assert_eq!(
                counted, set.reps,
                "{} done slower (accel only: {accel_only})",
                set.file
            );
        }
    }
}

#[test]
fn a_slow_rep_paused_at_the_top_is_one_rep() {
    // physio-pt's supine leg abductions done a third slower (every time 1.35
    // times as long): a pause at the top of a slow rep grows past the quiet
    // that splits a set into stretches. Measured: all four sets exact, with the
    // gyro and without; before the pause was told from a rest by the pose it
    // is held in, both template sets 10 of 9 with the gyro.
    exact_done_slower("s1-e4-supine-leg-abduction", 4);
}

#[test]
fn a_swing_back_before_the_first_raise_is_no_rep() {
    // physio-pt's standing arm raise templates of the first session, done a
    // third slower: the recording starts as the arm swings back a little
    // before the first raise, and paired from there every cycle started at a
    // raise's top. Measured: both sets exact, with the gyro and without;
    // before the pairing started at the rest, 10 and 8 of 9 with the gyro, 10
    // and 10 without.
    exact_done_slower("s1-e7-arm-raise-standing-template", 2);
}

#[test]
fn groups_of_unlike_reps_with_no_quiet_rest_between_are_each_counted_at_their_own_rhythm() {
    // physio-pt's seated lean, ten big leans, ten fast and ten low-amplitude
    // ones, done faster (every time 0.75 times as long): the fidgeting in the
    // rests no longer leaves a quiet long enough to split the set, and the
    // fast and the low-amplitude groups share one stretch. Counted along that
    // stretch's one direction and at its one rhythm, the low-amplitude leans
    // read 14 of 10 (34 and 36 of 30); each group counted along its own, 31 and
    // 32.
    let sets = real::load("physio-pt", &real::repo_data().join("physio-pt"))
        .unwrap_or_else(|e| panic!("{e}"));
    let set = sets
        .iter()
        .find(|s| s.file.starts_with("s2-e2-seated-lean-test-u3"))
        .expect("s2-e2-seated-lean-test-u3 in physio-pt");
    let faster = real::Variant::Faster.apply(&set.samples);
    let generic = real::generic();
    let counted = real::count_samples(&faster, &generic, false);
    assert_within(counted, set, 1, "done faster");
    let accel_only = real::count_samples(&faster, &generic, true);
    assert_within(accel_only, set, 2, "done faster, accel only");
}

/// The shoulder-physio-watch sets whose files start with `names`, in that order.
fn shoulder_sets(names: &[&str]) -> Vec<real::Set> {
    let mut sets = real::load(
        "shoulder-physio-watch",
        &real::repo_data().join("shoulder-physio-watch"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    names
        .iter()
        .map(|name| {
            let i = sets
                .iter()
                .position(|s| s.file.starts_with(name))
                .unwrap_or_else(|| panic!("{name} in shoulder-physio-watch"));
            sets.swap_remove(i)
        })
        .collect()
}

/// Asserts that `counted` is within `reps` of `set`'s count.
fn assert_within(counted: i64, set: &real::Set, reps: i64, what: &str) {
    assert!(
        (counted - set.reps).abs() <= reps,
        "{} {what}: {counted} of {}",
        set.file,
        set.reps
    );
}

#[test]
fn fast_reps_riding_on_a_slow_reps_tail_count_each() {
    // physio-pt's prone arm-circle templates: three big circles, three fast
    // ones and three small ones. The fast ones follow the last big one with no
    // pause, in one cycle of the set's slow rhythm with its way back, where the
    // big swing drowned their own rhythm: template u2 read 8 of 9 with the gyro
    // and without, and u3 done faster 5 of 9 with the gyro. Found in the
    // movement less its slow part, each tilting the arm as a big circle does:
    // 9 and 9, and 8 (the faster set's small circles still lose one).
    let sets = real::load("physio-pt", &real::repo_data().join("physio-pt"))
        .unwrap_or_else(|e| panic!("{e}"));
    let generic = real::generic();
    let set = |name: &str| {
        sets.iter()
            .find(|s| s.file.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in physio-pt"))
    };
    let u2 = set("s1-e8-prone-arm-circles-template-u2");
    for accel_only in [false, true] {
        let counted = real::count(u2, &generic, accel_only);
        assert_eq!(counted, u2.reps, "{} (accel only: {accel_only})", u2.file);
    }
    let u3 = set("s1-e8-prone-arm-circles-template-u3");
    let faster = real::Variant::Faster.apply(&u3.samples);
    let counted = real::count_samples(&faster, &generic, false);
    assert_within(counted, u3, 1, "done faster");
}

#[test]
fn the_live_count_of_quick_swings_follows_the_set() {
    // Shoulder pendulums at 0.8 Hz: the live cycle counter's low-pass (0.7 Hz
    // by default) smooths the swings away and the wearer's drift takes its
    // direction. The count shown went up 6 times in p05-pendulum-left's 20
    // reps, and caught up only when the set settled at its end. The set so
    // far, settled every second, shows its reps as they come.
    for set in shoulder_sets(&[
        "p05-pendulum-left",
        "p02-pendulum-right",
        "p10-pendulum-right",
    ]) {
        let name = &set.file;
        let mut counter = postured::motion::Counter::new(&real::generic(), None, None);
        let end = set.samples.last().expect("samples").t;
        let mut at_half = None;
        let mut numbers = Vec::new();
        for s in &set.samples {
            for e in counter.push(s) {
                if let postured::motion::RepEvent::RepDone(r) = e {
                    numbers.push(r.n);
                }
            }
            if s.t >= end / 2.0 && at_half.is_none() {
                at_half = Some(counter.reps());
            }
        }
        let (half, last) = (at_half.expect("half way"), counter.reps());
        // Each rep shown is reported once, numbered in turn, whichever count
        // showed it first.
        assert_eq!(numbers, (1..=last).collect::<Vec<_>>(), "{name}");
        println!(
            "{name}: {half} shown half way, {last} at the end of {}",
            set.reps
        );
        // Measured: 10, 8 and 9 half way, 19 at the end of each (the last rep
        // shows when the set settles); settled every 2 s, 9, 8 and 9 half way
        // and 18, 18 and 19 at the end; before the set so far was settled for
        // it, 3 half way and 6 at the end, 11 and 9 at the end.
        assert!(
            half >= 7 && last >= 18,
            "{name}: {half} half way, {last} at the end of 20"
        );
    }
}
