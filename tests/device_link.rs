//! The device layer's connection state machine, tested kanata-style: a short
//! script of inputs at times, and the exact trace of actions it must give.
//!
//! Script: `TIME:INPUT` separated by spaces. Inputs: `start seen on pmd imu hr
//! fail data stopped restarted restart-failed lost tick stop` (`pmd` = connected
//! with a restartable stream and a 1 s silence limit, `imu` = connected, not
//! restartable, 1 s, `hr` = connected with no data stream). Trace: one word per
//! action, `=state` for a report.

use postured::device::LinkState;
use postured::device::link::{Action, Input, Link, Phase, Stall};

fn input(word: &str) -> Input {
    match word {
        "start" => Input::Start,
        "seen" => Input::Seen,
        "on" => Input::AdapterOn,
        "pmd" => Input::Connected {
            restartable: true,
            silence_s: Some(1.0),
        },
        "imu" => Input::Connected {
            restartable: false,
            silence_s: Some(1.0),
        },
        "hr" => Input::Connected {
            restartable: false,
            silence_s: None,
        },
        "fail" => Input::ConnectFailed,
        "data" => Input::Data,
        "stopped" => Input::StoppedByStrap,
        "restarted" => Input::Restarted,
        "restart-failed" => Input::RestartFailed,
        "lost" => Input::LinkLost,
        "tick" => Input::Tick,
        "stop" => Input::Stop,
        other => panic!("unknown input {other}"),
    }
}

fn word(a: Action) -> String {
    match a {
        Action::Report(s) => format!("={}", serde_json::to_value(s).unwrap().as_str().unwrap()),
        Action::MarkGap => "gap".into(),
        Action::Connect => "connect".into(),
        Action::RestartStream => "restart".into(),
        Action::Disconnect => "disconnect".into(),
        Action::StopAndDisconnect => "stop+disconnect".into(),
        Action::Count(Stall::StoppedByStrap) => "count:stopped".into(),
        Action::Count(Stall::Silent) => "count:silent".into(),
        Action::Count(Stall::RestartFailed) => "count:restart-failed".into(),
    }
}

/// Runs `script` on a fresh machine; the trace, and the machine.
fn run(script: &str) -> (String, Link) {
    let mut link = Link::new();
    let mut trace = Vec::new();
    for step in script.split_whitespace() {
        let (t, i) = step.split_once(':').expect("TIME:INPUT");
        let actions = link.step(t.parse().unwrap(), input(i));
        trace.extend(actions.into_iter().map(word));
    }
    (trace.join(" "), link)
}

fn trace(script: &str) -> String {
    run(script).0
}

#[test]
fn first_connect_and_stream() {
    assert_eq!(
        trace("0:start 1:seen 1.2:pmd 1.3:data"),
        "=scanning =connecting connect =streaming"
    );
}

#[test]
fn nothing_happens_before_start_or_before_the_strap_is_seen() {
    assert_eq!(trace("0:seen 0:data"), "");
    assert_eq!(trace("0:start 1:data 2:tick 3:lost 4:on"), "=scanning");
}

#[test]
fn a_link_loss_marks_a_gap_and_reconnects_at_once() {
    assert_eq!(
        trace("0:start 0:seen 0:pmd 5:lost 5:tick 5.1:pmd"),
        "=scanning =connecting connect =streaming =lost gap =reconnecting connect =streaming"
    );
}

#[test]
fn failed_connects_back_off_doubling_to_five_seconds() {
    let (t, link) = run("0:start 0:seen 0:fail");
    assert_eq!(t, "=scanning =connecting connect =lost");
    assert_eq!(link.deadline(), Some(0.25));
    // Not yet: a tick before the deadline does nothing.
    assert_eq!(
        trace("0:start 0:seen 0:fail 0.2:tick"),
        "=scanning =connecting connect =lost"
    );
    let mut link = Link::new();
    let mut now = 0.0;
    link.step(now, Input::Start);
    link.step(now, Input::Seen);
    let mut waits = Vec::new();
    for _ in 0..8 {
        link.step(now, Input::ConnectFailed);
        let until = link.deadline().unwrap();
        waits.push(until - now);
        now = until;
        assert_eq!(
            link.step(now, Input::Tick),
            [Action::Report(LinkState::Reconnecting), Action::Connect]
        );
    }
    assert_eq!(waits, [0.25, 0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]);
}

