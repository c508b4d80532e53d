//! Scripts of inputs and the exact trace of actions they must produce.
//!
//! A script line is `T INPUT`: `T` is both the wall time and the counting
//! strap's clock (s). Inputs: `up STRAP`, `down STRAP`, `start EXERCISE`,
//! `routine NAME`, `stop`, `quiet S` (a reload), and, from the counting strap
//! about the running set (or `#ID` for another): `rep`, `attempt`, `target`,
//! `active`, `time`, `counted N`. Ids are the start time in ms, so a set started
//! at 2 s is set 2000.

use super::*;
use crate::config::Routine;
use crate::exercises::Catalog;
use crate::motion::{Rep, Side};

fn coordinator() -> Coordinator {
    let seats = vec![
        Seat {
            strap: "chest".into(),
            placement: Placement::Chest,
            side: None,
            streaming: false,
        },
        Seat {
            strap: "thigh".into(),
            placement: Placement::Thigh,
            side: Some(Side::Left),
            streaming: false,
        },
    ];
    let settings = Settings {
        quiet_timeout_s: 60.0,
        routines: vec![
            Routine {
                name: "legs".into(),
                exercises: vec!["prone-leg-raise".into(), "wall-slide".into()],
            },
            Routine {
                name: "mixed".into(),
                exercises: vec!["prone-leg-raise".into(), "pectoral-stretch".into()],
            },
            Routine {
                name: "empty".into(),
                exercises: vec![],
            },
        ],
    };
    Coordinator::new(Arc::new(Catalog::load(None).unwrap()), seats, settings)
}

fn rep(n: u32, t: f64) -> Rep {
    Rep {
        n,
        start_s: t - 10.0,
        end_s: t,
        hold: None,
        peak_deg: 20.0,
        side: None,
        score: 1.0,
        flags: vec![],
    }
}

/// Runs `script` on a fresh coordinator; returns the trace, one action a line,
/// each under the input that caused it.
fn run(script: &str) -> String {
    let mut c = coordinator();
    let mut reps = 0;
    let mut trace = Vec::new();
    for line in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut words = line.split_whitespace();
        let t: f64 = words.next().unwrap().parse().unwrap();
        let verb = words.next().unwrap();
        let rest: Vec<&str> = words.collect();
        let arg = rest.iter().copied().find(|w| !w.starts_with('#'));
        let set = rest
            .iter()
            .find_map(|a| a.strip_prefix('#'))
            .map(|id| SetId(id.parse().unwrap()))
            .or_else(|| c.running())
            .unwrap_or(SetId(-1));
        let detected = |event| Input::Detected { set, t, event };
        let input = match verb {
            "up" | "down" => Input::Link {
                strap: arg.unwrap().into(),
                streaming: verb == "up",
            },
            "start" => Input::StartSet(arg.unwrap().into()),
            "routine" => Input::StartRoutine(arg.unwrap().into()),
            "stop" => Input::Stop,
            "quiet" => Input::Reconfigure(Settings {
                quiet_timeout_s: arg.unwrap().parse().unwrap(),
                ..c.settings.clone()
            }),
            "rep" => {
                reps += 1;
                detected(Detected::Rep(rep(reps, t)))
            }
            "attempt" => detected(Detected::Attempt(rep(1, t))),
            "target" => detected(Detected::TargetReached),
            "active" => detected(Detected::Activity),
            "time" => Input::Time { set, t },
            "counted" => {
                let live_reps = std::mem::take(&mut reps);
                Input::Counted {
                    set,
                    count: Settlement {
                        reps: arg.unwrap().parse().unwrap(),
                        live_reps,
                        withdrawn: Vec::new(),
                    },
                }
            }
            other => panic!("unknown input {other:?}"),
        };
        trace.push(line.to_owned());
        trace.extend(c.step(t, input).iter().map(|a| format!("  {}", show(a))));
    }
    trace.join("\n")
}

fn show(a: &Action) -> String {
    match a {
        Action::Reply(Ok(Reply::Started { set, strap })) => format!("ok: {} on {strap}", set.0),
        Action::Reply(Ok(Reply::Stopping { set, .. })) => format!("ok: stopping {}", set.0),
        Action::Reply(Err(e)) => format!("error: {e}"),
        Action::Record(r) => format!("record {}", show_record(r)),
        Action::Count {
            strap,
            set,
            spec,
            routine,
            ..
        } => {
            let routine = routine
                .as_ref()
                .map_or(String::new(), |r| format!(" ({r})"));
            format!("count {} of {} on {strap}{routine}", set.0, spec.id)
        }
        Action::Finish { strap, set } => format!("finish {} on {strap}", set.0),
        Action::Exercising(on) => format!("exercising {}", if *on { "on" } else { "off" }),
        Action::Publish(e) => format!("publish {}", show_event(e)),
    }
}

