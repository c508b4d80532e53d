//! The recording apps' export formats count the same as postured's own CSV: the
//! example recordings are rewritten in each app's layout (as in
//! `tests/fixtures/recordings`) and analysed both ways.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use postured::analyze::{self, files};
use postured::exercises::builtin;
use postured::motion::{PostureConfig, Sample, Side};
use postured::recording;

const LEG: &str = "examples/recordings/prone-leg-raise-left-thigh.csv";
const DESK: &str = "examples/recordings/desk-chest.csv";

fn samples(path: &str) -> Vec<Sample> {
    recording::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap()
        .samples
}

fn dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("formats-{name}"));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The samples as a MetaWear accelerometer export and its gyroscope export.
fn write_metawear(samples: &[Sample], dir: &Path) -> PathBuf {
    let stem = "P_MetaWear_2026-01-02T10.00.00.000_D0C0FFEE0001_";
    let (mut acc, mut gyr) = (
        "epoch (ms),time (01:00),elapsed (s),x-axis (g),y-axis (g),z-axis (g)\n".to_owned(),
        "epoch (ms),time (01:00),elapsed (s),x-axis (deg/s),y-axis (deg/s),z-axis (deg/s)\n"
            .to_owned(),
    );
    let epoch0 = 1_767_348_000_000_i64;
    for s in samples {
        let ms = (s.t * 1000.0).round() as i64;
        let [x, y, z] = s.accel;
        let when = format!("{},2026-01-02T10:00:00.000,{:.3}", epoch0 + ms, s.t);
        writeln!(acc, "{when},{x:.5},{y:.5},{z:.5}").unwrap();
        let [a, b, c] = s.gyro.unwrap();
        writeln!(gyr, "{when},{a:.3},{b:.3},{c:.3}").unwrap();
    }
    std::fs::write(dir.join(format!("{stem}Gyroscope_50.000Hz_1.4.4.csv")), gyr).unwrap();
    let path = dir.join(format!("{stem}Accelerometer_50.000Hz_1.4.4.csv"));
    std::fs::write(&path, acc).unwrap();
    path
}

#[test]
fn a_metawear_export_pair_counts_like_the_csv() {
    let csv = samples(LEG);
    let path = write_metawear(&csv, &dir("metawear"));
    let joined = recording::read(&path).unwrap();
    assert!(joined.has_gyro);
    assert_eq!(joined.samples, csv, "the join gives back the same samples");
    let spec = builtin("prone-leg-raise").unwrap();
    let side = Some(Side::Left);
    assert_eq!(
        analyze::reps(&spec, &joined.samples, side, None),
        analyze::reps(&spec, &csv, side, None)
    );
}

#[test]
fn a_polar_sensor_logger_export_counts_like_the_csv_in_milli_g() {
    // The H10 gives whole milli-g and no gyro: compare with the same numbers.
    let csv: Vec<Sample> = samples(DESK)
        .into_iter()
        .map(|s| Sample::accel(s.t, s.accel.map(|a| (a * 1000.0).round() / 1000.0)))
        .collect();
    // The app's own header, and the same with the trailing space and the phone
    // time written with a blank that other loggers of the same layout write.
    for (header, phone) in [
        ("X [mg];Y [mg];Z [mg]", "2026-04-24T14:10:20.058"),
        ("X [mg];Y [mg];Z [mg] ", "2026-04-24 14:10:20.058"),
    ] {
        let mut text = format!("Phone timestamp;sensor timestamp [ns];{header}\n");
        let ns0 = 599_616_065_136_175_104_i64;
        for s in &csv {
            let ns = ns0 + (s.t * 1e9).round() as i64;
            let [x, y, z] = s.accel.map(|a| (a * 1000.0).round() as i64);
            writeln!(text, "{phone};{ns};{x};{y};{z}").unwrap();
        }
        let path = dir("polar").join("Polar_H10_16E0A933_20260424_141011_ACC.txt");
        std::fs::write(&path, text).unwrap();
        let polar = recording::read(&path).unwrap();
        assert_eq!(polar.samples, csv, "{header:?}");
        let cfg = PostureConfig::default();
        let report = analyze::posture(cfg, &polar.samples, None);
        assert_eq!(report, analyze::posture(cfg, &csv, None));
        assert_eq!(report.alerts, 1, "{report:?}");
    }
}

#[test]
fn a_reference_stretch_gives_the_same_report_streamed_as_in_memory() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DESK);
    let all = samples(DESK);
    for (from, to) in [(0.0, 20.0), (5.0, 5.1), (0.0, 1e6)] {
        let settings = files::Settings {
            task: files::Task::Posture(PostureConfig::default()),
            reference_s: Some((from, to)),
            progress: false,
        };
        let reference = analyze::reference_between(&all, from, to);
        let want = analyze::posture(PostureConfig::default(), &all, reference);
        assert_eq!(
            files::analyze(&path, &settings).unwrap(),
            files::Report::Posture(want),
            "{from}:{to}"
        );
    }
    let settings = files::Settings {
        task: files::Task::Posture(PostureConfig::default()),
        reference_s: Some((5000.0, 6000.0)),
        progress: false,
    };
    let err = files::analyze(&path, &settings).unwrap_err().to_string();
    assert!(
        err.contains("no samples between 5000 s and 6000 s"),
        "{err}"
    );
}
