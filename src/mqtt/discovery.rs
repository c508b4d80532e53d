//! Home Assistant MQTT discovery: one device per postured instance, with an
//! entity for each thing worth seeing or pressing. Pure: the configuration in,
//! `(config topic, JSON)` pairs out. An entity of this node whose config topic
//! is not among these (a strap taken out of the configuration) is removed by
//! publishing an empty retained config to its topic (the task does that).

use serde_json::{Map, Value, json};

use super::topics::{Topics, slug};

/// What the device and its entities are made from.
#[derive(Debug, Clone, PartialEq)]
pub struct Inventory {
    /// The configured straps' labels (address or name).
    pub straps: Vec<String>,
    /// Exercise ids, for the "start exercise" select.
    pub exercises: Vec<String>,
    /// Routine names, for the "start routine" select (none: no select).
    pub routines: Vec<String>,
}

/// One entity: its component, its object id and its own fields.
struct Entity {
    component: &'static str,
    object_id: String,
    fields: Value,
}

fn entity(component: &'static str, object_id: impl Into<String>, fields: Value) -> Entity {
    Entity {
        component,
        object_id: object_id.into(),
        fields,
    }
}

/// The device block every entity carries.
fn device(t: &Topics) -> Value {
    let name = t.base.rsplit('/').next().unwrap_or(&t.base);
    json!({
        "identifiers": [t.node_id],
        "name": format!("postured {name}"),
        "manufacturer": "postured",
        "model": "postured daemon",
        "sw_version": env!("CARGO_PKG_VERSION"),
    })
}

/// Posture: slouching, trunk angle, the posture state.
fn posture_entities(t: &Topics) -> Vec<Entity> {
    let posture = t.posture();
    vec![
        entity(
            "binary_sensor",
            "slouching",
            json!({"name": "Slouching", "device_class": "problem", "state_topic": posture,
                   "value_template": "{{ 'ON' if value_json.slouching else 'OFF' }}"}),
        ),
        entity(
            "sensor",
            "trunk_angle",
            json!({"name": "Trunk angle", "state_topic": posture, "unit_of_measurement": "°",
                   "state_class": "measurement", "suggested_display_precision": 1,
                   "value_template": "{{ value_json.trunk_angle_deg }}", "icon": "mdi:human-handsup"}),
        ),
        entity(
            "sensor",
            "posture",
            json!({"name": "Posture", "state_topic": posture, "device_class": "enum",
                   "options": ["uncalibrated", "upright", "slouched", "lying", "moving", "exercising"],
                   "value_template": "{{ value_json.state }}"}),
        ),
    ]
}

/// The running set and today's totals.
fn set_entities(t: &Topics) -> Vec<Entity> {
    let (set, today) = (t.set(), t.today());
    let number = |name: &str, topic: &str, field: &str, unit: &str, class: &str| {
        json!({"name": name, "state_topic": topic, "unit_of_measurement": unit,
               "state_class": class, "value_template": format!("{{{{ value_json.{field} }}}}")})
    };
    let mut hold = number("Hold", &set, "hold_s", "s", "measurement");
    hold["device_class"] = "duration".into();
    vec![
        entity(
            "sensor",
            "set_exercise",
            json!({"name": "Exercise", "state_topic": set, "icon": "mdi:dumbbell",
                   "value_template": "{{ value_json.exercise if value_json.running else 'none' }}"}),
        ),
        entity(
            "sensor",
            "set_reps",
            number("Reps", &set, "reps", "reps", "measurement"),
        ),
        entity(
            "sensor",
            "set_target_reps",
            number("Target reps", &set, "target_reps", "reps", "measurement"),
        ),
        entity("sensor", "set_hold", hold),
        entity(
            "sensor",
            "today_sets",
            number("Sets today", &today, "sets", "sets", "total_increasing"),
        ),
        entity(
            "sensor",
            "today_reps",
            number("Reps today", &today, "reps", "reps", "total_increasing"),
        ),
        entity(
            "sensor",
            "today_upright",
            number(
                "Upright today",
                &today,
                "upright_percent",
                "%",
                "measurement",
            ),
        ),
    ]
}