fn show_record(r: &Record) -> String {
    match r {
        Record::StartSession { id, routine, .. } => {
            let routine = routine
                .as_ref()
                .map_or(String::new(), |r| format!(" ({r})"));
            format!("session {} starts{routine}", id.0)
        }
        Record::StartSet(i) => {
            let side = match i.side {
                Some(Side::Left) => " left",
                Some(Side::Right) => " right",
                None => "",
            };
            format!(
                "set {} starts: {} on {}{side} in session {}",
                i.id.0, i.exercise, i.strap, i.session.0
            )
        }
        Record::Rep { set, rep, counted } => {
            let what = if *counted { "rep" } else { "attempt" };
            format!("{what} {} of set {}", rep.n, set.0)
        }
        Record::EndSet {
            set, reason, count, ..
        } => format!(
            "set {} ends: {}, {} reps",
            set.0,
            reason.as_str(),
            count.reps
        ),
        Record::EndSession { id, .. } => format!("session {} ends", id.0),
    }
}

fn show_event(e: &LiveEvent) -> String {
    match e {
        LiveEvent::Rep { set, rep } => format!("rep {} of {}", rep.n, set.0),
        LiveEvent::SetEnded {
            set, reps, reason, ..
        } => {
            format!("set_ended {}: {reps} reps, {}", set.0, reason.as_str())
        }
        LiveEvent::RoutineEnded { name, completed } => {
            format!("routine_ended {name}, completed: {completed}")
        }
        other => format!("{other:?}"),
    }
}

fn check(script: &str, want: &str) {
    let got = run(script);
    let want: Vec<&str> = want
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let got_lines: Vec<&str> = got.lines().collect();
    let want_trimmed: Vec<String> = want.iter().map(|l| dedent(l)).collect();
    assert_eq!(got_lines, want_trimmed, "\ngot:\n{got}\n");
}

/// Keeps a trace line's two-space action indent, drops the test's indent.
fn dedent(line: &str) -> String {
    let body = line.trim_start();
    let indent = line.len() - body.len();
    if indent > 10 {
        format!("  {body}")
    } else {
        body.to_owned()
    }
}

#[test]
fn a_set_needs_a_streaming_strap_where_the_exercise_is_worn() {
    check(
        "0 start prone-leg-raise
         1 up chest
         2 start prone-leg-raise
         3 start plonk",
        "0 start prone-leg-raise
            error: no strap worn at thigh or ankle is streaming
         1 up chest
         2 start prone-leg-raise
            error: no strap worn at thigh or ankle is streaming
         3 start plonk
            error: no exercise \"plonk\"; GET /api/exercises lists them",
    );
}

#[test]
fn a_set_starts_in_a_session_of_its_own_on_its_side() {
    check(
        "0 up thigh
         2 start prone-leg-raise",
        "0 up thigh
         2 start prone-leg-raise
            ok: 2000 on thigh
            record session 2000 starts
            record set 2000 starts: prone-leg-raise on thigh left in session 2000
            count 2000 of prone-leg-raise on thigh
            exercising on",
    );
}

#[test]
fn an_unsided_exercise_records_no_side() {
    check(
        "0 up thigh
         1 start wall-slide",
        "0 up thigh
         1 start wall-slide
            ok: 1000 on thigh
            record session 1000 starts
            record set 1000 starts: wall-slide on thigh in session 1000
            count 1000 of wall-slide on thigh
            exercising on",
    );
}

#[test]
fn the_first_strap_that_fits_and_streams_counts() {
    check(
        "0 up thigh
         0 down thigh
         0 up chest
         1 start reps
         2 stop
         3 counted 0",
        "0 up thigh
         0 down thigh
         0 up chest
         1 start reps
            ok: 1000 on chest
            record session 1000 starts
            record set 1000 starts: reps on chest in session 1000
            count 1000 of reps on chest
            exercising on
         2 stop
            ok: stopping 1000
            finish 1000 on chest
            exercising off
         3 counted 0
            record set 1000 ends: stopped, 0 reps
            record session 1000 ends
            publish set_ended 1000: 0 reps, stopped
            exercising off",
    );
}

