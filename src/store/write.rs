//! The writes the daemon queues, and the SQL that applies each.
//!
//! Every write is idempotent where it can be (`INSERT OR REPLACE` keyed on what
//! the counter numbers), so a retried batch cannot double anything.

use rusqlite::{Connection, params};

use super::packing;
use super::types::{EndReason, SessionId, SetId, SetInfo};
use crate::motion::{Rep, Sample, Side, SlouchEpisode, WithdrawReason};
use crate::vocab::Text;

/// One queued write other than raw samples (those are batched apart).
#[derive(Debug, Clone)]
pub(super) enum Write {
    StartSession {
        id: SessionId,
        started_at: f64,
        routine: Option<String>,
    },
    EndSession {
        id: SessionId,
        ended_at: f64,
    },
    StartSet(SetInfo),
    EndSet {
        set: SetId,
        ended_at: f64,
        reason: EndReason,
        counted_reps: u32,
        live_reps: u32,
        withdrawn: Vec<(u32, WithdrawReason)>,
    },
    CorrectSet {
        set: SetId,
        reps: Option<u32>,
    },
    Rep {
        set: SetId,
        rep: Rep,
        counted: bool,
    },
    HeartRate {
        set: SetId,
        t: f64,
        bpm: u16,
    },
    Slouch {
        strap: String,
        episode: SlouchEpisode,
    },
    PostureTime {
        hour_start: i64,
        upright_s: f64,
        slouched_s: f64,
    },
    Feedback(super::Feedback),
}

/// The name stored for a side.
pub(super) fn side_str(side: Option<Side>) -> Option<&'static str> {
    side.map(Text::text)
}

/// Applies one write.
pub(super) fn apply(conn: &Connection, w: &Write) -> rusqlite::Result<()> {
    match w {
        Write::StartSession {
            id,
            started_at,
            routine,
        } => conn.execute(
            // An upsert, not REPLACE: replacing would delete (and cascade to) its sets.
            "INSERT INTO sessions (id, started_at, routine) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET
                 started_at = excluded.started_at, routine = excluded.routine",
            params![id.0, started_at, routine],
        ),
        Write::EndSession { id, ended_at } => conn.execute(
            "UPDATE sessions SET ended_at = ?2 WHERE id = ?1",
            params![id.0, ended_at],
        ),
        Write::StartSet(info) => start_set(conn, info),
        Write::EndSet {
            set,
            ended_at,
            reason,
            counted_reps,
            live_reps,
            withdrawn,
        } => {
            for (n, why) in withdrawn {
                conn.execute(
                    "UPDATE reps SET withdrawn = ?3 WHERE set_id = ?1 AND counted AND n = ?2",
                    params![set.0, n, why.as_str()],
                )?;
            }
            conn.execute(
                "UPDATE sets SET ended_at = ?2, end_reason = ?3, counted_reps = ?4, live_reps = ?5
                 WHERE id = ?1",
                params![set.0, ended_at, reason.as_str(), counted_reps, live_reps],
            )
        }
        Write::CorrectSet { set, reps } => conn.execute(
            "UPDATE sets SET corrected_reps = ?2 WHERE id = ?1",
            params![set.0, reps],
        ),
        Write::Rep { set, rep, counted } => record_rep(conn, *set, rep, *counted),
        Write::HeartRate { set, t, bpm } => conn.execute(
            "INSERT OR REPLACE INTO heart_rate (set_id, t, bpm) VALUES (?1, ?2, ?3)",
            params![set.0, t, bpm],
        ),
        Write::Slouch { strap, episode: e } => conn.execute(
            "INSERT OR REPLACE INTO slouch_episodes (strap, start_s, end_s, peak_deg, alert_s)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![strap, e.start_s, e.end_s, e.peak_deg, e.alert_s],
        ),
        Write::PostureTime {
            hour_start,
            upright_s,
            slouched_s,
        } => add_posture_time(conn, *hour_start, *upright_s, *slouched_s),
        Write::Feedback(f) => super::feedback::write(conn, f),
    }
    .map(drop)
}

/// Adds to the hour's totals: several straps and restarts write the same hour.
fn add_posture_time(
    conn: &Connection,
    hour_start: i64,
    upright_s: f64,
    slouched_s: f64,
) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO posture_hours (hour_start, upright_s, slouched_s) VALUES (?1, ?2, ?3)
         ON CONFLICT (hour_start) DO UPDATE SET
             upright_s = upright_s + excluded.upright_s,
             slouched_s = slouched_s + excluded.slouched_s",
        params![hour_start, upright_s, slouched_s],
    )
}

fn start_set(conn: &Connection, s: &SetInfo) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO sets
             (id, session_id, exercise, strap, side, started_at, target_reps, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET
             session_id = excluded.session_id, exercise = excluded.exercise,
             strap = excluded.strap, side = excluded.side, started_at = excluded.started_at,
             target_reps = excluded.target_reps, note = excluded.note",
        params![
            s.id.0,
            s.session.0,
            s.exercise,
            s.strap,
            side_str(s.side),
            s.started_at,
            s.target_reps,
            s.note,
        ],
    )
}

fn record_rep(conn: &Connection, set: SetId, rep: &Rep, counted: bool) -> rusqlite::Result<usize> {
    let flags = serde_json::to_string(&rep.flags).expect("flags serialize");
    let hold = rep.hold.as_ref();
    conn.execute(
        "INSERT OR REPLACE INTO reps (set_id, counted, n, start_s, end_s, hold_start_s,
             hold_end_s, hold_s, hold_breaks, peak_deg, side, score, flags)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            set.0,
            counted,
            rep.n,
            rep.start_s,
            rep.end_s,
            hold.map(|h| h.start_s),
            hold.map(|h| h.end_s),
            hold.map(|h| h.held_s),
            hold.map(|h| h.breaks),
            rep.peak_deg,
            side_str(rep.side),
            rep.score,
            flags,
        ],
    )
}

/// Stores one set's samples as as few chunks as the layout allows.
pub(super) fn append_samples(
    conn: &Connection,
    set: SetId,
    samples: &[Sample],
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO sample_chunks (set_id, t_first, t_last, samples, data)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for run in packing::split(samples) {
        let (first, last) = (run[0].t, run[run.len() - 1].t);
        let n = run.len() as i64;
        stmt.execute(params![set.0, first, last, n, packing::pack(run)])?;
    }
    Ok(())
}