/// Events: a rep, a set's end, a slouch alert.
fn event_entities(t: &Topics) -> Vec<Entity> {
    [
        ("rep", "Rep"),
        ("set_ended", "Set ended"),
        ("slouch_alert", "Slouch alert"),
    ]
    .into_iter()
    .map(|(kind, name)| {
        entity(
            "event",
            kind,
            json!({"name": name, "state_topic": t.event(kind), "event_types": [kind]}),
        )
    })
    .collect()
}

/// Buttons (calibrate, snooze, stop) and selects that start a set or routine.
fn control_entities(t: &Topics, inv: &Inventory) -> Vec<Entity> {
    let button = |cmd: &str, name: &str, icon: &str| {
        entity(
            "button",
            cmd,
            json!({"name": name, "command_topic": t.command(cmd), "payload_press": "PRESS", "icon": icon}),
        )
    };
    let mut out = vec![
        button("calibrate", "Calibrate upright", "mdi:human-male-height"),
        button("snooze", "Snooze slouch alerts", "mdi:alarm-snooze"),
        button("stop", "Stop set", "mdi:stop"),
        entity(
            "select",
            "start_exercise",
            json!({"name": "Start exercise", "command_topic": t.command("start"),
                   "command_template": "{\"exercise\": \"{{ value }}\"}",
                   "options": inv.exercises, "icon": "mdi:play"}),
        ),
    ];
    if !inv.routines.is_empty() {
        out.push(entity(
            "select",
            "start_routine",
            json!({"name": "Start routine", "command_topic": t.command("start"),
                   "command_template": "{\"routine\": \"{{ value }}\"}",
                   "options": inv.routines, "icon": "mdi:playlist-play"}),
        ));
    }
    out
}

/// A strap's link, battery and heart rate.
fn strap_entities(t: &Topics, label: &str) -> Vec<Entity> {
    let s = slug(label);
    let topic = t.strap(&s);
    vec![
        entity(
            "binary_sensor",
            format!("strap_{s}_link"),
            json!({"name": format!("{label} link"), "device_class": "connectivity",
                   "state_topic": topic, "value_template": "{{ 'ON' if value_json.connected else 'OFF' }}"}),
        ),
        entity(
            "sensor",
            format!("strap_{s}_battery"),
            json!({"name": format!("{label} battery"), "device_class": "battery",
                   "unit_of_measurement": "%", "state_class": "measurement",
                   "entity_category": "diagnostic", "state_topic": topic,
                   "value_template": "{{ value_json.battery }}"}),
        ),
        entity(
            "sensor",
            format!("strap_{s}_heart_rate"),
            json!({"name": format!("{label} heart rate"), "unit_of_measurement": "bpm",
                   "state_class": "measurement", "icon": "mdi:heart-pulse", "state_topic": topic,
                   "value_template": "{{ value_json.heart_rate }}"}),
        ),
    ]
}

