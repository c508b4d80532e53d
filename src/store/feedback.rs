//! How a set or a session felt: pain and effort (0-10) and a free note, as the
//! wearer gives them after it ends. One entry per set, or per session when no
//! set is named; giving it again replaces it.

use rusqlite::{Connection, Row, params};
use serde::{Deserialize, Serialize};

use super::types::{SessionId, SetId};
use super::worker::Job;
use super::write::Write;
use super::{Store, StoreError};

/// The highest pain or effort score.
pub const MAX_SCORE: u8 = 10;

/// How a set (or a whole session) felt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    /// The session.
    pub session: SessionId,
    /// The set, or `None` for the session as a whole.
    pub set: Option<SetId>,
    /// When it was given (Unix s).
    pub at: f64,
    /// Pain, 0 (none) to 10 (the worst imaginable).
    pub pain: Option<u8>,
    /// Effort, 0 (none) to 10 (the most possible).
    pub effort: Option<u8>,
    /// Free text.
    pub note: Option<String>,
}

impl Store {
    /// Keeps how a set or session felt, replacing what was given for it before.
    pub fn record_feedback(&self, feedback: Feedback) {
        self.send(Job::Write(Write::Feedback(feedback)));
    }

    /// Feedback given in `[from, to)` (Unix s; `None` is open), oldest first.
    pub async fn feedback(
        &self,
        from: Option<f64>,
        to: Option<f64>,
    ) -> Result<Vec<Feedback>, StoreError> {
        self.call(move |c| Ok(in_range(c, from, to)?)).await
    }

    /// Feedback on one session and its sets, oldest first.
    pub async fn session_feedback(&self, id: SessionId) -> Result<Vec<Feedback>, StoreError> {
        self.call(move |c| Ok(of_session(c, id)?)).await
    }
}

/// Stores `f`, replacing the entry for the same set (or session).
pub(super) fn write(conn: &Connection, f: &Feedback) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO feedback (session_id, set_id, at, pain, effort, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (session_id, COALESCE(set_id, 0)) DO UPDATE SET
             at = excluded.at, pain = excluded.pain, effort = excluded.effort,
             note = excluded.note",
        params![
            f.session.0,
            f.set.map(|s| s.0),
            f.at,
            f.pain,
            f.effort,
            f.note
        ],
    )
}

const COLUMNS: &str = "session_id, set_id, at, pain, effort, note";

fn row(r: &Row<'_>) -> rusqlite::Result<Feedback> {
    Ok(Feedback {
        session: SessionId(r.get(0)?),
        set: r.get::<_, Option<i64>>(1)?.map(SetId),
        at: r.get(2)?,
        pain: r.get(3)?,
        effort: r.get(4)?,
        note: r.get(5)?,
    })
}

fn in_range(
    conn: &Connection,
    from: Option<f64>,
    to: Option<f64>,
) -> rusqlite::Result<Vec<Feedback>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM feedback
         WHERE at >= ?1 AND at < ?2 ORDER BY at, id"
    ))?;
    let (from, to) = (from.unwrap_or(f64::MIN), to.unwrap_or(f64::MAX));
    stmt.query_map(params![from, to], row)?.collect()
}

fn of_session(conn: &Connection, id: SessionId) -> rusqlite::Result<Vec<Feedback>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM feedback WHERE session_id = ?1 ORDER BY at, id"
    ))?;
    stmt.query_map([id.0], row)?.collect()
}
