//! Every topic postured publishes to or listens on, from the base topic. Pure.

/// The topics of one postured instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    /// `postured/<hostname>` or the configured base.
    pub base: String,
    /// Home Assistant's discovery prefix; `None` with discovery off.
    pub discovery: Option<String>,
    /// The Home Assistant node (device) id: the base topic as a slug.
    pub node_id: String,
}

impl Topics {
    /// Topics under `base`; discovery under `prefix` unless it is empty.
    pub fn new(base: &str, prefix: &str) -> Self {
        Self {
            base: base.to_owned(),
            discovery: (!prefix.is_empty()).then(|| prefix.to_owned()),
            node_id: slug(base),
        }
    }

    /// `online` / `offline`, retained; the last will says `offline`.
    pub fn availability(&self) -> String {
        format!("{}/availability", self.base)
    }

    /// Posture and trunk angle (JSON).
    pub fn posture(&self) -> String {
        format!("{}/posture", self.base)
    }

    /// The running set, or none (JSON).
    pub fn set(&self) -> String {
        format!("{}/set", self.base)
    }

    /// Today's totals (JSON).
    pub fn today(&self) -> String {
        format!("{}/today", self.base)
    }

    /// One strap's link, battery and heart rate (JSON).
    pub fn strap(&self, strap_slug: &str) -> String {
        format!("{}/strap/{strap_slug}", self.base)
    }

    /// Events of one kind (`rep`, `set_ended`, ...), never retained.
    pub fn event(&self, kind: &str) -> String {
        format!("{}/event/{kind}", self.base)
    }

    /// Where the command `name` is received.
    pub fn command(&self, name: &str) -> String {
        format!("{}/command/{name}", self.base)
    }

    /// Every command topic, to subscribe to.
    pub fn command_filter(&self) -> String {
        format!("{}/command/+", self.base)
    }

    /// The command a topic is, if it is one of ours.
    pub fn command_name<'a>(&self, topic: &'a str) -> Option<&'a str> {
        topic
            .strip_prefix(&self.base)?
            .strip_prefix("/command/")
            .filter(|n| !n.contains('/'))
    }

    /// Answers to commands (JSON, never retained).
    pub fn command_result(&self) -> String {
        format!("{}/command_result", self.base)
    }

    /// A discovery config topic: `PREFIX/COMPONENT/NODE/OBJECT/config`.
    pub fn discovery_config(&self, component: &str, object_id: &str) -> Option<String> {
        let prefix = self.discovery.as_ref()?;
        Some(format!(
            "{prefix}/{component}/{}/{object_id}/config",
            self.node_id
        ))
    }

    /// Every discovery config topic of this node, to find stale ones.
    pub fn discovery_filter(&self) -> Option<String> {
        let prefix = self.discovery.as_ref()?;
        Some(format!("{prefix}/+/{}/+/config", self.node_id))
    }

    /// Whether `topic` is a discovery config of this node.
    pub fn is_own_discovery(&self, topic: &str) -> bool {
        let Some(prefix) = &self.discovery else {
            return false;
        };
        let Some(rest) = topic.strip_prefix(prefix.as_str()) else {
            return false;
        };
        let parts: Vec<&str> = rest.split('/').collect();
        matches!(parts.as_slice(), ["", _, node, _, "config"] if *node == self.node_id)
    }
}

/// A topic level or id made of `[a-z0-9_]`: other characters become `_`,
/// runs of them one `_` (`F0:5E:D0:00:00:01` -> `f0_5e_d0_00_00_01`).
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_');
    if out.is_empty() {
        "x".into()
    } else {
        out.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_under_the_base() {
        let t = Topics::new("postured/desk", "homeassistant");
        assert_eq!(t.node_id, "postured_desk");
        assert_eq!(t.availability(), "postured/desk/availability");
        assert_eq!(t.strap("f0_5e"), "postured/desk/strap/f0_5e");
        assert_eq!(t.event("rep"), "postured/desk/event/rep");
        assert_eq!(t.command_name("postured/desk/command/start"), Some("start"));
        assert_eq!(t.command_name("postured/desk/command/a/b"), None);
        assert_eq!(t.command_name("postured/deskx/command/start"), None);
        assert_eq!(
            t.discovery_config("sensor", "trunk_angle").as_deref(),
            Some("homeassistant/sensor/postured_desk/trunk_angle/config")
        );
        assert!(t.is_own_discovery("homeassistant/sensor/postured_desk/x/config"));
        assert!(!t.is_own_discovery("homeassistant/sensor/postured_other/x/config"));
        assert!(!t.is_own_discovery("homeassistantx/sensor/postured_desk/x/config"));
        let off = Topics::new("p", "");
        assert_eq!(off.discovery_config("sensor", "x"), None);
        assert_eq!(off.discovery_filter(), None);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("F0:5E:D0:00:00:01"), "f0_5e_d0_00_00_01");
        assert_eq!(slug("Polar H10 1234"), "polar_h10_1234");
        assert_eq!(slug("--"), "x");
    }
}
