//! The PMD control point as a conversation, without I/O: joining an answer
//! split over several indications with the "more" flag, telling answers from
//! the strap's own stop indication, and choosing settings the strap supports.
//!
//! A continuation packet is `[more][params...]`: Polar's SDK
//! (`BlePMDClient.sendPmdCommand`) reads the first byte as the "more" flag and
//! appends the rest to the first packet's parameters. An H10's answers fit one
//! packet at its MTU; other Polar sensors' may not.

use crate::protocol::{DecodeError, pmd};

/// What one control point indication completed.
#[derive(Debug, Clone, PartialEq)]
pub enum Indication {
    /// The answer is not complete yet ("more" set).
    Partial,
    /// A complete answer (joined if it was split).
    Answer(pmd::Control),
    /// The strap stopped these measurements on its own.
    Stopped(Vec<u8>),
}

/// Joins control point indications into answers.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    /// The answer so far, with its "more" byte cleared.
    partial: Option<Vec<u8>>,
}

impl Answers {
    /// Starts afresh (a new request, or a new connection).
    pub fn reset(&mut self) {
        self.partial = None;
    }

    /// Takes one indication.
    pub fn push(&mut self, packet: &[u8]) -> Result<Indication, DecodeError> {
        if let Some(mut joined) = self.partial.take() {
            let (&more, params) = packet.split_first().ok_or(DecodeError::TooShort {
                what: "PMD control point continuation",
                length: 0,
                min: 1,
            })?;
            joined.extend_from_slice(params);
            if more != 0 {
                self.partial = Some(joined);
                return Ok(Indication::Partial);
            }
            return pmd::decode_control(&joined).map(Indication::Answer);
        }
        match pmd::decode_control(packet)? {
            pmd::Control::Stopped { measurements } => Ok(Indication::Stopped(measurements)),
            pmd::Control::Response { more: true, .. } => {
                let mut first = packet.to_vec();
                first[4] = 0;
                self.partial = Some(first);
                Ok(Indication::Partial)
            }
            answer => Ok(Indication::Answer(answer)),
        }
    }
}

/// The status of an answer (None for a stop indication).
pub fn status_of(c: &pmd::Control) -> Option<pmd::Status> {
    match c {
        pmd::Control::Response { status, .. } => Some(*status),
        pmd::Control::Stopped { .. } => None,
    }
}

/// The supported value nearest `want` (or `want` if the list is empty).
pub fn pick(supported: &[u16], want: u16) -> u16 {
    supported
        .iter()
        .copied()
        .min_by_key(|v| v.abs_diff(want))
        .unwrap_or(want)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTINGS: [u8; 27] = [
        0xF0, 0x01, 0x02, 0x00, 0x00, 0x00, 0x04, 0x19, 0x00, 0x32, 0x00, 0x64, 0x00, 0xC8, 0x00,
        0x01, 0x01, 0x10, 0x00, 0x02, 0x03, 0x02, 0x00, 0x04, 0x00, 0x08, 0x00,
    ];

    #[test]
    fn joins_an_answer_split_with_the_more_flag() {
        let mut first = SETTINGS[..10].to_vec();
        first[4] = 1;
        let second = [&[1u8][..], &SETTINGS[10..19]].concat();
        let third = [&[0u8][..], &SETTINGS[19..]].concat();
        let mut a = Answers::default();
        assert_eq!(a.push(&first).unwrap(), Indication::Partial);
        assert_eq!(a.push(&second).unwrap(), Indication::Partial);
        let Indication::Answer(joined) = a.push(&third).unwrap() else {
            panic!("an answer")
        };
        assert_eq!(joined, pmd::decode_control(&SETTINGS).unwrap());
        let s = joined.settings().unwrap();
        assert_eq!(
            (s.sample_rates, s.ranges),
            (vec![25, 50, 100, 200], vec![2, 4, 8])
        );
    }

    #[test]
    fn whole_answers_and_stop_indications() {
        let mut a = Answers::default();
        let start = a.push(&[0xF0, 0x02, 0x02, 0x00, 0x00, 0x01]).unwrap();
        let Indication::Answer(c) = start else {
            panic!("{start:?}")
        };
        // The H10's trailing reserved byte is not a settings list.
        assert_eq!(status_of(&c), Some(pmd::Status::Success));
        assert_eq!(a.push(&[0x01, 0x02]).unwrap(), Indication::Stopped(vec![2]));
        assert!(a.push(&[0x07]).is_err());
    }

    #[test]
    fn picks_the_nearest_supported_value() {
        assert_eq!(pick(&[25, 50, 100, 200], 130), 100);
        assert_eq!(pick(&[25, 50, 100, 200], 200), 200);
        assert_eq!(pick(&[], 100), 100);
    }
}
