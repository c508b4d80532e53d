//! The JSON published on each topic, from the daemon's live state and events.
//! Pure. The field names are documented in the README ("MQTT and Home
//! Assistant") and are stable: add fields, never rename them.

use serde_json::{Value, json};

use crate::daemon::{LiveEvent, PostureStatus, SetStatus, StrapStatus};
use crate::device::LinkState;
use crate::motion::PostureState;
use crate::store::{EndReason, SetId};
use crate::vocab::Text;

/// `x` to one decimal, so that a state that only jitters looks the same.
fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A value's serde text form (`"upright"`, `"left"`, ...).
fn text<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// `BASE/posture`.
pub fn posture(p: &PostureStatus) -> Value {
    json!({
        "state": p.state.as_ref().map(text),
        "slouching": p.state == Some(PostureState::Slouched),
        "alerted": p.alert_start_s.is_some(),
        "trunk_angle_deg": round1(p.tilt_deg),
        "tolerance_deg": round1(p.tolerance_deg),
        "calibrated": p.calibrated,
        "snoozed_until": p.snoozed_until,
    })
}

/// `BASE/set`: the running set, or `running: false` with the same fields empty.
pub fn set(s: Option<&SetStatus>) -> Value {
    match s {
        Some(s) => json!({
            "running": true,
            "id": s.id,
            "exercise": s.exercise,
            "name": s.name,
            "strap": s.strap,
            "side": s.side.map(Text::text),
            "routine": s.routine,
            "reps": s.reps,
            "target_reps": s.target_reps,
            "hold_s": round1(s.held_s),
            "holding": s.holding,
            "target_hold_s": s.hold_s,
            "started_at": s.started_at,
        }),
        None => json!({
            "running": false,
            "id": null,
            "exercise": null,
            "name": null,
            "strap": null,
            "side": null,
            "routine": null,
            "reps": 0,
            "target_reps": 0,
            "hold_s": 0.0,
            "holding": false,
            "target_hold_s": null,
            "started_at": null,
        }),
    }
}

/// `BASE/strap/SLUG`.
pub fn strap(s: &StrapStatus) -> Value {
    json!({
        "strap": s.strap,
        "kind": s.kind.map(Text::text),
        "placement": s.placement.text(),
        "side": s.side.map(Text::text),
        "state": s.state.text(),
        "connected": s.state == LinkState::Streaming,
        "battery": s.battery,
        "heart_rate": s.heart_rate,
    })
}

/// How a set ended, for `BASE/event/set_ended`.
#[derive(Debug, Clone, PartialEq)]
pub struct SetEnd {
    /// The set.
    pub set: SetId,
    /// Its exercise, when known.
    pub exercise: Option<String>,
    /// The settled count.
    pub reps: u32,
    /// The count reported live.
    pub live_reps: u32,
    /// Reps the spec asked for, when known.
    pub target_reps: Option<u32>,
    /// Why it ended.
    pub reason: EndReason,
    /// Mean score of the counted reps (0..1), when any were.
    pub score: Option<f64>,
}

/// `BASE/event/set_ended`.
pub fn set_ended(e: &SetEnd) -> Value {
    json!({
        "event_type": "set_ended",
        "set": e.set,
        "exercise": e.exercise,
        "reps": e.reps,
        "live_reps": e.live_reps,
        "target_reps": e.target_reps,
        "reason": e.reason.text(),
        "score": e.score.map(|s| (s * 100.0).round() / 100.0),
    })
}