#[test]
fn one_set_at_a_time() {
    check(
        "0 up thigh
         0 up chest
         1 start wall-slide
         2 start pectoral-stretch
         3 routine legs",
        "0 up thigh
         0 up chest
         1 start wall-slide
            ok: 1000 on thigh
            record session 1000 starts
            record set 1000 starts: wall-slide on thigh in session 1000
            count 1000 of wall-slide on thigh
            exercising on
         2 start pectoral-stretch
            error: set 1000 is running; stop it first
         3 routine legs
            error: set 1000 is running; stop it first",
    );
}

#[test]
fn reps_are_recorded_then_published_and_attempts_only_recorded() {
    check(
        "0 up thigh
         0 start wall-slide
         10 rep
         20 attempt
         30 rep",
        "0 up thigh
         0 start wall-slide
            ok: 0 on thigh
            record session 0 starts
            record set 0 starts: wall-slide on thigh in session 0
            count 0 of wall-slide on thigh
            exercising on
         10 rep
            record rep 1 of set 0
            publish rep 1 of 0
         20 attempt
            record attempt 1 of set 0
         30 rep
            record rep 2 of set 0
            publish rep 2 of 0",
    );
}

#[test]
fn the_target_reached_ends_the_set_with_the_strap_s_settled_count() {
    check(
        "0 up thigh
         0 start wall-slide
         50 rep
         50 target
         50 rep
         51 counted 5",
        "0 up thigh
         0 start wall-slide
            ok: 0 on thigh
            record session 0 starts
            record set 0 starts: wall-slide on thigh in session 0
            count 0 of wall-slide on thigh
            exercising on
         50 rep
            record rep 1 of set 0
            publish rep 1 of 0
         50 target
            finish 0 on thigh
         50 rep
         51 counted 5
            record set 0 ends: target_reached, 5 reps
            record session 0 ends
            publish set_ended 0: 5 reps, target_reached
            exercising off",
    );
}

#[test]
fn a_quiet_set_ends_after_the_timeout_on_the_strap_clock() {
    check(
        "0 up thigh
         0 start wall-slide
         5 time
         65 time
         66 time
         67 time
         68 counted 0",
        "0 up thigh
         0 start wall-slide
            ok: 0 on thigh
            record session 0 starts
            record set 0 starts: wall-slide on thigh in session 0
            count 0 of wall-slide on thigh
            exercising on
         5 time
         65 time
         66 time
            finish 0 on thigh
         67 time
         68 counted 0
            record set 0 ends: quiet_timeout, 0 reps
            record session 0 ends
            publish set_ended 0: 0 reps, quiet_timeout
            exercising off",
    );
}

#[test]
fn any_detector_event_keeps_a_set_from_going_quiet() {
    check(
        "0 up thigh
         0 start wall-slide
         1 time
         50 active
         100 time
         111 time",
        "0 up thigh
         0 start wall-slide
            ok: 0 on thigh
            record session 0 starts
            record set 0 starts: wall-slide on thigh in session 0
            count 0 of wall-slide on thigh
            exercising on
         1 time
         50 active
         100 time
         111 time
            finish 0 on thigh",
    );
}

#[test]
fn a_reload_changes_the_quiet_timeout_of_the_running_set() {
    check(
        "0 up thigh
         0 start wall-slide
         1 time
         2 quiet 5
         7 time",
        "0 up thigh
         0 start wall-slide
            ok: 0 on thigh
            record session 0 starts
            record set 0 starts: wall-slide on thigh in session 0
            count 0 of wall-slide on thigh
            exercising on
         1 time
         2 quiet 5
         7 time
            finish 0 on thigh",
    );
}

#[test]
fn stopping_with_no_set_is_an_error_and_stopping_twice_too() {
    check(
        "0 stop
         0 up chest
         1 start cobra
         2 stop
         3 stop",
        "0 stop
            error: no set is running
         0 up chest
         1 start cobra
            ok: 1000 on chest
            record session 1000 starts
            record set 1000 starts: cobra on chest in session 1000
            count 1000 of cobra on chest
            exercising on
         2 stop
            ok: stopping 1000
            finish 1000 on chest
            exercising off
         3 stop
            error: no set is running",
    );
}

