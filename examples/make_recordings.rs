//! Writes the small synthetic recordings in `examples/recordings/` that the README
//! and the CLI tests use. `cargo run --example make_recordings`.

use std::path::Path;

use postured::synth::{Motion, Rng, Sensor};

fn write(name: &str, m: &Motion, sensor: &Sensor) -> std::io::Result<()> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/recordings")
        .join(name);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
    postured::recording::write(&mut out, &m.render(sensor))?;
    println!(
        "{}: {:.0} s, truth {:?}",
        path.display(),
        m.duration(),
        m.truth()
    );
    Ok(())
}

fn main() -> std::io::Result<()> {
    // Five prone leg raises with the strap on the left thigh, mounted at an angle.
    let mut m = Motion::new().rest(4.0);
    for (angle, hold) in [
        (15.0, 9.0),
        (18.0, 10.5),
        (17.0, 12.0),
        (12.0, 6.0),
        (20.0, 10.0),
    ] {
        m = m.rep(angle, 1.5, hold, 1.5).rest(3.0);
    }
    let mut rng = Rng::new(11);
    let thigh = Sensor {
        rate_hz: 50.0,
        gyro: true,
        seed: 11,
        mounting: rng.rotation(120.0),
        ..Sensor::default()
    };
    write("prone-leg-raise-left-thigh.csv", &m, &thigh)?;

    // Ten minutes at a desk: two slouches (one long enough to alert at a 60 s
    // delay), a walk, and a lean back to upright.
    let m = Motion::new()
        .rest(30.0)
        .slouch(22.0, 3.0, 90.0)
        .rest(60.0)
        .walk(60.0)
        .rest(60.0)
        .slouch(18.0, 3.0, 40.0)
        .rest(240.0);
    let chest = Sensor {
        rate_hz: 10.0,
        seed: 12,
        mounting: rng.rotation(30.0),
        ..Sensor::default()
    };
    write("desk-chest.csv", &m, &chest)
}