/// The event topic's kind and payload for a live event; `None` for the ones
/// that only change state (ticks, straps) and for `set_ended`, which
/// [`set_ended`] makes once the store has the set.
pub fn event(e: &LiveEvent) -> Option<(&'static str, Value)> {
    let (kind, mut v) = match e {
        LiveEvent::Rep { set, rep } => (
            "rep",
            json!({
                "set": set,
                "n": rep.n,
                "hold_s": rep.hold.map(|h| round1(h.held_s)),
                "peak_deg": round1(rep.peak_deg),
                "side": rep.side.map(Text::text),
                "score": (rep.score * 100.0).round() / 100.0,
                "flags": rep.flags,
            }),
        ),
        LiveEvent::SetStarted(s) => ("set_started", set(Some(s))),
        LiveEvent::SlouchAlert { start_s, tilt_deg } => (
            "slouch_alert",
            json!({"start_s": start_s, "tilt_deg": round1(*tilt_deg)}),
        ),
        LiveEvent::Slouch(ep) => ("slouch", json!({"episode": ep})),
        LiveEvent::RoutineEnded { name, completed } => (
            "routine_ended",
            json!({"routine": name, "completed": completed}),
        ),
        LiveEvent::Cue { set, t, cue } => ("cue", json!({"set": set, "t": t, "cue": cue})),
        LiveEvent::Strap(_) | LiveEvent::Tick { .. } | LiveEvent::SetEnded { .. } => return None,
    };
    if let Some(o) = v.as_object_mut() {
        o.insert("event_type".into(), kind.into());
    }
    Some((kind, v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercises::Placement;

    fn strap_status() -> StrapStatus {
        StrapStatus {
            strap: "F0:5E:D0:00:00:01".into(),
            kind: Some(crate::device::StrapKind::PolarH10),
            address: None,
            name: None,
            state: LinkState::Streaming,
            battery: Some(87),
            placement: Placement::Chest,
            side: None,
            heart_rate: Some(71),
            bad_frames: 0,
            lost_frames: 0,
        }
    }

    #[test]
    fn posture_and_strap_fields() {
        let p = PostureStatus {
            state: Some(PostureState::Slouched),
            tilt_deg: 21.44,
            tolerance_deg: 15.0,
            calibrated: true,
            snoozed_until: None,
            alert_start_s: Some(10.0),
        };
        let v = posture(&p);
        assert_eq!(v["state"], "slouched");
        assert_eq!(v["slouching"], true);
        assert_eq!(v["alerted"], true);
        assert_eq!(v["trunk_angle_deg"], 21.4);
        let v = posture(&PostureStatus::default());
        assert_eq!(
            (v["state"].clone(), v["slouching"].clone()),
            (Value::Null, false.into())
        );
        let v = strap(&strap_status());
        assert_eq!(v["state"], "streaming");
        assert_eq!(v["connected"], true);
        assert_eq!(v["battery"], 87);
        assert_eq!(v["heart_rate"], 71);
        assert_eq!(v["kind"], "polar-h10");
        assert_eq!(v["placement"], "chest");
    }

    #[test]
    fn no_set_has_the_same_fields_as_a_set() {
        let none = set(None);
        assert_eq!(none["running"], false);
        let s = SetStatus {
            id: SetId(5),
            exercise: "plank".into(),
            name: "Plank".into(),
            strap: "s".into(),
            side: None,
            routine: None,
            reps: 2,
            target_reps: 3,
            hold_s: Some([20.0, 30.0]),
            angle_target_deg: None,
            tolerance_deg: 3.0,
            held_s: 12.34,
            holding: true,
            in_rep: true,
            referenced: true,
            angle_deg: 1.0,
            started_at: 100.0,
        };
        let some = set(Some(&s));
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&none), keys(&some));
        assert_eq!(some["hold_s"], 12.3);
        assert_eq!(some["reps"], 2);
    }

    #[test]
    fn events_carry_their_type() {
        let (kind, v) = event(&LiveEvent::SlouchAlert {
            start_s: 1.0,
            tilt_deg: 20.04,
        })
        .unwrap();
        assert_eq!(kind, "slouch_alert");
        assert_eq!(v["event_type"], "slouch_alert");
        assert_eq!(v["tilt_deg"], 20.0);
        assert!(event(&LiveEvent::Strap(strap_status())).is_none());
        let v = set_ended(&SetEnd {
            set: SetId(7),
            exercise: Some("plank".into()),
            reps: 3,
            live_reps: 4,
            target_reps: Some(3),
            reason: EndReason::TargetReached,
            score: Some(0.876),
        });
        assert_eq!(v["event_type"], "set_ended");
        assert_eq!((&v["reps"], &v["live_reps"]), (&json!(3), &json!(4)));
        assert_eq!(v["reason"], "target_reached");
        assert_eq!(v["score"], 0.88);
        assert_eq!(v["set"], 7);
    }
}
