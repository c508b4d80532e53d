//! The `[mqtt]` section: the broker, the credentials, where the topics go and
//! Home Assistant's discovery. Absent, MQTT is off.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Home Assistant's discovery prefix, unless configured.
pub const DEFAULT_DISCOVERY_PREFIX: &str = "homeassistant";

/// Publishing to an MQTT broker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttConfig {
    /// `mqtt://host:1883`, or `mqtts://host:8883` for TLS.
    pub url: String,
    /// User name, when the broker asks for one.
    #[serde(default)]
    pub username: Option<String>,
    /// Password, in the file (see `password_file` to keep it out of it).
    #[serde(default)]
    pub password: Option<String>,
    /// A file whose first line is the password.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// CA certificates (PEM) for `mqtts://`; default: the system's roots.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Every topic starts with this; default `postured/<hostname>`.
    #[serde(default)]
    pub base_topic: Option<String>,
    /// Home Assistant's discovery prefix; empty turns discovery off.
    #[serde(default = "default_prefix")]
    pub discovery_prefix: String,
    /// Whether state topics are retained (events never are).
    #[serde(default = "yes")]
    pub retain: bool,
}

fn default_prefix() -> String {
    DEFAULT_DISCOVERY_PREFIX.to_owned()
}

fn yes() -> bool {
    true
}

/// A broker address taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerUrl {
    /// Whether `mqtts://`.
    pub tls: bool,
    /// Host name or address (without brackets).
    pub host: String,
    /// Port (1883, 8883 for TLS, unless given).
    pub port: u16,
}

impl BrokerUrl {
    /// Parses `mqtt://host[:port]` or `mqtts://host[:port]`.
    pub fn parse(url: &str) -> Result<Self, String> {
        let (tls, rest) = if let Some(r) = url.strip_prefix("mqtts://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("mqtt://") {
            (false, r)
        } else {
            return Err(format!(
                "{url:?}: give mqtt://HOST:PORT or mqtts://HOST:PORT"
            ));
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let default_port = if tls { 8883 } else { 1883 };
        let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
            let (host, after) = v6
                .split_once(']')
                .ok_or_else(|| format!("{url:?}: no `]` after the IPv6 address"))?;
            (host, after.strip_prefix(':'))
        } else {
            match rest.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (rest, None),
            }
        };
        if host.is_empty() || host.contains(['/', '@', ' ']) {
            return Err(format!("{url:?}: no host name (mqtt://HOST:PORT)"));
        }
        let port = match port {
            None => default_port,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("{url:?}: the port must be 1 to 65535"))?,
        };
        Ok(Self {
            tls,
            host: host.to_owned(),
            port,
        })
    }
}

impl MqttConfig {
    /// The problem with these settings, as (key, message).
    pub fn check(&self) -> Result<(), (String, String)> {
        let bad = |key: &str, m: String| Err((format!("mqtt.{key}"), m));
        let url = match BrokerUrl::parse(&self.url) {
            Ok(u) => u,
            Err(m) => return bad("url", m),
        };
        if self.password.is_some() && self.password_file.is_some() {
            return bad(
                "password_file",
                "give `password` or `password_file`, not both".into(),
            );
        }
        if (self.password.is_some() || self.password_file.is_some()) && self.username.is_none() {
            return bad("username", "a password needs a `username`".into());
        }
        if self.ca_file.is_some() && !url.tls {
            return bad("ca_file", "a CA file is for mqtts:// URLs".into());
        }
        if let Some(base) = &self.base_topic
            && let Err(m) = check_topic(base)
        {
            return bad("base_topic", m);
        }
        if !self.discovery_prefix.is_empty()
            && let Err(m) = check_topic(&self.discovery_prefix)
        {
            return bad("discovery_prefix", m);
        }
        Ok(())
    }

    /// The password: from the configuration or the first line of its file.
    pub fn password(&self) -> std::io::Result<Option<String>> {
        if let Some(p) = &self.password {
            return Ok(Some(p.clone()));
        }
        let Some(file) = &self.password_file else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(file)?;
        Ok(Some(text.lines().next().unwrap_or("").to_owned()))
    }

    /// The base topic: configured, or `postured/<hostname>`.
    pub fn base_topic(&self) -> String {
        self.base_topic
            .clone()
            .unwrap_or_else(|| format!("postured/{}", hostname()))
    }
}

