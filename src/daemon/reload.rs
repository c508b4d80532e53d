//! Reloading the configuration (SIGHUP, `systemctl reload postured`): which
//! settings apply at once and which wait for a restart.
//!
//! Posture, alerts, sets, cues and routines apply live: the strap tasks get the new
//! settings and keep their connections, calibration and running set. The
//! database, the exercise spec directory, the HTTP listener, the strap list and
//! MQTT are set up once at start; a change to them is reported and waits for the
//! next restart, and the daemon goes on with the old values meanwhile.

use std::path::PathBuf;

use crate::config::{Config, ConfigError};

/// The configuration file the daemon reads at start and again on SIGHUP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFile {
    /// Where it is.
    pub path: PathBuf,
    /// Named on the command line: then a missing file is an error, else it
    /// means the defaults.
    pub explicit: bool,
}

impl ConfigFile {
    /// Reads and checks it.
    pub fn load(&self) -> Result<Config, ConfigError> {
        Config::load(&self.path, self.explicit)
    }
}

/// What a reload changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reloaded {
    /// Settings applied now.
    pub applied: Vec<&'static str>,
    /// Settings that changed in the file but take effect at the next restart.
    pub need_restart: Vec<&'static str>,
}

/// Why a new configuration was refused (the old one stays in force).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReloadError {
    /// A routine names an exercise the daemon did not load at start.
    #[error(
        "routine {routine:?}: exercise {exercise:?} is not loaded (new spec files are read at start: restart postured)"
    )]
    NotLoaded {
        /// The routine.
        routine: String,
        /// The exercise.
        exercise: String,
    },
}

/// The configuration in force after reading `new` while `old` is in force: the
/// new live settings, the old start-time ones; and what changed.
pub fn merge(old: &Config, new: Config) -> (Config, Reloaded) {
    // Destructured in full so that a new setting has to be placed in one group.
    let Config {
        database,
        exercises_dir,
        http,
        posture,
        alerts,
        sets,
        cues,
        straps,
        routines,
        mqtt,
    } = new;
    let mut r = Reloaded::default();
    for (name, changed) in [
        ("posture", posture != old.posture),
        ("alerts", alerts != old.alerts),
        ("sets", sets != old.sets),
        ("cues", cues != old.cues),
        ("routine", routines != old.routines),
    ] {
        if changed {
            r.applied.push(name);
        }
    }
    for (name, changed) in [
        ("database", database != old.database),
        ("exercises_dir", exercises_dir != old.exercises_dir),
        ("http", http != old.http),
        ("strap", straps != old.straps),
        ("mqtt", mqtt != old.mqtt),
    ] {
        if changed {
            r.need_restart.push(name);
        }
    }
    let in_force = Config {
        database: old.database.clone(),
        exercises_dir: old.exercises_dir.clone(),
        http: old.http.clone(),
        straps: old.straps.clone(),
        mqtt: old.mqtt.clone(),
        posture,
        alerts,
        sets,
        cues,
        routines,
    };
    (in_force, r)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn parse(text: &str) -> Config {
        Config::parse(text, Path::new("c.toml")).unwrap()
    }

    #[test]
    fn live_settings_apply_and_the_rest_waits_for_a_restart() {
        let old = parse("[[strap]]\nname = \"Polar H10\"\nplacement = \"chest\"\n");
        let new = parse(
            "[alerts]\nsnooze_min = 5.0\n[posture]\ntolerance_deg = 20.0\n[http]\nlisten = \"127.0.0.1:9000\"\n",
        );
        let (in_force, r) = merge(&old, new);
        assert_eq!(r.applied, ["posture", "alerts"]);
        assert_eq!(r.need_restart, ["http", "strap"]);
        assert_eq!(in_force.alerts.snooze_min, 5.0);
        assert_eq!(in_force.posture.tolerance_deg, 20.0);
        assert_eq!(in_force.http, old.http);
        assert_eq!(in_force.straps, old.straps);
    }

    #[test]
    fn the_same_file_changes_nothing() {
        let old = parse(crate::config::DEFAULT_TOML);
        let (in_force, r) = merge(&old, old.clone());
        assert_eq!(r, Reloaded::default());
        assert_eq!(in_force, old);
    }
}
