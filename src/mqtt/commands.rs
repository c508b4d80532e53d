//! Commands received over MQTT (`BASE/command/NAME`): parsed here (pure) into
//! the daemon's own requests, then carried out by the same [`Daemon`] methods
//! the HTTP API calls, so they meet the same checks.

use serde_json::{Value, json};

use crate::daemon::Daemon;
use crate::http::StartSet;

/// A command, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Start a set of this exercise.
    StartExercise(String),
    /// Start this configured routine.
    StartRoutine(String),
    /// Stop the running set.
    Stop,
    /// Take the trunk's pose now as upright.
    Calibrate,
    /// Silence slouch alerts for the configured snooze.
    Snooze,
}

/// What a button press may carry: nothing, Home Assistant's `PRESS`, or `{}`.
fn is_press(payload: &str) -> bool {
    matches!(payload.trim(), "" | "PRESS" | "{}")
}

/// Parses the command `name` with its payload; the error says what is wrong.
pub fn parse(name: &str, payload: &[u8]) -> Result<Command, String> {
    let text = std::str::from_utf8(payload).map_err(|_| "the payload is not UTF-8".to_owned())?;
    let press = |c: Command| {
        if is_press(text) {
            Ok(c)
        } else {
            Err(format!(
                "`{name}` takes no payload (or PRESS or {{}}), not {text:?}"
            ))
        }
    };
    match name {
        "start" => {
            let req: StartSet = serde_json::from_str(text).map_err(|e| {
                format!(r#"`start` takes {{"exercise": ID}} or {{"routine": NAME}}: {e}"#)
            })?;
            match (req.exercise, req.routine) {
                (Some(e), None) => Ok(Command::StartExercise(e)),
                (None, Some(r)) => Ok(Command::StartRoutine(r)),
                _ => Err("give `exercise` or `routine`, not both".into()),
            }
        }
        "stop" => press(Command::Stop),
        "calibrate" => press(Command::Calibrate),
        "snooze" => press(Command::Snooze),
        _ => Err(format!(
            "no command {name:?}: start, stop, calibrate or snooze"
        )),
    }
}

/// A daemon answer as JSON.
fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Carries out `cmd` on the daemon; the answer as the API would give it, or
/// the daemon's refusal.
pub async fn execute(daemon: &Daemon, cmd: Command) -> Result<Value, String> {
    match cmd {
        Command::StartExercise(e) => daemon
            .start_set(&e)
            .await
            .map(|s| to_json(&s))
            .map_err(|e| e.to_string()),
        Command::StartRoutine(r) => daemon
            .start_routine(&r)
            .await
            .map(|s| to_json(&s))
            .map_err(|e| e.to_string()),
        Command::Stop => daemon
            .stop_set()
            .await
            .map(|s| to_json(&s))
            .map_err(|e| e.to_string()),
        Command::Calibrate => daemon
            .calibrate()
            .await
            .map(|()| json!({"calibrated": true}))
            .map_err(|e| e.to_string()),
        Command::Snooze => Ok(json!({"snoozed_until": daemon.snooze().await})),
    }
}

/// The answer published on `BASE/command_result`.
pub fn result(name: &str, outcome: &Result<Value, String>) -> Value {
    match outcome {
        Ok(v) => json!({"command": name, "ok": true, "result": v}),
        Err(e) => json!({"command": name, "ok": false, "error": e}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_payloads() {
        assert_eq!(
            parse("start", br#"{"exercise": "plank"}"#),
            Ok(Command::StartExercise("plank".into()))
        );
        assert_eq!(
            parse("start", br#"{"routine": "morning"}"#),
            Ok(Command::StartRoutine("morning".into()))
        );
        assert_eq!(parse("stop", b""), Ok(Command::Stop));
        assert_eq!(parse("calibrate", b"PRESS"), Ok(Command::Calibrate));
        assert_eq!(parse("snooze", b" {} "), Ok(Command::Snooze));
    }

    #[test]
    fn bad_payloads_say_why() {
        let cases: [(&str, &[u8], &str); 7] = [
            ("start", b"plank", "takes"),
            ("start", br#"{"exercise": "a", "routine": "b"}"#, "not both"),
            ("start", br#"{}"#, "not both"),
            ("start", br#"{"exercise": "a", "speed": 2}"#, "speed"),
            ("stop", b"now", "takes no payload"),
            ("snooze", &[0xff, 0xfe], "UTF-8"),
            ("reboot", b"", "no command"),
        ];
        for (name, payload, says) in cases {
            let err = parse(name, payload).unwrap_err();
            assert!(err.contains(says), "{name} {payload:?}: {err}");
        }
    }

    #[test]
    fn results() {
        let ok = result("snooze", &Ok(json!({"snoozed_until": 5.0})));
        assert_eq!(ok["ok"], true);
        assert_eq!(ok["result"]["snoozed_until"], 5.0);
        let err = result("start", &Err("no strap".into()));
        assert_eq!(
            (err["ok"].clone(), err["error"].clone()),
            (false.into(), "no strap".into())
        );
    }
}