#[test]
fn a_set_ending_takes_no_more_reps_and_no_second_end() {
    check(
        "0 up chest
         0 start cobra
         1 target
         1 rep
         1 target
         1 time
         1 stop
         2 counted 4",
        "0 up chest
         0 start cobra
            ok: 0 on chest
            record session 0 starts
            record set 0 starts: cobra on chest in session 0
            count 0 of cobra on chest
            exercising on
         1 target
            finish 0 on chest
         1 rep
         1 target
         1 time
         1 stop
            error: no set is running
         2 counted 4
            record set 0 ends: target_reached, 4 reps
            record session 0 ends
            publish set_ended 0: 4 reps, target_reached
            exercising off",
    );
}

#[test]
fn a_new_set_may_start_once_the_last_is_counted() {
    check(
        "0 up chest
         0 start cobra
         1 stop
         1 start cobra
         2 counted 0
         3 start cobra",
        "0 up chest
         0 start cobra
            ok: 0 on chest
            record session 0 starts
            record set 0 starts: cobra on chest in session 0
            count 0 of cobra on chest
            exercising on
         1 stop
            ok: stopping 0
            finish 0 on chest
            exercising off
         1 start cobra
            error: set 0 is running; stop it first
         2 counted 0
            record set 0 ends: stopped, 0 reps
            record session 0 ends
            publish set_ended 0: 0 reps, stopped
            exercising off
         3 start cobra
            ok: 3000 on chest
            record session 3000 starts
            record set 3000 starts: cobra on chest in session 3000
            count 3000 of cobra on chest
            exercising on",
    );
}

#[test]
fn events_about_another_set_are_ignored() {
    check(
        "0 up chest
         0 start cobra
         1 rep #77
         1 target #77
         99 time #77
         99 counted 3 #77",
        "0 up chest
         0 start cobra
            ok: 0 on chest
            record session 0 starts
            record set 0 starts: cobra on chest in session 0
            count 0 of cobra on chest
            exercising on
         1 rep #77
         1 target #77
         99 time #77
         99 counted 3 #77",
    );
}

#[test]
fn a_count_nobody_asked_for_ends_nothing() {
    check(
        "0 up chest
         0 start cobra
         1 counted 3
         2 rep",
        "0 up chest
         0 start cobra
            ok: 0 on chest
            record session 0 starts
            record set 0 starts: cobra on chest in session 0
            count 0 of cobra on chest
            exercising on
         1 counted 3
         2 rep
            record rep 1 of set 0
            publish rep 1 of 0",
    );
}

#[test]
fn ids_never_repeat_within_a_millisecond() {
    check(
        "0 up chest
         5 start cobra
         5 stop
         5 counted 0
         5 start cobra",
        "0 up chest
         5 start cobra
            ok: 5000 on chest
            record session 5000 starts
            record set 5000 starts: cobra on chest in session 5000
            count 5000 of cobra on chest
            exercising on
         5 stop
            ok: stopping 5000
            finish 5000 on chest
            exercising off
         5 counted 0
            record set 5000 ends: stopped, 0 reps
            record session 5000 ends
            publish set_ended 5000: 0 reps, stopped
            exercising off
         5 start cobra
            ok: 5001 on chest
            record session 5001 starts
            record set 5001 starts: cobra on chest in session 5001
            count 5001 of cobra on chest
            exercising on",
    );
}

#[test]
fn a_routine_runs_its_sets_in_one_session_and_completes() {
    check(
        "0 up thigh
         1 routine legs
         60 target
         60 counted 5
         120 target
         120 counted 8",
        "0 up thigh
         1 routine legs
            ok: 1001 on thigh
            record session 1000 starts (legs)
            record set 1001 starts: prone-leg-raise on thigh left in session 1000
            count 1001 of prone-leg-raise on thigh (legs)
            exercising on
         60 target
            finish 1001 on thigh
         60 counted 5
            record set 1001 ends: target_reached, 5 reps
            publish set_ended 1001: 5 reps, target_reached
            exercising off
            record set 60000 starts: wall-slide on thigh in session 1000
            count 60000 of wall-slide on thigh (legs)
            exercising on
         120 target
            finish 60000 on thigh
         120 counted 8
            record set 60000 ends: target_reached, 8 reps
            publish set_ended 60000: 8 reps, target_reached
            exercising off
            record session 1000 ends
            publish routine_ended legs, completed: true",
    );
}

