//! The words every room shares, in one place: ids, why a set ended, sides,
//! placements, strap kinds and link states. Each has one text form: the one
//! serde writes, which the store keeps, the API and the live events send and
//! the configuration reads. [`Text`] gives it without serde; the tests below
//! hold the two together for every value.
//!
//! The types live where they are defined (the store, the detection core, the
//! exercise specs, the device layer); this module names them together and is
//! the place to import them from outside those rooms.

pub use crate::device::{LinkState, StrapKind};
pub use crate::exercises::Placement;
pub use crate::motion::Side;
pub use crate::store::{EndReason, SessionId, SetId};

/// A word's one text form.
pub trait Text: Sized + Copy + 'static {
    /// Every value, for parsing and tests.
    const ALL: &'static [Self];

    /// Its text form.
    fn text(self) -> &'static str;

    /// The value whose text form is `s`.
    fn from_text(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.text() == s)
    }
}

impl Text for Side {
    const ALL: &'static [Self] = &[Side::Left, Side::Right];

    fn text(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }
}

impl Text for EndReason {
    const ALL: &'static [Self] = &[
        EndReason::TargetReached,
        EndReason::Stopped,
        EndReason::QuietTimeout,
        EndReason::Interrupted,
    ];

    fn text(self) -> &'static str {
        self.as_str()
    }
}

impl Text for Placement {
    const ALL: &'static [Self] = &[
        Placement::Chest,
        Placement::UpperBack,
        Placement::LowerBack,
        Placement::Thigh,
        Placement::Ankle,
        Placement::Wrist,
        Placement::UpperArm,
        Placement::Any,
    ];

    fn text(self) -> &'static str {
        self.as_str()
    }
}

impl Text for StrapKind {
    const ALL: &'static [Self] = &[
        StrapKind::PolarH10,
        StrapKind::OpenImu,
        StrapKind::HeartRate,
    ];

    fn text(self) -> &'static str {
        self.as_str()
    }
}

impl Text for LinkState {
    const ALL: &'static [Self] = &[
        LinkState::Scanning,
        LinkState::Connecting,
        LinkState::Streaming,
        LinkState::Restarting,
        LinkState::Lost,
        LinkState::Reconnecting,
        LinkState::Stopped,
    ];

    fn text(self) -> &'static str {
        match self {
            LinkState::Scanning => "scanning",
            LinkState::Connecting => "connecting",
            LinkState::Streaming => "streaming",
            LinkState::Restarting => "restarting",
            LinkState::Lost => "lost",
            LinkState::Reconnecting => "reconnecting",
            LinkState::Stopped => "stopped",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use serde::de::DeserializeOwned;

    /// serde writes and reads exactly the text form, for every value.
    fn one_form<T: Text + Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>() {
        for &v in T::ALL {
            let json = serde_json::to_value(v).unwrap();
            assert_eq!(json, serde_json::json!(v.text()), "{v:?}");
            assert_eq!(serde_json::from_value::<T>(json).unwrap(), v);
            assert_eq!(T::from_text(v.text()), Some(v));
        }
        assert_eq!(T::from_text("nonsense"), None);
    }

    #[test]
    fn every_word_has_one_text_form() {
        one_form::<Side>();
        one_form::<EndReason>();
        one_form::<Placement>();
        one_form::<StrapKind>();
        one_form::<LinkState>();
    }

    #[test]
    fn ids_are_plain_numbers() {
        assert_eq!(
            serde_json::to_value(SetId(7)).unwrap(),
            serde_json::json!(7)
        );
        assert_eq!(
            serde_json::to_value(SessionId(8)).unwrap(),
            serde_json::json!(8)
        );
        assert_eq!("12".parse::<SetId>().unwrap(), SetId(12));
        assert!("x".parse::<SessionId>().is_err());
    }

    #[test]
    fn side_reads_what_it_writes() {
        for &s in Side::ALL {
            assert_eq!(s.text().parse::<Side>().unwrap(), s);
        }
    }
}
