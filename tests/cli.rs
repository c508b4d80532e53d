//! The `postured` binary as a user runs it: output shapes, errors and exit codes.

use std::path::Path;
use std::process::{Command, Output};

fn postured(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_postured"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run postured")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const LEG: &str = "examples/recordings/prone-leg-raise-left-thigh.csv";
const DESK: &str = "examples/recordings/desk-chest.csv";

#[test]
fn analyze_json_has_the_documented_shape() {
    let o = postured(&[
        "analyze",
        "--exercise",
        "prone-leg-raise",
        "--input",
        LEG,
        "--side",
        "left",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["exercise"], "prone-leg-raise");
    assert!(v["samples"].as_u64().unwrap() > 4000);
    assert!(v["duration_s"].as_f64().unwrap() > 80.0);
    let reps = v["reps"].as_array().unwrap();
    assert_eq!(reps.len(), 5);
    let truth_holds = [9.0, 10.5, 12.0, 6.0, 10.0];
    for (i, (r, hold)) in reps.iter().zip(truth_holds).enumerate() {
        for key in [
            "n", "start_s", "end_s", "hold_s", "peak_deg", "side", "score", "flags",
        ] {
            assert!(r.get(key).is_some(), "rep {i} lacks {key}");
        }
        assert_eq!(r["n"], i + 1);
        assert_eq!(r["side"], "left");
        assert!((r["hold_s"].as_f64().unwrap() - hold).abs() <= 0.3, "{r}");
    }
    assert_eq!(reps[3]["flags"], serde_json::json!(["short_hold"]));
    assert_eq!(
        v["summary"],
        serde_json::json!({"reps": 5, "target_reps": 5, "holds_in_range": 4})
    );
}

#[test]
fn analyze_movement_has_null_hold_and_side() {
    let o = postured(&["analyze", "--exercise", "reps", "--input", LEG]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for r in v["reps"].as_array().unwrap() {
        assert!(r["hold_s"].is_null() && r["side"].is_null(), "{r}");
    }
}

#[test]
fn analyze_table_is_for_people() {
    let o = postured(&[
        "analyze",
        "-e",
        "prone-leg-raise",
        "-i",
        LEG,
        "--format",
        "table",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("reps 5 of 5; holds in range 4"), "{out}");
    assert!(out.contains("short_hold"), "{out}");
}

#[test]
fn analyze_posture_finds_the_episodes_and_one_alert() {
    let o = postured(&["analyze", "--posture", "--input", DESK]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let eps = v["episodes"].as_array().unwrap();
    assert_eq!(eps.len(), 2, "{v}");
    assert_eq!(v["alerts"], 1);
    assert!(eps[1]["alert_s"].is_null());
    let f = v["upright_fraction"].as_f64().unwrap();
    assert!((0.6..0.9).contains(&f), "{f}");
    // A longer delay: no alerts; an explicit reference works too.
    let o = postured(&[
        "analyze",
        "--posture",
        "-i",
        DESK,
        "--delay-s",
        "120",
        "--reference-s",
        "0:20",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["alerts"], 0, "{v}");
}

#[test]
fn a_bad_line_is_named_with_its_column() {
    let dir = tempdir();
    let path = dir.join("bad.csv");
    std::fs::write(&path, "t,ax,ay,az\n0,0,0,1\n0.02,0,zero,1\n").unwrap();
    let o = postured(&["analyze", "-e", "reps", "-i", path.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("line 3") && err.contains("`ay`") && err.contains("zero"),
        "{err}"
    );
}

#[test]
fn unknown_exercise_and_bad_spec_say_what_to_do() {
    let o = postured(&["analyze", "-e", "leg-raise", "-i", LEG]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("postured exercises list"),
        "{}",
        stderr(&o)
    );

    let dir = tempdir();
    let spec = dir.join("mine.toml");
    let text = "id = \"mine\"\nname = \"Mine\"\nplacement = [\"thigh\"]\n[measure]\nkind = \"tilt\"\n[target]\nreps = 0\n";
    std::fs::write(&spec, text).unwrap();
    let o = postured(&["analyze", "-e", spec.to_str().unwrap(), "-i", LEG]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("mine.toml") && err.contains("target.reps"),
        "{err}"
    );
}

#[test]
fn a_user_spec_file_counts_like_the_builtin() {
    let dir = tempdir();
    let spec = dir.join("leg.toml");
    let show = postured(&["exercises", "show", "prone-leg-raise"]);
    assert!(show.status.success());
    std::fs::write(&spec, stdout(&show)).unwrap();
    let o = postured(&["analyze", "-e", spec.to_str().unwrap(), "-i", LEG]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["summary"]["reps"], 5);
}

#[test]
fn exercises_list_names_every_builtin() {
    let o = postured(&["exercises", "list"]);
    let out = stdout(&o);
    for id in [
        "prone-leg-raise",
        "wall-slide",
        "pectoral-stretch",
        "shoulder-rolls",
        "reps",
        "hold",
    ] {
        assert!(out.contains(id), "{id} missing from {out}");
    }
    let o = postured(&["exercises", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 21);
}

#[test]
fn help_explains_itself() {
    let o = postured(&["analyze", "--help"]);
    let out = stdout(&o);
    assert!(
        out.contains("--reference-s") && out.contains("stillness") && out.contains("Examples"),
        "{out}"
    );
    assert!(
        !postured(&["analyze", "--posture", "-e", "reps", "-i", LEG])
            .status
            .success()
    );
}

#[test]
fn analyze_reads_standard_input_and_gzipped_files_alike() {
    use std::io::Write;
    let args = ["analyze", "-e", "prone-leg-raise", "--side", "left", "-i"];
    let file = postured(&[&args[..], &[LEG]].concat());
    assert!(file.status.success(), "{}", stderr(&file));
    let stdin = Command::new(env!("CARGO_BIN_EXE_postured"))
        .args([&args[..], &["-"]].concat())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::fs::File::open(Path::new(env!("CARGO_MANIFEST_DIR")).join(LEG)).unwrap())
        .output()
        .unwrap();
    assert!(stdin.status.success(), "{}", stderr(&stdin));
    assert_eq!(stdout(&stdin), stdout(&file));
    let gz = tempdir().join("leg.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(LEG)).unwrap())
        .unwrap();
    enc.finish().unwrap();
    let zipped = postured(&[&args[..], &[gz.to_str().unwrap()]].concat());
    assert_eq!(stdout(&zipped), stdout(&file), "{}", stderr(&zipped));
}

#[test]
fn several_inputs_give_a_json_line_each_and_a_bad_one_fails_the_run() {
    let bad = tempdir().join("not-a-recording.csv");
    std::fs::write(&bad, "time;x;y;z\n0;0;0;1\n").unwrap();
    let o = postured(&[
        "analyze",
        "-e",
        "prone-leg-raise",
        "-i",
        LEG,
        bad.to_str().unwrap(),
        LEG,
    ]);
    assert!(!o.status.success());
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{}", stdout(&o));
    for i in [0, 2] {
        assert_eq!(lines[i]["file"], LEG);
        assert_eq!(lines[i]["summary"]["reps"], 5, "{}", lines[i]);
        assert!(lines[i].get("error").is_none());
    }
    let err = lines[1]["error"].as_str().unwrap();
    assert!(
        err.contains("Polar Sensor Logger") && err.contains("MetaWear"),
        "{err}"
    );
    assert!(stderr(&o).contains("1 of 3 recordings"), "{}", stderr(&o));
}

#[test]
fn a_folder_gives_a_table_row_per_recording_in_name_order() {
    let dir = tempdir().join("folder");
    std::fs::create_dir_all(&dir).unwrap();
    let leg = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(LEG)).unwrap();
    for name in ["b.csv", "a.csv"] {
        std::fs::write(dir.join(name), &leg).unwrap();
    }
    std::fs::write(dir.join("notes.md"), "not a recording").unwrap();
    let o = postured(&[
        "analyze",
        "-e",
        "prone-leg-raise",
        "-i",
        dir.to_str().unwrap(),
        "--format",
        "table",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert!(
        rows[0].contains("reps") && rows[0].ends_with("file"),
        "{out}"
    );
    assert!(
        rows[1].ends_with("a.csv") && rows[2].ends_with("b.csv"),
        "{out}"
    );
    assert_eq!(rows[1].split_whitespace().nth(2), Some("5"), "{out}");
}

#[test]
fn a_folder_of_app_exports_reads_each_recording_once() {
    // The MetaWear gyroscope export is read with its accelerometer export, not
    // on its own.
    let o = postured(&["analyze", "-e", "reps", "-i", "tests/fixtures/recordings"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let files: Vec<&str> = lines.iter().map(|l| l["file"].as_str().unwrap()).collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files[0].ends_with("Polar_H10_16E0A933_20260424_141011_ACC.txt"));
    assert!(files[1].contains("_Accelerometer_"));
    assert_eq!(lines[0]["samples"], 12);
    assert_eq!(lines[1]["samples"], 8);
}

#[test]
fn a_recording_in_m_s2_milliseconds_or_rad_s_counts_as_in_g_s_and_deg_s_and_says_so() {
    // Many exports keep the acceleration in m/s^2, the time in ms and the gyro
    // in rad/s; postured's CSV is in g, s and deg/s.
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(LEG)).unwrap();
    let converted = |time: f64, accel: f64, gyro: f64| {
        let mut lines = text.lines();
        let mut out = format!("{}\n", lines.next().unwrap());
        for line in lines {
            let mut fields: Vec<String> = line.split(',').map(str::to_owned).collect();
            for (i, f) in fields.iter_mut().enumerate() {
                let k = match i {
                    0 => time,
                    1..=3 => accel,
                    _ => gyro,
                };
                *f = (f.parse::<f64>().unwrap() * k).to_string();
            }
            out += &(fields.join(",") + "\n");
        }
        out
    };
    let args = ["analyze", "-e", "prone-leg-raise", "--side", "left", "-i"];
    let in_g: serde_json::Value =
        serde_json::from_str(&stdout(&postured(&[&args[..], &[LEG]].concat()))).unwrap();
    assert_eq!(in_g["warnings"], serde_json::json!([]));
    for (time, accel, gyro, said) in [
        (1.0, 9.806_65, 1.0, "m/s^2"),
        (1000.0, 1.0, 1.0, "milliseconds"),
        (1.0, 1.0, 1f64.to_radians(), "rad/s"),
    ] {
        let file = tempdir().join(format!("leg-{said}.csv").replace('/', "-"));
        std::fs::write(&file, converted(time, accel, gyro)).unwrap();
        let o = postured(&[&args[..], &[file.to_str().unwrap()]].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["summary"], in_g["summary"], "{v}");
        let reps = v["reps"].as_array().unwrap();
        for (a, b) in reps.iter().zip(in_g["reps"].as_array().unwrap()) {
            let hold = |r: &serde_json::Value| r["hold_s"].as_f64().unwrap();
            assert!((hold(a) - hold(b)).abs() <= 0.05, "{a} {b}");
        }
        let warning = v["warnings"][0].as_str().unwrap();
        assert!(warning.contains(said), "{warning}");
    }
}

fn tempdir() -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// SIGTERM stops `postured run` even while a dashboard holds the live stream
/// open: a graceful shutdown must not wait for a stream that never ends (systemd
/// would kill it after its stop timeout, before the last writes were saved).
#[test]
fn sigterm_stops_the_daemon_with_a_live_stream_open() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};

    let dir = tempdir().join("sigterm");
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = dir.join("postured.toml");
    std::fs::write(
        &config,
        format!(
            "database = {:?}\n[http]\nlisten = \"127.0.0.1:{port}\"\n",
            dir.join("history.db")
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_postured"))
        .args(["run", "--config", config.to_str().unwrap()])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut stream = loop {
        match std::net::TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => break s,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("the daemon never listened: {e}"),
        }
    };
    write!(
        stream,
        "GET /api/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut head = [0u8; 64];
    let n = stream.read(&mut head).unwrap();
    assert!(
        String::from_utf8_lossy(&head[..n]).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&head[..n])
    );

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("postured run did not stop on SIGTERM with a live stream open");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
}

/// A real set of 30 reps (10 correct, 10 fast, 10 low-amplitude), gzipped as it is
/// kept in the repository: read as it is, settled, and drawn.
#[test]
fn analyze_reads_gzip_settles_and_plots() {
    let dir = tempdir();
    let svg = dir.join("count.svg");
    let input = "data/physio-pt/sets/s1-e4-supine-leg-abduction-test-u3.csv.gz";
    let o = postured(&[
        "analyze",
        "--exercise",
        "reps",
        "--input",
        input,
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let reps = v["reps"].as_array().unwrap().len();
    assert!((29..=31).contains(&reps), "{reps} reps of 30");
    assert!(v["live_reps"].as_u64().is_some() && v["warnings"].as_array().is_some());
    for a in v["attempts"].as_array().unwrap() {
        let reason = a["reason"].as_str().unwrap();
        assert!(
            [
                "short_of_target",
                "lead_in",
                "lead_out",
                "out_of_rhythm",
                "partial"
            ]
            .contains(&reason),
            "{a}"
        );
    }
    let drawn = std::fs::read_to_string(&svg).unwrap();
    assert!(drawn.starts_with("<svg") && drawn.trim_end().ends_with("</svg>"));
    assert!(
        drawn.contains(&format!("reps: {reps} reps counted")),
        "{}",
        &drawn[..400]
    );
    // Every counted rep is numbered on the picture.
    assert!(drawn.contains(&format!(">{reps}</text>")));
}

/// Output into a pipe whose reader has gone (`postured analyze -i dir/ | head`)
/// ends the run quietly and successfully, as `cat` and `rg` do: no panic, no
/// error.
#[test]
fn a_reader_that_stops_reading_ends_the_run_quietly() {
    for args in [
        &["exercises", "list"][..],
        &["analyze", "--exercise", "reps", "--input", LEG],
        &[
            "analyze",
            "--exercise",
            "reps",
            "--input",
            LEG,
            LEG,
            "-f",
            "table",
        ],
    ] {
        // The reader gone before the first write: every write fails.
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let o = Command::new(env!("CARGO_BIN_EXE_postured"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(writer)
            .output()
            .expect("run postured");
        assert!(
            o.status.success(),
            "{args:?}: {:?}: {}",
            o.status,
            stderr(&o)
        );
        assert_eq!(stderr(&o), "", "{args:?}");
    }
}
