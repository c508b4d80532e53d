//! Configuration: TOML, every key optional with a sensible default, unknown keys
//! are errors, and an error names the file, the line and the key.
//!
//! `postured print-default-config` prints [`DEFAULT_TOML`], a commented example
//! that parses to [`Config::default`]. The daemon never writes its config.

mod cues;
mod mqtt;
mod strap;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use cues::CueConfig;
pub use mqtt::{BrokerUrl, DEFAULT_DISCOVERY_PREFIX, MqttConfig, hostname};
pub use strap::{DEFAULT_RANGE_G, DEFAULT_RATE_HZ, StrapConfig};

use crate::motion::PostureConfig;

/// The commented example configuration.
pub const DEFAULT_TOML: &str = include_str!("default.toml");
/// Where the HTTP API listens by default: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8621";
/// Default time without a rep after which a set ends by itself (s).
pub const DEFAULT_QUIET_TIMEOUT_S: f64 = 120.0;
/// Default snooze of slouch alerts (min).
pub const DEFAULT_SNOOZE_MIN: f64 = 30.0;

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The SQLite database; default: `$STATE_DIRECTORY/postured.db` under systemd,
    /// else `$XDG_STATE_HOME/postured/postured.db`.
    pub database: Option<PathBuf>,
    /// A directory of your own exercise specs (`*.toml`, as `postured exercises
    /// show ID` prints them); one with a built-in's id replaces it. Default:
    /// `exercises/` beside this configuration file.
    pub exercises_dir: Option<PathBuf>,
    /// The HTTP API and dashboard.
    pub http: HttpConfig,
    /// Slouch detection.
    pub posture: PostureConfig,
    /// How alerts reach the wearer.
    pub alerts: AlertConfig,
    /// Exercise sets.
    pub sets: SetConfig,
    /// Cues during a set: strap buzz, and the dashboard's ticks, tone, speech.
    pub cues: CueConfig,
    /// Straps to use; a strap not listed is ignored.
    #[serde(rename = "strap")]
    pub straps: Vec<StrapConfig>,
    /// Routines: exercises done one set after another.
    #[serde(rename = "routine")]
    pub routines: Vec<Routine>,
    /// Publishing to an MQTT broker (Home Assistant); off when absent.
    pub mqtt: Option<MqttConfig>,
}

/// The HTTP API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Address and port; anything but loopback needs a token.
    pub listen: SocketAddr,
    /// Host names accepted besides loopback ones (DNS-rebinding protection).
    pub allowed_hosts: Vec<String>,
    /// Bearer token required on every API request, when set.
    pub token: Option<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN
                .parse()
                .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8621))),
            allowed_hosts: Vec::new(),
            token: None,
        }
    }
}

/// How alerts reach the wearer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertConfig {
    /// A desktop notification, when a session bus is there.
    pub desktop: bool,
    /// A vibration, on straps that can.
    pub vibrate: bool,
    /// How long a snooze lasts (min).
    pub snooze_min: f64,
}

impl Default for AlertConfig {
    fn default() -> Self {
        Self {
            desktop: true,
            vibrate: true,
            snooze_min: DEFAULT_SNOOZE_MIN,
        }
    }
}

/// Exercise sets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SetConfig {
    /// A set with no rep for this long ends by itself (s).
    pub quiet_timeout_s: f64,
}

impl Default for SetConfig {
    fn default() -> Self {
        Self {
            quiet_timeout_s: DEFAULT_QUIET_TIMEOUT_S,
        }
    }
}

/// Exercises done one set after another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Routine {
    /// What to call it.
    pub name: String,
    /// Exercise ids (built-in or from the user's spec directory), in order.
    pub exercises: Vec<String>,
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read {}: {reason}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: std::io::Error,
    },
    /// Malformed TOML, a wrong type, an unknown key or a bad value.
    #[error("{}:{line}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line (1 when it concerns the whole file).
        line: usize,
        /// What is wrong, naming the key.
        message: String,
    },
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line where `key = ...` first appears, for errors found after parsing.
fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| l.trim_start().starts_with(key) && l.contains('='))
        .map_or(1, |i| i + 1)
}

