//! The recording readers against small files in each format's layout
//! (`tests/fixtures/recordings`) and against their failure cases.

use super::*;

fn p(text: &str) -> Result<Recording, RecordingError> {
    parse(text.as_bytes(), Path::new("rec.csv"))
}

#[test]
fn reads_accel_only_and_ignores_other_columns() {
    let r = p("t,ax,ay,az,label\n0,0,0,1,x\n0.01,0.1,0,0.99,y\n").unwrap();
    assert_eq!(r.samples.len(), 2);
    assert!(!r.has_gyro);
    assert_eq!(r.samples[1].accel, [0.1, 0.0, 0.99]);
}

#[test]
fn reads_gyro_in_any_column_order() {
    let r = p("gz,gy,gx,az,ay,ax,t\n3,2,1,1,0,0,0\n").unwrap();
    assert_eq!(r.samples[0].gyro, Some([1.0, 2.0, 3.0]));
    assert_eq!(r.samples[0].accel, [0.0, 0.0, 1.0]);
}

#[test]
fn a_bad_number_names_line_and_column() {
    let err = p("t,ax,ay,az\n0,0,0,1\n0.1,0,abc,1\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("line 3") && err.contains("`ay`") && err.contains("abc"),
        "{err}"
    );
}

#[test]
fn nan_and_infinity_are_not_numbers() {
    assert!(p("t,ax,ay,az\n0,NaN,0,1\n").is_err());
    assert!(p("t,ax,ay,az\n0,0,inf,1\n").is_err());
}

#[test]
fn time_going_backwards_names_the_line() {
    let err = p("t,ax,ay,az\n0,0,0,1\n1,0,0,1\n0.5,0,0,1\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 4") && err.contains("`t`"), "{err}");
}

#[test]
fn short_line_is_reported() {
    let err = p("t,ax,ay,az\n0,0,0,1\n0.1,0\n").unwrap_err().to_string();
    assert!(err.contains("line 3"), "{err}");
}

#[test]
fn missing_column_says_what_is_needed() {
    let err = p("t,ax,ay\n0,0,0\n").unwrap_err().to_string();
    assert!(err.contains("`az`"), "{err}");
    assert!(p("t,ax,ay,az,gx\n0,0,0,1,1\n").is_err());
}

#[test]
fn write_then_read_round_trips() {
    let samples = vec![
        Sample {
            t: 0.0,
            accel: [0.0, 0.0, 1.0],
            gyro: Some([1.0, 2.0, 3.0]),
        },
        Sample {
            t: 0.005,
            accel: [0.5, -0.25, 0.75],
            gyro: Some([0.0, 0.0, 0.0]),
        },
    ];
    let mut buf = Vec::new();
    write(&mut buf, &samples).unwrap();
    assert_eq!(
        parse(buf.as_slice(), Path::new("x")).unwrap().samples,
        samples
    );
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/recordings")
        .join(name)
}

const POLAR: &str = "Polar_H10_16E0A933_20260424_141011_ACC.txt";
const METAWEAR: &str =
    "S1-raise_MetaWear_2026-01-02T10.00.00.000_D0C0FFEE0001_Accelerometer_12.500Hz_1.4.4.csv";

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn polar_sensor_logger_acc_is_in_g_from_the_first_sample() {
    let o = open(&fixture(POLAR)).unwrap();
    assert_eq!(o.samples.format(), Format::PolarAcc);
    assert!(!o.samples.has_gyro());
    let s: Vec<Sample> = o.samples.collect::<Result<_, _>>().unwrap();
    assert_eq!(s.len(), 12);
    assert_eq!(s[0].t, 0.0);
    assert!(close(s[11].t, 0.055), "{}", s[11].t);
    assert_eq!(s[0].accel, [-0.953, 0.063, 0.425]);
    assert_eq!(s[0].gyro, None);
}

#[test]
fn metawear_accelerometer_is_joined_with_its_gyroscope_on_time() {
    let o = open(&fixture(METAWEAR)).unwrap();
    assert_eq!(o.samples.format(), Format::MetaWearAccel);
    assert!(o.samples.has_gyro());
    let s: Vec<Sample> = o.samples.collect::<Result<_, _>>().unwrap();
    assert_eq!(s.len(), 8);
    assert!(close(s[1].t, 0.08) && close(s[7].t, 0.56));
    assert_eq!(s[0].accel, [-0.211, 0.77, -0.41]);
    // 1767348001400 ms lies 7/40 of the way from the gyroscope's ...393 to ...433.
    let g = s[0].gyro.unwrap();
    assert!(
        close(g[0], 14.7) && close(g[1], -2.0) && close(g[2], 0.5875),
        "{g:?}"
    );
    // The last accelerometer sample comes after the last gyroscope one: held.
    assert_eq!(s[7].gyro, Some([70.0, -2.0, 7.5]));
}