#[test]
fn after_streaming_the_backoff_starts_again_from_zero() {
    assert_eq!(
        trace(
            "0:start 0:seen 0:fail 0.25:tick 0.3:fail 0.8:tick 1:pmd 9:lost 9:tick 9:fail 9.1:tick 9.25:tick"
        ),
        "=scanning =connecting connect =lost =reconnecting connect =lost =reconnecting connect =streaming \
         =lost gap =reconnecting connect =lost =reconnecting connect"
    );
}

#[test]
fn hearing_the_strap_or_the_adapter_powering_on_retries_at_once() {
    assert_eq!(
        trace("0:start 0:seen 0:fail 0.25:tick 0.3:fail 0.4:seen"),
        "=scanning =connecting connect =lost =reconnecting connect =lost =reconnecting connect"
    );
    assert_eq!(
        trace("0:start 0:seen 0:fail 0.1:on"),
        "=scanning =connecting connect =lost =reconnecting connect"
    );
}

#[test]
fn a_silent_stream_is_restarted_on_the_live_link() {
    assert_eq!(
        trace("0:start 0:seen 0:pmd 0.5:data 1.4:tick 1.5:tick 1.6:restarted 1.7:data"),
        "=scanning =connecting connect =streaming count:silent =restarting gap restart =streaming"
    );
}

#[test]
fn data_keeps_the_silence_deadline_moving() {
    let (t, link) = run("0:start 0:seen 0:pmd 0.9:data 1.8:data 2.7:data 3.6:tick");
    assert_eq!(t, "=scanning =connecting connect =streaming");
    assert_eq!(link.deadline(), Some(3.7));
    assert_eq!(link.phase(), Phase::Streaming { last_data: 2.7 });
}

#[test]
fn the_strap_stopping_its_stream_is_restarted() {
    assert_eq!(
        trace("0:start 0:seen 0:pmd 3:stopped 3:restarted"),
        "=scanning =connecting connect =streaming count:stopped =restarting gap restart =streaming"
    );
}

#[test]
fn a_restart_that_fails_drops_the_link_and_reconnects() {
    assert_eq!(
        trace("0:start 0:seen 0:pmd 3:stopped 3.1:restart-failed 3.1:lost 3.1:tick 3.2:pmd"),
        "=scanning =connecting connect =streaming count:stopped =restarting gap restart \
         count:restart-failed disconnect =lost =reconnecting connect =streaming"
    );
}

#[test]
fn the_link_dropping_during_a_restart_is_a_loss_with_the_gap_already_marked() {
    assert_eq!(
        trace("0:start 0:seen 0:pmd 2:tick 2:lost 2:tick"),
        "=scanning =connecting connect =streaming count:silent =restarting gap restart =lost =reconnecting connect"
    );
}

#[test]
fn a_stream_that_cannot_be_restarted_is_reconnected() {
    assert_eq!(
        trace("0:start 0:seen 0:imu 1:tick 1:lost 1:tick"),
        "=scanning =connecting connect =streaming count:silent disconnect =lost gap =reconnecting connect"
    );
}

#[test]
fn a_strap_without_a_data_stream_is_never_silent() {
    let (t, link) = run("0:start 0:seen 0:hr 100:tick");
    assert_eq!(t, "=scanning =connecting connect =streaming");
    assert_eq!(link.deadline(), None);
}

#[test]
fn stopping_stops_the_stream_only_when_linked() {
    assert_eq!(trace("0:start 0:stop 1:seen"), "=scanning =stopped");
    assert_eq!(
        trace("0:start 0:seen 0:stop"),
        "=scanning =connecting connect disconnect =stopped"
    );
    assert_eq!(
        trace("0:start 0:seen 0:pmd 1:stop 2:stop 3:lost"),
        "=scanning =connecting connect =streaming stop+disconnect =stopped"
    );
    assert_eq!(
        trace("0:start 0:seen 0:pmd 2:tick 2:stop"),
        "=scanning =connecting connect =streaming count:silent =restarting gap restart stop+disconnect =stopped"
    );
    assert_eq!(
        trace("0:start 0:seen 0:fail 0.1:stop"),
        "=scanning =connecting connect =lost =stopped"
    );
}

#[test]
fn the_silence_limit_follows_the_frame_rate() {
    use postured::device::link::silence_limit;
    // An H10 at 200 Hz sends 36 samples every 0.18 s: five frames is 0.9 s, so 1 s.
    assert_eq!(silence_limit(200.0, 36.0), 1.0);
    assert!((silence_limit(25.0, 36.0) - 7.2).abs() < 1e-9);
}