impl Config {
    /// Parses and checks a configuration; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_owned(),
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            message: e.message().trim().to_owned(),
        })?;
        cfg.check().map_err(|(key, message)| ConfigError::Invalid {
            path: path.to_owned(),
            line: line_of_key(text, key.rsplit('.').next().unwrap_or(&key)),
            message: format!("`{key}`: {message}"),
        })?;
        Ok(cfg)
    }

    /// Reads a configuration file; a missing file at the default place gives the
    /// defaults, a missing file named explicitly is an error.
    pub fn load(path: &Path, explicit: bool) -> Result<Self, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let mut cfg = Self::parse(&text, path)?;
                // Your own specs sit beside the file that was read.
                if cfg.exercises_dir.is_none() {
                    cfg.exercises_dir = Some(path.with_file_name("exercises"));
                }
                Ok(cfg)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Ok(Self::default()),
            Err(source) => Err(ConfigError::Io {
                path: path.to_owned(),
                reason: source,
            }),
        }
    }

    fn check(&self) -> Result<(), (String, String)> {
        let p = &self.posture;
        if !(p.tolerance_deg > 0.0 && p.tolerance_deg < 90.0) {
            return Err((
                "posture.tolerance_deg".into(),
                "must be between 0 and 90 degrees".into(),
            ));
        }
        if !(p.delay_s >= 0.0 && p.delay_s.is_finite()) {
            return Err((
                "posture.delay_s".into(),
                "must be zero or more seconds".into(),
            ));
        }
        if self.sets.quiet_timeout_s.is_nan() || self.sets.quiet_timeout_s <= 0.0 {
            return Err((
                "sets.quiet_timeout_s".into(),
                "must be more than zero seconds".into(),
            ));
        }
        if !self.http.listen.ip().is_loopback()
            && self.http.token.as_deref().unwrap_or("").len() < 16
        {
            return Err((
                "http.token".into(),
                "a token of at least 16 characters is needed to listen beyond loopback".into(),
            ));
        }
        if let Some(m) = &self.mqtt {
            m.check()?;
        }
        for (i, s) in self.straps.iter().enumerate() {
            if s.address.is_none() && s.name.is_none() {
                return Err((
                    format!("strap[{i}].address"),
                    "give the strap's address or name".into(),
                ));
            }
        }
        let dir = self.exercises_path();
        let known = |id: &str| {
            crate::exercises::builtin(id).is_some() || dir.join(format!("{id}.toml")).exists()
        };
        for r in &self.routines {
            if let Some(bad) = r.exercises.iter().find(|id| !known(id)) {
                return Err((
                    "exercises".into(),
                    format!(
                        "routine {:?}: no exercise {bad:?} (`postured exercises list`)",
                        r.name
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Where user exercise specs live.
    pub fn exercises_path(&self) -> PathBuf {
        self.exercises_dir
            .clone()
            .unwrap_or_else(|| default_path().with_file_name("exercises"))
    }

    /// Where the database goes when the config does not say.
    pub fn database_path(&self) -> PathBuf {
        if let Some(p) = &self.database {
            return p.clone();
        }
        if let Some(dir) = std::env::var_os("STATE_DIRECTORY") {
            return PathBuf::from(dir).join("postured.db");
        }
        state_home().join("postured").join("postured.db")
    }
}

fn state_home() -> PathBuf {
    std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The config file used when none is given: `/etc/postured/config.toml` for the
/// system service (run as root or with `CONFIGURATION_DIRECTORY` set by systemd),
/// else `$XDG_CONFIG_HOME/postured/config.toml`.
pub fn default_path() -> PathBuf {
    if let Some(dir) = std::env::var_os("CONFIGURATION_DIRECTORY") {
        return PathBuf::from(dir).join("config.toml");
    }
    let home = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    match home {
        Some(h) => h.join("postured").join("config.toml"),
        None => PathBuf::from("/etc/postured/config.toml"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_example_and_an_empty_file_give_the_defaults() {
        assert_eq!(
            Config::parse(DEFAULT_TOML, Path::new("default.toml")).unwrap(),
            Config::default()
        );
        assert_eq!(
            Config::parse("", Path::new("empty.toml")).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = Config::parse(
            "[posture]\ntolerance_deg = 12\ndelay = 30\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("c.toml:3:") && err.contains("delay"),
            "{err}"
        );
    }

    #[test]
    fn bad_values_name_the_key_and_line() {
        let err = Config::parse("[posture]\n\ntolerance_deg = 120\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("c.toml:3:") && err.contains("posture.tolerance_deg"),
            "{err}"
        );
        let err = Config::parse("[http]\nlisten = \"0.0.0.0:8621\"\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("http.token"), "{err}");
        let err = Config::parse(
            "[[routine]]\nname = \"am\"\nexercises = [\"plonk\"]\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("plonk") && err.starts_with("c.toml:3:"),
            "{err}"
        );
    }

    #[test]
    fn own_specs_sit_beside_the_file_read_and_a_missing_file_says_why_once() {
        let dir = std::env::temp_dir().join(format!("postured-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("elsewhere.toml");
        std::fs::write(&file, "[posture]\ndelay_s = 30.0\n").unwrap();
        let cfg = Config::load(&file, true).unwrap();
        assert_eq!(cfg.exercises_path(), dir.join("exercises"));
        std::fs::write(&file, "exercises_dir = \"/srv/specs\"\n").unwrap();
        let cfg = Config::load(&file, true).unwrap();
        assert_eq!(cfg.exercises_path(), Path::new("/srv/specs"));

        let err = Config::load(&dir.join("missing.toml"), true).unwrap_err();
        let chain = format!("{:#}", anyhow::Error::new(err));
        assert_eq!(chain.matches("No such file").count(), 1, "{chain}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn straps_and_routines() {
        let text = "[[strap]]\nname = \"Polar H10\"\nplacement = \"chest\"\n\n[[strap]]\naddress = \"F0:5E:D0:00:00:02\"\nplacement = \"thigh\"\nside = \"left\"\nrate_hz = 200\n\n[[routine]]\nname = \"morning\"\nexercises = [\"prone-leg-raise\", \"wall-slide\"]\n";
        let c = Config::parse(text, Path::new("c.toml")).unwrap();
        assert_eq!(c.straps.len(), 2);
        assert_eq!(c.straps[1].rate_hz, 200);
        assert_eq!(c.routines[0].exercises.len(), 2);
    }
}