/// Every discovery config of this instance: `(topic, payload)`. Empty with
/// discovery off.
pub fn configs(t: &Topics, inv: &Inventory) -> Vec<(String, Value)> {
    let mut all = posture_entities(t);
    all.extend(set_entities(t));
    all.extend(event_entities(t));
    all.extend(control_entities(t, inv));
    for s in &inv.straps {
        all.extend(strap_entities(t, s));
    }
    all.into_iter()
        .filter_map(|e| {
            let topic = t.discovery_config(e.component, &e.object_id)?;
            let mut m: Map<String, Value> = match e.fields {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            m.insert(
                "unique_id".into(),
                format!("{}_{}", t.node_id, e.object_id).into(),
            );
            m.insert("availability_topic".into(), t.availability().into());
            m.insert("payload_available".into(), "online".into());
            m.insert("payload_not_available".into(), "offline".into());
            m.insert("device".into(), device(t));
            m.insert(
                "origin".into(),
                json!({"name": "postured", "sw_version": env!("CARGO_PKG_VERSION")}),
            );
            Some((topic, Value::Object(m)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv() -> Inventory {
        Inventory {
            straps: vec!["F0:5E:D0:00:00:01".into(), "Polar H10".into()],
            exercises: vec!["plank".into(), "prone-leg-raise".into()],
            routines: vec!["morning".into()],
        }
    }

    fn find<'a>(all: &'a [(String, Value)], topic: &str) -> &'a Value {
        &all.iter()
            .find(|(t, _)| t == topic)
            .unwrap_or_else(|| panic!("{topic}"))
            .1
    }

    #[test]
    fn every_entity_names_its_device_availability_and_a_unique_id() {
        let t = Topics::new("postured/desk", "homeassistant");
        let all = configs(&t, &inv());
        assert_eq!(all.len(), 3 + 7 + 3 + 5 + 2 * 3);
        let mut ids = std::collections::HashSet::new();
        for (topic, c) in &all {
            assert!(t.is_own_discovery(topic), "{topic}");
            assert!(
                ids.insert(c["unique_id"].as_str().unwrap().to_owned()),
                "{topic}"
            );
            assert_eq!(c["availability_topic"], "postured/desk/availability");
            assert_eq!(c["device"]["identifiers"][0], "postured_desk");
            assert!(c["name"].is_string(), "{topic}");
            let state = c.get("state_topic").or(c.get("command_topic"));
            assert!(state.is_some_and(|s| s.as_str().unwrap().starts_with("postured/desk/")));
        }
    }

    #[test]
    fn components_and_classes() {
        let t = Topics::new("p/x", "ha");
        let all = configs(&t, &inv());
        let slouch = find(&all, "ha/binary_sensor/p_x/slouching/config");
        assert_eq!(slouch["device_class"], "problem");
        let angle = find(&all, "ha/sensor/p_x/trunk_angle/config");
        assert_eq!(angle["unit_of_measurement"], "°");
        assert_eq!(angle["state_class"], "measurement");
        let link = find(
            &all,
            "ha/binary_sensor/p_x/strap_f0_5e_d0_00_00_01_link/config",
        );
        assert_eq!(link["device_class"], "connectivity");
        assert_eq!(link["state_topic"], "p/x/strap/f0_5e_d0_00_00_01");
        let battery = find(&all, "ha/sensor/p_x/strap_polar_h10_battery/config");
        assert_eq!(battery["device_class"], "battery");
        assert_eq!(battery["unit_of_measurement"], "%");
        let rep = find(&all, "ha/event/p_x/rep/config");
        assert_eq!(rep["event_types"], json!(["rep"]));
        let start = find(&all, "ha/select/p_x/start_exercise/config");
        assert_eq!(start["options"], json!(["plank", "prone-leg-raise"]));
        assert_eq!(start["command_topic"], "p/x/command/start");
        let snooze = find(&all, "ha/button/p_x/snooze/config");
        assert_eq!(snooze["command_topic"], "p/x/command/snooze");
        let hold = find(&all, "ha/sensor/p_x/set_hold/config");
        assert_eq!(hold["value_template"], "{{ value_json.hold_s }}");
        assert_eq!(hold["device_class"], "duration");
    }

    #[test]
    fn no_routines_no_routine_select_and_discovery_off_gives_nothing() {
        let t = Topics::new("p/x", "ha");
        let mut i = inv();
        i.routines.clear();
        assert!(
            !configs(&t, &i)
                .iter()
                .any(|(t, _)| t.contains("start_routine"))
        );
        assert!(configs(&Topics::new("p/x", ""), &inv()).is_empty());
    }
}