#[test]
fn a_routine_moves_to_whichever_strap_its_next_exercise_needs() {
    check(
        "0 up thigh
         0 up chest
         1 routine mixed
         60 target
         60 counted 5",
        "0 up thigh
         0 up chest
         1 routine mixed
            ok: 1001 on thigh
            record session 1000 starts (mixed)
            record set 1001 starts: prone-leg-raise on thigh left in session 1000
            count 1001 of prone-leg-raise on thigh (mixed)
            exercising on
         60 target
            finish 1001 on thigh
         60 counted 5
            record set 1001 ends: target_reached, 5 reps
            publish set_ended 1001: 5 reps, target_reached
            exercising off
            record set 60000 starts: pectoral-stretch on chest in session 1000
            count 60000 of pectoral-stretch on chest (mixed)
            exercising on",
    );
}

#[test]
fn a_routine_whose_next_strap_is_gone_ends_unfinished() {
    check(
        "0 up thigh
         1 routine mixed
         60 target
         60 counted 5",
        "0 up thigh
         1 routine mixed
            ok: 1001 on thigh
            record session 1000 starts (mixed)
            record set 1001 starts: prone-leg-raise on thigh left in session 1000
            count 1001 of prone-leg-raise on thigh (mixed)
            exercising on
         60 target
            finish 1001 on thigh
         60 counted 5
            record set 1001 ends: target_reached, 5 reps
            publish set_ended 1001: 5 reps, target_reached
            exercising off
            record session 1000 ends
            publish routine_ended mixed, completed: false",
    );
}

#[test]
fn stopping_a_routine_s_set_ends_the_routine() {
    check(
        "0 up thigh
         1 routine legs
         30 stop
         30 counted 2",
        "0 up thigh
         1 routine legs
            ok: 1001 on thigh
            record session 1000 starts (legs)
            record set 1001 starts: prone-leg-raise on thigh left in session 1000
            count 1001 of prone-leg-raise on thigh (legs)
            exercising on
         30 stop
            ok: stopping 1001
            finish 1001 on thigh
            exercising off
         30 counted 2
            record set 1001 ends: stopped, 2 reps
            publish set_ended 1001: 2 reps, stopped
            exercising off
            record session 1000 ends
            publish routine_ended legs, completed: false",
    );
}

#[test]
fn a_quiet_last_set_ends_the_routine_unfinished() {
    check(
        "0 up thigh
         1 routine legs
         60 target
         60 counted 5
         61 time
         200 time
         201 counted 1",
        "0 up thigh
         1 routine legs
            ok: 1001 on thigh
            record session 1000 starts (legs)
            record set 1001 starts: prone-leg-raise on thigh left in session 1000
            count 1001 of prone-leg-raise on thigh (legs)
            exercising on
         60 target
            finish 1001 on thigh
         60 counted 5
            record set 1001 ends: target_reached, 5 reps
            publish set_ended 1001: 5 reps, target_reached
            exercising off
            record set 60000 starts: wall-slide on thigh in session 1000
            count 60000 of wall-slide on thigh (legs)
            exercising on
         61 time
         200 time
            finish 60000 on thigh
         201 counted 1
            record set 60000 ends: quiet_timeout, 1 reps
            publish set_ended 60000: 1 reps, quiet_timeout
            exercising off
            record session 1000 ends
            publish routine_ended legs, completed: false",
    );
}

#[test]
fn a_routine_that_cannot_start_leaves_no_session() {
    check(
        "0 routine legs
         0 routine arms
         0 up thigh
         0 routine empty",
        "0 routine legs
            error: no strap worn at thigh or ankle is streaming
         0 routine arms
            error: no routine \"arms\" in the configuration ([[routine]] entries)
         0 up thigh
         0 routine empty
            error: no routine \"empty\" in the configuration ([[routine]] entries)",
    );
}

#[test]
fn a_lone_set_after_a_routine_has_its_own_session() {
    check(
        "0 up thigh
         1 routine legs
         2 stop
         2 counted 0
         3 start wall-slide",
        "0 up thigh
         1 routine legs
            ok: 1001 on thigh
            record session 1000 starts (legs)
            record set 1001 starts: prone-leg-raise on thigh left in session 1000
            count 1001 of prone-leg-raise on thigh (legs)
            exercising on
         2 stop
            ok: stopping 1001
            finish 1001 on thigh
            exercising off
         2 counted 0
            record set 1001 ends: stopped, 0 reps
            publish set_ended 1001: 0 reps, stopped
            exercising off
            record session 1000 ends
            publish routine_ended legs, completed: false
         3 start wall-slide
            ok: 3000 on thigh
            record session 3000 starts
            record set 3000 starts: wall-slide on thigh in session 3000
            count 3000 of wall-slide on thigh
            exercising on",
    );
}
