//! Sessions of a time range with everything in them, read in a handful of
//! queries (sessions, their sets, reps, heart-rate summaries, readings) rather
//! than a few per set: a year of history is read in milliseconds. For export,
//! the history's totals and advice, and the clinician report.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::read::{REP_COLUMNS, SET_COLUMNS, heart_rate_row, rep_row, session_row, set_row};
use super::types::{HeartRatePoint, HeartRateSummary, SessionDetail, SetDetail};

/// `[from, to)` on sessions' start, Unix s; `None` is open.
pub(super) type Range = (Option<f64>, Option<f64>);

/// Sessions (and what is in them) that started in the range; the range is
/// bound by [`bounds`] (no `?1 IS NULL OR`, which would keep SQLite from the
/// index on the start).
const IN_RANGE: &str = "x.started_at >= ?1 AND x.started_at < ?2";

/// The range with its open ends made infinite.
fn bounds((from, to): Range) -> (f64, f64) {
    (from.unwrap_or(f64::MIN), to.unwrap_or(f64::MAX))
}

/// Where each set of the sessions is: (session, set) indexes.
type Places = HashMap<i64, (usize, usize)>;

/// Sessions starting in the range, oldest first, with their sets, reps and (with
/// `heart`) heart-rate summaries.
pub(super) fn sessions(
    conn: &Connection,
    range: Range,
    heart: bool,
) -> rusqlite::Result<Vec<SessionDetail>> {
    let (from, to) = bounds(range);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT x.id, x.started_at, x.ended_at, x.routine FROM sessions x
         WHERE {IN_RANGE} ORDER BY x.started_at, x.id"
    ))?;
    let mut sessions: Vec<SessionDetail> = stmt
        .query_map(params![from, to], session_row)?
        .collect::<rusqlite::Result<_>>()?;
    let index: HashMap<i64, usize> = sessions
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.0, i))
        .collect();
    let columns: Vec<String> = SET_COLUMNS.split(", ").map(|c| format!("s.{c}")).collect();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM sets s JOIN sessions x ON x.id = s.session_id
         WHERE {IN_RANGE} ORDER BY s.started_at, s.id",
        columns.join(", ")
    ))?;
    let mut places = Places::new();
    for set in stmt.query_map(params![from, to], set_row)? {
        let set = set?;
        if let Some(&i) = index.get(&set.info.session.0) {
            places.insert(set.info.id.0, (i, sessions[i].sets.len()));
            sessions[i].sets.push(SetDetail {
                set,
                reps: Vec::new(),
                heart_rate: None,
            });
        }
    }
    reps(conn, (from, to), &places, &mut sessions)?;
    if heart {
        heart_summaries(conn, (from, to), &places, &mut sessions)?;
    }
    Ok(sessions)
}

fn reps(
    conn: &Connection,
    (from, to): (f64, f64),
    places: &Places,
    sessions: &mut [SessionDetail],
) -> rusqlite::Result<()> {
    let columns: Vec<String> = REP_COLUMNS.split(", ").map(|c| format!("r.{c}")).collect();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT r.set_id, {} FROM reps r JOIN sets s ON s.id = r.set_id
         JOIN sessions x ON x.id = s.session_id
         WHERE {IN_RANGE} ORDER BY r.set_id, r.start_s, r.counted DESC, r.n",
        columns.join(", ")
    ))?;
    let mut rows = stmt.query(params![from, to])?;
    while let Some(r) = rows.next()? {
        let set: i64 = r.get(0)?;
        if let Some(&(i, j)) = places.get(&set) {
            sessions[i].sets[j].reps.push(rep_row(r, 1)?);
        }
    }
    Ok(())
}

fn heart_summaries(
    conn: &Connection,
    (from, to): (f64, f64),
    places: &Places,
    sessions: &mut [SessionDetail],
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT s.id, COUNT(*), MIN(h.bpm), MAX(h.bpm), AVG(h.bpm)
         FROM sessions x JOIN sets s ON s.session_id = x.id JOIN heart_rate h ON h.set_id = s.id
         WHERE {IN_RANGE} GROUP BY s.id"
    ))?;
    let mut rows = stmt.query(params![from, to])?;
    while let Some(r) = rows.next()? {
        let set: i64 = r.get(0)?;
        if let Some(&(i, j)) = places.get(&set) {
            sessions[i].sets[j].heart_rate = Some(HeartRateSummary {
                count: r.get(1)?,
                min_bpm: r.get(2)?,
                max_bpm: r.get(3)?,
                mean_bpm: r.get(4)?,
            });
        }
    }
    Ok(())
}

/// The heart-rate readings of the range's sessions, by set in the sessions'
/// order, each set's oldest first.
pub(super) fn heart_rate(conn: &Connection, range: Range) -> rusqlite::Result<Vec<HeartRatePoint>> {
    let (from, to) = bounds(range);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT h.set_id, h.t, h.bpm FROM heart_rate h JOIN sets s ON s.id = h.set_id
         JOIN sessions x ON x.id = s.session_id
         WHERE {IN_RANGE} ORDER BY x.started_at, x.id, s.started_at, s.id, h.t"
    ))?;
    stmt.query_map(params![from, to], heart_rate_row)?.collect()
}
