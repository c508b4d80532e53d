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
            ["short_of_target", "lead_in", "lead_out", "out_of_rhythm"].contains(&reason),
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
