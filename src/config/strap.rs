//! One strap entry of the configuration.
//!
//! Straps are matched by address or by the beginning of their name.

use serde::{Deserialize, Serialize};

use crate::exercises::Placement;
use crate::motion::Side;

/// Default accelerometer rate asked of a strap (Hz).
pub const DEFAULT_RATE_HZ: u16 = 100;
/// Default accelerometer range asked of a strap (G).
pub const DEFAULT_RANGE_G: u16 = 8;

/// One strap to use. A strap that matches no entry is ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrapConfig {
    /// Bluetooth address (`A0:9E:1A:12:34:56`); matched case-insensitively.
    #[serde(default)]
    pub address: Option<String>,
    /// Advertised name, or its beginning (`Polar H10 1234ABCD`, `Polar H10`).
    #[serde(default)]
    pub name: Option<String>,
    /// Where it is worn.
    pub placement: Placement,
    /// Which side, for a strap on a limb.
    #[serde(default)]
    pub side: Option<Side>,
    /// Accelerometer rate to ask for (Hz): 25, 50, 100 or 200 on a Polar H10.
    #[serde(default = "default_rate")]
    pub rate_hz: u16,
    /// Accelerometer range to ask for (G): 2, 4 or 8 on a Polar H10.
    #[serde(default = "default_range")]
    pub range_g: u16,
}

fn default_rate() -> u16 {
    DEFAULT_RATE_HZ
}
fn default_range() -> u16 {
    DEFAULT_RANGE_G
}

impl StrapConfig {
    /// A strap found by address.
    pub fn by_address(address: &str, placement: Placement) -> Self {
        Self {
            address: Some(address.to_owned()),
            name: None,
            placement,
            side: None,
            rate_hz: DEFAULT_RATE_HZ,
            range_g: DEFAULT_RANGE_G,
        }
    }

    /// Whether a strap with this address and name is this entry.
    pub fn matches(&self, address: &str, name: Option<&str>) -> bool {
        let by_address = self
            .address
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case(address));
        let by_name = match (&self.name, name) {
            (Some(want), Some(have)) => have.starts_with(want.as_str()),
            _ => false,
        };
        by_address || by_name
    }

    /// What to call it in logs and events: the address, else the name.
    pub fn label(&self) -> String {
        self.address
            .clone()
            .or_else(|| self.name.clone())
            .unwrap_or_else(|| "strap".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_by_address_or_name_prefix() {
        let mut c = StrapConfig::by_address("F0:5E:D0:00:00:01", Placement::Chest);
        assert!(c.matches("f0:5e:d0:00:00:01", None));
        assert!(!c.matches("F0:5E:D0:00:00:02", Some("Polar H10 1")));
        c.address = None;
        c.name = Some("Polar H10".into());
        assert!(c.matches("F0:5E:D0:00:00:02", Some("Polar H10 5E1D0002")));
        assert!(!c.matches("F0:5E:D0:00:00:02", Some("OpenIMU B001")));
    }

    #[test]
    fn unknown_keys_are_errors_and_defaults_fill_in() {
        let c: StrapConfig =
            toml::from_str("name = \"Polar H10\"\nplacement = \"chest\"\n").unwrap();
        assert_eq!((c.rate_hz, c.range_g), (100, 8));
        let err = toml::from_str::<StrapConfig>("placement = \"chest\"\nrate = 200\n").unwrap_err();
        assert!(err.to_string().contains("rate"), "{err}");
    }
}
