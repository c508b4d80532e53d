//! No input makes a decoder panic: every decoder over arbitrary bytes, and over
//! mutations of the valid vectors (so the deeper paths are reached too).
//! 20 000 cases per property; `PROPTEST_CASES` overrides.

use postured::protocol::{hrs, open_imu, pmd};
use proptest::prelude::*;

fn decode_all(b: &[u8]) {
    let _ = hrs::decode_heart_rate(b);
    let _ = hrs::decode_battery(b);
    let _ = pmd::decode_control(b);
    let _ = pmd::parse_settings(b);
    for res in [0, 8, 16, 24, 32, 40, 65535] {
        let _ = pmd::decode_acc(b, 1.0, res);
        let _ = pmd::decode_acc(b, 0.000_244, res);
    }
    let _ = open_imu::decode_frame(b);
    let _ = open_imu::Config::decode(b);
    let _ = open_imu::decode_placement(b);
}

const VALID: &[&[u8]] = &[
    &[0x11, 0x00, 0x00, 0xFF, 0xFF, 0x7F, 0x80],
    &[
        0x02, 0xEA, 0x54, 0xA2, 0x42, 0x8B, 0x45, 0x52, 0x08, 0x01, 0x45, 0xFF, 0xE4, 0xFF, 0xB5,
        0x03, 0x45, 0xFF, 0xE4, 0xFF, 0xB8, 0x03,
    ],
    &[
        0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0x81, 0xF1, 0xFF, 0x14, 0x00, 0xF0, 0x03, 0x06, 0x01, 0x7B,
        0x0F, 0x08,
    ],
    &[
        0xF0, 0x01, 0x02, 0x00, 0x00, 0x00, 0x04, 0x19, 0x00, 0x32, 0x00, 0x64, 0x00, 0xC8, 0x00,
        0x01, 0x01, 0x10, 0x00,
    ],
    &[
        0x01, 0x01, 0x07, 0x00, 0x40, 0x42, 0x0F, 0x00, 0x10, 0x27, 0x01, 0x00, 0x00, 0x00, 0x00,
        0xE8, 0x03, 0x0A, 0x00, 0x00, 0x00, 0xF6, 0xFF,
    ],
];

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(20_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..300)) {
        decode_all(&b);
    }

    #[test]
    fn mutated_vectors_never_panic(
        which in 0..VALID.len(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        cut in any::<prop::sample::Index>(),
        tail in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        let mut b = VALID[which].to_vec();
        for (i, v) in edits {
            let k = i.index(b.len());
            b[k] = v;
        }
        b.truncate(cut.index(b.len() + 1));
        b.extend(tail);
        decode_all(&b);
    }
}