#[test]
fn a_metawear_gyroscope_file_alone_says_which_file_to_give() {
    let gyro = fixture(METAWEAR)
        .to_str()
        .unwrap()
        .replace("Accelerometer_12.500Hz", "Gyroscope_25.000Hz");
    let err = open(Path::new(&gyro)).unwrap_err().to_string();
    assert!(err.contains("Accelerometer file"), "{err}");
}

#[test]
fn metawear_accelerometer_alone_has_no_gyro() {
    let text = std::fs::read(fixture(METAWEAR)).unwrap();
    let s = from_readers(text.as_slice(), Path::new("a.csv"), None).unwrap();
    assert!(!s.has_gyro());
    assert_eq!(s.count(), 8);
}

#[test]
fn gzipped_files_read_the_same() {
    use std::io::Write;
    let text = std::fs::read(fixture(POLAR)).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&text).unwrap();
    let gz = gz.finish().unwrap();
    let plain = parse(text.as_slice(), Path::new("a.txt")).unwrap();
    assert_eq!(parse(gz.as_slice(), Path::new("a.txt.gz")).unwrap(), plain);
}

#[test]
fn an_unknown_header_lists_the_supported_formats() {
    let err = p("time;x;y;z\n0;0;0;1\n").unwrap_err().to_string();
    for name in ["t,ax,ay,az", "Polar Sensor Logger", "MetaWear"] {
        assert!(err.contains(name), "{err}");
    }
    assert!(matches!(p(""), Err(RecordingError::Empty { .. })));
}

