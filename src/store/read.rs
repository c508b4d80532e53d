//! The queries behind the store's reads. Ranges are `[from, to)` in Unix seconds on
//! a thing's start; `None` leaves that end open.

use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;
use super::packing;
use super::types::{
    EndReason, Export, HeartRatePoint, HeartRateSummary, Page, PostureHistory, PostureHour,
    Session, SessionDetail, SessionId, SessionSummary, SetDetail, SetId, SetInfo, SetSummary,
    StoredRep, StoredSlouch,
};
use crate::motion::{Hold, Rep, Sample, Side, SlouchEpisode, WithdrawReason};
use crate::vocab::Text;

type Range = (Option<f64>, Option<f64>);

/// A page of sessions, newest first, each with its sets.
pub(super) fn sessions(
    conn: &Connection,
    (from, to): Range,
    limit: u32,
    offset: u64,
) -> rusqlite::Result<Page<SessionSummary>> {
    const FILTER: &str = "(?1 IS NULL OR started_at >= ?1) AND (?2 IS NULL OR started_at < ?2)";
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM sessions WHERE {FILTER}"),
        params![from, to],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, started_at, ended_at, routine FROM sessions WHERE {FILTER}
         ORDER BY started_at DESC, id DESC LIMIT ?3 OFFSET ?4"
    ))?;
    let rows = stmt.query_map(
        params![from, to, limit, offset.min(i64::MAX as u64) as i64],
        session_row,
    )?;
    let mut items = Vec::new();
    for row in rows {
        let session: SessionSummary = row?;
        items.push(SessionSummary {
            sets: sets_of(conn, session.id)?,
            ..session
        });
    }
    Ok(Page {
        total: total as u64,
        limit,
        offset,
        items,
    })
}

/// A session row, its sets still to be read.
pub(super) fn session_row<S>(r: &Row<'_>) -> rusqlite::Result<Session<S>> {
    Ok(Session {
        id: SessionId(r.get(0)?),
        started_at: r.get(1)?,
        ended_at: r.get(2)?,
        routine: r.get(3)?,
        sets: Vec::new(),
    })
}

/// One session with its sets, reps and heart rate.
pub(super) fn session(conn: &Connection, id: SessionId) -> rusqlite::Result<Option<SessionDetail>> {
    let row = conn
        .query_row(
            "SELECT id, started_at, ended_at, routine FROM sessions WHERE id = ?1",
            [id.0],
            session_row,
        )
        .optional()?;
    row.map(|row| detail(conn, row)).transpose()
}

/// Fills in a session's sets with their reps and heart rate.
fn detail(conn: &Connection, session: SessionDetail) -> rusqlite::Result<SessionDetail> {
    let sets = sets_of(conn, session.id)?
        .into_iter()
        .map(|set| {
            Ok(SetDetail {
                reps: reps_of(conn, set.info.id)?,
                heart_rate: heart_rate_of(conn, set.info.id)?,
                set,
            })
        })
        .collect::<rusqlite::Result<_>>()?;
    Ok(SessionDetail { sets, ..session })
}

fn sets_of(conn: &Connection, session: SessionId) -> rusqlite::Result<Vec<SetSummary>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SET_COLUMNS} FROM sets WHERE session_id = ?1 ORDER BY started_at, id"
    ))?;
    stmt.query_map([session.0], set_row)?.collect()
}

/// One set, whichever session it belongs to.
pub(super) fn set(conn: &Connection, id: SetId) -> rusqlite::Result<Option<SetSummary>> {
    conn.query_row(
        &format!("SELECT {SET_COLUMNS} FROM sets WHERE id = ?1"),
        [id.0],
        set_row,
    )
    .optional()
}

/// The columns [`set_row`] reads, in its order.
pub(super) const SET_COLUMNS: &str = "id, session_id, exercise, strap, side, started_at, ended_at, \
     end_reason, target_reps, counted_reps, corrected_reps, note, live_reps";

pub(super) fn set_row(r: &Row<'_>) -> rusqlite::Result<SetSummary> {
    Ok(SetSummary {
        info: SetInfo {
            id: SetId(r.get(0)?),
            session: SessionId(r.get(1)?),
            exercise: r.get(2)?,
            strap: r.get(3)?,
            side: side(r, 4)?,
            started_at: r.get(5)?,
            target_reps: r.get(8)?,
            note: r.get(11)?,
        },
        ended_at: r.get(6)?,
        end_reason: r
            .get::<_, Option<String>>(7)?
            .and_then(|s| EndReason::parse(&s)),
        counted_reps: r.get(9)?,
        corrected_reps: r.get(10)?,
        live_reps: r.get(12)?,
    })
}

fn side(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<Side>> {
    Ok(r.get::<_, Option<String>>(i)?
        .as_deref()
        .and_then(Side::from_text))
}

/// The columns [`rep_row`] reads, in its order.
pub(super) const REP_COLUMNS: &str = "counted, n, start_s, end_s, hold_start_s, hold_end_s, \
     hold_s, hold_breaks, peak_deg, side, score, flags, withdrawn";

fn reps_of(conn: &Connection, set: SetId) -> rusqlite::Result<Vec<StoredRep>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {REP_COLUMNS} FROM reps WHERE set_id = ?1 ORDER BY start_s, counted DESC, n"
    ))?;
    stmt.query_map([set.0], |r| rep_row(r, 0))?.collect()
}

