//! The store against real SQLite files in temporary directories: schema and
//! migrations, round trips, a `kill -9` mid-set, and a full disk.

mod crash;
mod disk_full;
mod round_trip;
mod schema;

use std::path::{Path, PathBuf};

use postured::motion::{Flag, Hold, Rep, Sample, Side};
use postured::store::{SessionId, SetId, SetInfo};

/// A directory removed when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A fresh directory named after the test.
    pub fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("postured-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    /// The database file in it.
    pub fn db(&self) -> PathBuf {
        self.0.join("history.db")
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Wall-clock Unix seconds.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// A held rep numbered `n` ending at `t`.
pub fn rep(n: u32, t: f64) -> Rep {
    Rep {
        n,
        start_s: t - 4.0,
        end_s: t,
        hold: Some(Hold {
            start_s: t - 3.0,
            end_s: t - 1.0,
            held_s: 1.75,
            breaks: 1,
        }),
        peak_deg: 31.5,
        side: Some(Side::Left),
        score: 0.8,
        flags: vec![Flag::ShortHold, Flag::Drifted],
    }
}

/// A set of prone leg raises on the thigh strap.
pub fn set_info(id: i64, session: i64, started_at: f64) -> SetInfo {
    SetInfo {
        id: SetId(id),
        session: SessionId(session),
        exercise: "prone-leg-raise".into(),
        strap: "thigh".into(),
        side: Some(Side::Left),
        started_at,
        target_reps: Some(10),
        note: None,
    }
}

/// `n` samples at 200 Hz from `t`, with gyro.
pub fn samples(t: f64, n: usize) -> Vec<Sample> {
    (0..n)
        .map(|i| Sample {
            t: t + i as f64 * 0.005,
            accel: [0.01 * (i % 10) as f64, -0.02, 0.998],
            gyro: Some([1.5, -0.5, i as f64 * 0.1]),
        })
        .collect()
}
