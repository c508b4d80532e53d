//! The H10's control point exchange and data stream.

use super::*;
use crate::scenario::{Placement, Scenario, Side, StrapKind};

fn h10() -> PolarH10 {
    let info = StrapInfo {
        kind: StrapKind::PolarH10,
        placement: Placement::Chest,
        side: Side::Left,
        index: 0,
    };
    PolarH10::new(info, 1, 10.0)
}

fn motion() -> Motion {
    let text = "straps = [{kind = \"polar-h10\", placement = \"chest\"}]\n[[segments]]\nactivity = \"stand\"\nduration_s = 100\n";
    let sc = Scenario::parse(text, "t.toml".as_ref()).unwrap();
    Motion {
        timeline: crate::motion::plan::Timeline::new(&sc, 1),
        start: 0.0,
    }
}

#[test]
fn control_point_vectors_and_errors() {
    let mut s = h10();
    assert_eq!(
        s.control(&[1, 2], 0.0),
        pmd::settings_response(2, &Capabilities::h10_acc())
    );
    let start = [
        0x02, 0x02, 0x02, 0x01, 0x08, 0x00, 0x00, 0x01, 0xC8, 0x00, 0x01, 0x01, 0x10, 0x00,
    ];
    assert_eq!(s.control(&start, 0.0), [0xF0, 0x02, 0x02, 0x00, 0x00, 0x01]);
    assert_eq!(s.control(&start, 0.0)[3], Status::AlreadyInState as u8);
    assert_eq!(s.control(&[3, 2], 1.0), [0xF0, 0x03, 0x02, 0x00, 0x00]);
    assert_eq!(s.control(&[3, 2], 1.0)[3], Status::AlreadyInState as u8);
    let bad_rate = [0x02, 0x02, 0x00, 0x01, 0x34, 0x00];
    assert_eq!(
        s.control(&bad_rate, 0.0)[3],
        Status::InvalidSampleRate as u8
    );
    let bad_range = [0x02, 0x02, 0x00, 0x01, 0x32, 0x00, 0x02, 0x01, 0x10, 0x00];
    assert_eq!(s.control(&bad_range, 0.0)[3], Status::InvalidRange as u8);
    assert_eq!(s.control(&[1, 5], 0.0)[3], Status::NotSupported as u8);
    assert_eq!(s.control(&[1, 0x30], 0.0)[3], Status::InvalidType as u8);
    assert_eq!(s.control(&[9, 2], 0.0)[3], Status::InvalidOpcode as u8);
    assert_eq!(s.control(&[2], 0.0)[3], Status::InvalidLength as u8);
}

#[test]
fn acc_frames_are_contiguous_with_the_device_clock() {
    let mut s = h10();
    let m = motion();
    s.set_notifying(&pmd_uuid(PMD_CONTROL), true, 0.0);
    s.set_notifying(&pmd_uuid(PMD_DATA), true, 0.0);
    let start = [
        0x02, 0x02, 0x00, 0x01, 0xC8, 0x00, 0x01, 0x01, 0x10, 0x00, 0x02, 0x01, 0x08, 0x00,
    ];
    let ind = s.write(&pmd_uuid(PMD_CONTROL), &start, 2.0).unwrap();
    assert_eq!(ind[0].bytes, [0xF0, 0x02, 0x02, 0x00, 0x00, 0x01]);
    let frames: Vec<_> = s
        .tick(&m, 12.0)
        .into_iter()
        .filter(|n| n.uuid == pmd_uuid(PMD_DATA))
        .collect();
    // 10 s at 200 Hz = 2000 samples = 55 whole frames of 36.
    assert_eq!(frames.len(), 55);
    let ts: Vec<u64> = frames
        .iter()
        .map(|f| u64::from_le_bytes(f.bytes[1..9].try_into().unwrap()))
        .collect();
    for w in ts.windows(2) {
        assert_eq!(w[1] - w[0], 36 * 5_000_000);
    }
    assert!(ts[0] > pmd::H10_CLOCK_RESET_NS);
    let f = &frames[0].bytes;
    assert_eq!((f[0], f[9], f.len()), (2, 1, 10 + 36 * 6));
    // Standing: gravity along the strap's z, about +1000 mG.
    let z = i16::from_le_bytes([f[14], f[15]]);
    assert!((900..1100).contains(&z), "{z}");
}

const START_200HZ: [u8; 14] = [
    0x02, 0x02, 0x02, 0x01, 0x08, 0x00, 0x00, 0x01, 0xC8, 0x00, 0x01, 0x01, 0x10, 0x00,
];

fn subscribed(s: &mut PolarH10, t: f64) {
    s.set_notifying(&pmd_uuid(PMD_CONTROL), true, t);
    s.set_notifying(&pmd_uuid(PMD_DATA), true, t);
}

#[test]
fn the_acc_stream_survives_a_link_loss_until_stopped() {
    let (mut s, m) = (h10(), motion());
    subscribed(&mut s, 0.0);
    s.control(&START_200HZ, 0.0);
    assert!(!s.tick(&m, 1.0).is_empty());
    s.disconnected();
    // Nobody subscribed: frames are made (the stream runs on) but not sent.
    assert!(s.tick(&m, 2.0).is_empty());
    assert!(s.streaming());
    // Resubscribed (BlueZ restores the CCCDs): only frames from now on arrive.
    subscribed(&mut s, 2.0);
    let frames = s.tick(&m, 2.5);
    assert!((2..=3).contains(&frames.len()), "{}", frames.len());
    assert_eq!(
        s.control(&START_200HZ, 2.5)[3],
        Status::AlreadyInState as u8
    );
    s.power_off();
    assert!(!s.streaming());
}

#[test]
fn stop_indication_and_silence() {
    let (mut s, m) = (h10(), motion());
    subscribed(&mut s, 0.0);
    assert!(s.stop_on_its_own().is_none(), "nothing to stop");
    s.control(&START_200HZ, 0.0);
    s.set_silent(true);
    assert!(s.tick(&m, 1.0).is_empty());
    // STOP and START bring a silent stream back.
    s.control(&[3, 2], 1.0);
    s.control(&START_200HZ, 1.0);
    assert!(!s.tick(&m, 2.0).is_empty());
    let n = s.stop_on_its_own().unwrap();
    assert_eq!(n.bytes, [0x01, 0x02]);
    assert!(s.tick(&m, 3.0).is_empty());
}

#[test]
fn long_answers_are_split_with_the_more_flag() {
    let mut s = h10();
    s.set_notifying(&pmd_uuid(PMD_CONTROL), true, 0.0);
    s.set_max_packet(Some(10));
    let whole = s.control(&[1, 2], 0.0);
    let parts = s.write(&pmd_uuid(PMD_CONTROL), &[1, 2], 0.0).unwrap();
    assert!(parts.len() > 2);
    assert_eq!(parts[0].bytes[..5], [0xF0, 0x01, 0x02, 0x00, 0x01]);
    let mut joined = parts[0].bytes.clone();
    for (i, p) in parts.iter().enumerate().skip(1) {
        assert!(p.bytes.len() <= 10);
        assert_eq!(p.bytes[0], u8::from(i + 1 < parts.len()));
        joined.extend_from_slice(&p.bytes[1..]);
    }
    joined[4] = 0;
    assert_eq!(joined, whole);
    // The H10's own short answers stay whole.
    assert_eq!(
        split_answer(&[0xF0, 0x02, 0x02, 0x00, 0x00, 0x01], Some(10)).len(),
        1
    );
}