/// A rep from [`REP_COLUMNS`] starting at column `at`.
pub(super) fn rep_row(r: &Row<'_>, at: usize) -> rusqlite::Result<StoredRep> {
    let hold = match (r.get(at + 4)?, r.get(at + 5)?, r.get(at + 6)?) {
        (Some(start_s), Some(end_s), Some(held_s)) => Some(Hold {
            start_s,
            end_s,
            held_s,
            breaks: r.get::<_, Option<u32>>(at + 7)?.unwrap_or(0),
        }),
        _ => None,
    };
    let flags: String = r.get(at + 11)?;
    let flags = serde_json::from_str(&flags)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(at + 11, Type::Text, Box::new(e)))?;
    Ok(StoredRep {
        counted: r.get(at)?,
        withdrawn: r
            .get::<_, Option<String>>(at + 12)?
            .as_deref()
            .and_then(WithdrawReason::parse),
        rep: Rep {
            n: r.get(at + 1)?,
            start_s: r.get(at + 2)?,
            end_s: r.get(at + 3)?,
            hold,
            peak_deg: r.get(at + 8)?,
            side: side(r, at + 9)?,
            score: r.get(at + 10)?,
            flags,
        },
    })
}

fn heart_rate_of(conn: &Connection, set: SetId) -> rusqlite::Result<Option<HeartRateSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT COUNT(*), MIN(bpm), MAX(bpm), AVG(bpm) FROM heart_rate WHERE set_id = ?1",
    )?;
    stmt.query_row([set.0], |r| {
        let count: u32 = r.get(0)?;
        if count == 0 {
            return Ok(None);
        }
        Ok(Some(HeartRateSummary {
            count,
            min_bpm: r.get(1)?,
            max_bpm: r.get(2)?,
            mean_bpm: r.get(3)?,
        }))
    })
}

/// The heart-rate readings of a session's sets, by set, oldest first.
pub(super) fn session_heart_rate(
    conn: &Connection,
    session: SessionId,
) -> rusqlite::Result<Vec<HeartRatePoint>> {
    let mut stmt = conn.prepare_cached(
        "SELECT h.set_id, h.t, h.bpm FROM heart_rate h JOIN sets s ON s.id = h.set_id
         WHERE s.session_id = ?1 ORDER BY h.set_id, h.t",
    )?;
    stmt.query_map([session.0], heart_rate_row)?.collect()
}

/// A heart-rate reading from `set_id, t, bpm`.
pub(super) fn heart_rate_row(r: &Row<'_>) -> rusqlite::Result<HeartRatePoint> {
    Ok(HeartRatePoint {
        set: SetId(r.get(0)?),
        t: r.get(1)?,
        bpm: r.get(2)?,
    })
}

/// A set's raw samples in the order they were appended.
pub(super) fn set_samples(conn: &Connection, set: SetId) -> Result<Vec<Sample>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT id, data FROM sample_chunks WHERE set_id = ?1 ORDER BY id")?;
    let mut rows = stmt.query([set.0])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let chunk: i64 = r.get(0)?;
        let data: Vec<u8> = r.get(1)?;
        let samples =
            packing::unpack(&data).map_err(|source| StoreError::Samples { chunk, source })?;
        out.extend(samples);
    }
    Ok(out)
}

/// Slouch episodes and posture hours that start in the range.
pub(super) fn posture(conn: &Connection, (from, to): Range) -> rusqlite::Result<PostureHistory> {
    let mut stmt = conn.prepare_cached(
        "SELECT strap, start_s, end_s, peak_deg, alert_s FROM slouch_episodes
         WHERE (?1 IS NULL OR start_s >= ?1) AND (?2 IS NULL OR start_s < ?2)
         ORDER BY start_s, id",
    )?;
    let episodes = stmt
        .query_map(params![from, to], |r| {
            Ok(StoredSlouch {
                strap: r.get(0)?,
                episode: SlouchEpisode {
                    start_s: r.get(1)?,
                    end_s: r.get(2)?,
                    peak_deg: r.get(3)?,
                    alert_s: r.get(4)?,
                },
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT hour_start, upright_s, slouched_s FROM posture_hours
         WHERE (?1 IS NULL OR hour_start >= ?1) AND (?2 IS NULL OR hour_start < ?2)
         ORDER BY hour_start",
    )?;
    let hours = stmt
        .query_map(params![from, to], |r| {
            Ok(PostureHour {
                hour_start: r.get(0)?,
                upright_s: r.get(1)?,
                slouched_s: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(PostureHistory { episodes, hours })
}

/// Everything that starts in the range, oldest first.
pub(super) fn export(conn: &Connection, range: Range) -> rusqlite::Result<Export> {
    Ok(Export {
        sessions: super::bulk::sessions(conn, range, true)?,
        heart_rate: super::bulk::heart_rate(conn, range)?,
        posture: posture(conn, range)?,
    })
}