#[test]
fn polar_errors_name_the_line_and_the_column() {
    let head = "Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]\n";
    let err = p(&format!("{head}a;10;1;2;3\nb;20;1;x;3\n"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 3") && err.contains("`Y [mg]`"), "{err}");
    let err = p(&format!("{head}a;20;1;2;3\nb;10;1;2;3\n"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("line 3") && err.contains("`sensor timestamp [ns]`"),
        "{err}"
    );
}

#[test]
fn semicolons_and_decimal_commas_read_in_postured_layout_too() {
    let r = p("t;ax;ay;az\n0;0,5;0;1\n0,01;0;0;1\n").unwrap();
    assert_eq!(r.samples[0].accel, [0.5, 0.0, 1.0]);
    assert!(close(r.samples[1].t, 0.01));
}

#[test]
fn streaming_stops_after_the_first_error() {
    let mut s = from_readers(
        &b"t,ax,ay,az\n0,0,0,1\n1,x,0,1\n2,0,0,1\n"[..],
        Path::new("r.csv"),
        None,
    )
    .unwrap();
    assert!(s.next().unwrap().is_ok());
    assert!(s.next().unwrap().is_err());
    assert!(s.next().is_none());
}

/// A postured CSV of `n` samples at 50 Hz, the strap tilted and turning a
/// little, its acceleration multiplied by `unit` (9.80665 for m/s^2).
fn tilted_csv(n: usize, unit: f64) -> String {
    let mut text = String::from("t,ax,ay,az,gx,gy,gz\n");
    for i in 0..n {
        let a = 0.3 + 0.1 * (i as f64 * 0.2).sin();
        let (s, c) = a.sin_cos();
        text += &format!("{},{},0,{},5,0,0\n", i as f64 * 0.02, s * unit, c * unit);
    }
    text
}

fn samples_of(text: &str) -> (Vec<Sample>, Option<String>) {
    let mut s = from_readers(text.as_bytes(), Path::new("r.csv"), None).unwrap();
    let samples = s.by_ref().collect::<Result<Vec<_>, _>>().unwrap();
    (samples, s.unit_notes().first().cloned())
}

#[test]
fn acceleration_in_m_s2_or_milli_g_is_read_as_g_and_said_so() {
    let (in_g, note) = samples_of(&tilted_csv(200, 1.0));
    assert_eq!(note, None);
    for unit in [9.806_65, 1000.0] {
        let (read, note) = samples_of(&tilted_csv(200, unit));
        let note = note.expect("a note on the unit");
        assert!(
            note.contains(if unit > 100.0 { "milli-g" } else { "m/s^2" }),
            "{note}"
        );
        assert_eq!(read.len(), in_g.len());
        for (a, b) in read.iter().zip(&in_g) {
            assert!((0..3).all(|k| close(a.accel[k], b.accel[k])), "{a:?} {b:?}");
            assert_eq!(a.gyro, b.gyro, "the gyro keeps its deg/s");
        }
    }
    // Fewer samples than are looked at to tell, or gravity taken out of the
    // acceleration: read as they are, the latter with a warning.
    let (read, note) = samples_of(&tilted_csv(3, 9.806_65));
    assert_eq!((read.len(), note.is_some()), (3, true));
    assert!(close(read[2].accel[2], tilted_csv_z(2)));
    let (_, note) = samples_of("t,ax,ay,az\n0,0.01,0,0.02\n0.02,0,0.01,0\n");
    assert!(note.unwrap().contains("check its unit"));
}

fn tilted_csv_z(i: usize) -> f64 {
    (0.3 + 0.1 * (i as f64 * 0.2).sin()).cos()
}

#[test]
fn telling_the_unit_loses_no_sample_before_a_bad_line() {
    let mut text = tilted_csv(10, 9.806_65);
    text += "0.2,x,0,9.8\n0.22,0,0,9.8\n";
    let mut s = from_readers(text.as_bytes(), Path::new("r.csv"), None).unwrap();
    for _ in 0..10 {
        let sample = s.next().unwrap().unwrap();
        assert!(sample.accel[2] < 1.0, "converted: {sample:?}");
    }
    let err = s.next().unwrap().unwrap_err().to_string();
    assert!(err.contains("line 12"), "{err}");
    assert!(s.next().is_none());
}

#[test]
fn time_in_milli_micro_or_nanoseconds_is_read_as_seconds_and_said_so() {
    let at = |unit: f64, step: f64| {
        let mut text = String::from("t,ax,ay,az\n");
        for i in 0..100 {
            text += &format!("{},0,0,1\n", (1000.0 + i as f64 * step) * unit);
        }
        let mut s = from_readers(text.as_bytes(), Path::new("r.csv"), None).unwrap();
        let samples = s.by_ref().collect::<Result<Vec<_>, _>>().unwrap();
        (samples, s.unit_notes().to_vec())
    };
    let (in_s, notes) = at(1.0, 0.02);
    assert!(notes.is_empty(), "{notes:?}");
    for (unit, name) in [(1e3, "milli"), (1e6, "micro"), (1e9, "nano")] {
        let (read, notes) = at(unit, 0.02);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains(name) && notes[0].contains("50 Hz"),
            "{notes:?}"
        );
        for (a, b) in read.iter().zip(&in_s) {
            assert!((a.t - b.t).abs() < 1e-6, "{} {}", a.t, b.t);
        }
    }
    // A slow logger in seconds (1 Hz) stays in seconds.
    let (read, notes) = at(1.0, 1.0);
    assert!(
        notes.is_empty() && close(read[1].t - read[0].t, 1.0),
        "{notes:?}"
    );
}

/// A strap swinging about its x axis (amplitude 30 deg, 0.5 Hz) for `secs` at
/// 50 Hz, its gyro multiplied by `unit` (deg/s to rad/s: 1/57.3).
fn swinging_csv(secs: f64, unit: f64, amplitude_deg: f64) -> String {
    let mut text = String::from("t,ax,ay,az,gx,gy,gz\n");
    for i in 0..(secs * 50.0) as usize {
        let t = i as f64 / 50.0;
        let w = std::f64::consts::TAU * 0.5;
        let angle = amplitude_deg.to_radians() * (w * t).sin();
        let rate = amplitude_deg * w * (w * t).cos();
        text += &format!(
            "{t},0,{},{},{},{},0\n",
            angle.sin(),
            angle.cos(),
            rate * unit,
            0.4 * unit
        );
    }
    text
}

#[test]
fn a_gyro_in_rad_s_is_told_by_the_turning_it_reads_and_converted() {
    let read = |text: &str| {
        let mut s = from_readers(text.as_bytes(), Path::new("r.csv"), None).unwrap();
        let samples = s.by_ref().collect::<Result<Vec<_>, _>>().unwrap();
        (samples, s.unit_notes().to_vec())
    };
    let (in_deg, notes) = read(&swinging_csv(20.0, 1.0, 30.0));
    assert!(notes.is_empty(), "{notes:?}");
    let (in_rad, notes) = read(&swinging_csv(20.0, 1f64.to_radians(), 30.0));
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("rad/s"), "{notes:?}");
    for (a, b) in in_rad.iter().zip(&in_deg) {
        let (ga, gb) = (a.gyro.unwrap(), b.gyro.unwrap());
        assert!(
            (0..3).all(|k| (ga[k] - gb[k]).abs() < 1e-6),
            "{ga:?} {gb:?}"
        );
    }
    // A strap that does not turn tells nothing: read as it is.
    let (still, notes) = read(&swinging_csv(20.0, 1f64.to_radians(), 0.0));
    assert!(notes.is_empty(), "{notes:?}");
    assert!(close(still[0].gyro.unwrap()[1], 0.4 * 1f64.to_radians()));
}