/// A topic prefix we publish under: no wildcards, no empty level at either end.
fn check_topic(t: &str) -> Result<(), String> {
    if t.is_empty() {
        return Err("must not be empty".into());
    }
    if t.contains(['+', '#', '\0']) {
        return Err(format!("{t:?}: no `+`, `#` in a topic we publish to"));
    }
    if t.starts_with('/') || t.ends_with('/') {
        return Err(format!("{t:?}: no `/` at the start or end"));
    }
    Ok(())
}

/// This machine's name, as a topic level (`/`, `+`, `#` and spaces made `_`).
pub fn hostname() -> String {
    let name = rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned();
    let name: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_whitespace() || matches!(c, '/' | '+' | '#') {
                '_'
            } else {
                c
            }
        })
        .collect();
    if name.is_empty() {
        "postured".into()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Config;

    #[test]
    fn urls() {
        let u = BrokerUrl::parse("mqtt://broker.local").unwrap();
        assert_eq!(
            (u.tls, u.host.as_str(), u.port),
            (false, "broker.local", 1883)
        );
        let u = BrokerUrl::parse("mqtts://10.0.0.2:8884/").unwrap();
        assert_eq!((u.tls, u.host.as_str(), u.port), (true, "10.0.0.2", 8884));
        let u = BrokerUrl::parse("mqtt://[::1]:1999").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 1999));
        assert_eq!(BrokerUrl::parse("mqtts://[::1]").unwrap().port, 8883);
        for bad in [
            "http://x",
            "mqtt://",
            "mqtt://h:0",
            "mqtt://h:x",
            "mqtt://u@h",
        ] {
            assert!(BrokerUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn off_unless_configured_and_defaults() {
        let c = Config::parse("", Path::new("c.toml")).unwrap();
        assert_eq!(c.mqtt, None);
        let c = Config::parse("[mqtt]\nurl = \"mqtt://h\"\n", Path::new("c.toml")).unwrap();
        let m = c.mqtt.unwrap();
        assert_eq!(m.discovery_prefix, "homeassistant");
        assert!(m.retain);
        assert!(m.base_topic().starts_with("postured/"));
    }

    #[test]
    fn mistakes_name_the_key_and_line() {
        let cases = [
            ("[mqtt]\nurl = \"tcp://h\"\n", "mqtt.url", 2),
            (
                "[mqtt]\nurl = \"mqtt://h\"\nusername = \"u\"\npassword = \"p\"\npassword_file = \"/f\"\n",
                "mqtt.password_file",
                5,
            ),
            (
                "[mqtt]\nurl = \"mqtt://h\"\npassword = \"p\"\n",
                "mqtt.username",
                1,
            ),
            (
                "[mqtt]\nurl = \"mqtt://h\"\nca_file = \"/ca.pem\"\n",
                "mqtt.ca_file",
                3,
            ),
            (
                "[mqtt]\nurl = \"mqtt://h\"\nbase_topic = \"a/#\"\n",
                "mqtt.base_topic",
                3,
            ),
            ("[mqtt]\nurl = \"mqtt://h\"\nbroker = \"x\"\n", "broker", 3),
            ("[mqtt]\nusername = \"u\"\n", "url", 1),
        ];
        for (text, key, line) in cases {
            let err = Config::parse(text, Path::new("c.toml"))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(key) && err.starts_with(&format!("c.toml:{line}:")),
                "{text:?}: {err}"
            );
        }
    }

    #[test]
    fn the_host_name_is_this_machine_s_as_a_topic_level() {
        let name = hostname();
        assert!(
            !name.is_empty() && !name.contains(['/', '+', '#', ' ']),
            "{name}"
        );
        if let Ok(proc) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
            assert_eq!(name, proc.trim().replace(['/', '+', '#', ' '], "_"));
        }
    }

    #[test]
    fn the_password_comes_from_its_file() {
        let dir = std::env::temp_dir().join(format!("postured-mqtt-pw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("pw");
        std::fs::write(&file, "s3cret\n").unwrap();
        let text =
            format!("[mqtt]\nurl = \"mqtt://h\"\nusername = \"u\"\npassword_file = {file:?}\n");
        let m = Config::parse(&text, Path::new("c.toml"))
            .unwrap()
            .mqtt
            .unwrap();
        assert_eq!(m.password().unwrap().as_deref(), Some("s3cret"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
