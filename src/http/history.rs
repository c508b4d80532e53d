//! History endpoints: sessions (with their feedback), posture, corrections,
//! export, progress, totals, metrics.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::ApiError;
use crate::daemon::Daemon;
use crate::store::{Export, SessionId, SetId};
use crate::vocab::Text;

/// Largest page of sessions.
pub const MAX_PAGE: u32 = 200;
const DEFAULT_PAGE: u32 = 50;

/// `?from=&to=&limit=&offset=` (Unix seconds).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    from: Option<f64>,
    to: Option<f64>,
    limit: Option<u32>,
    offset: Option<u64>,
    format: Option<String>,
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("database: {e}"))
}

fn range(q: Result<Query<Range>, QueryRejection>) -> Result<Range, ApiError> {
    let Query(r) = q.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    if let (Some(a), Some(b)) = (r.from, r.to)
        && a > b
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "`from` is after `to`",
        ));
    }
    Ok(r)
}

pub async fn sessions(
    State(d): State<Daemon>,
    q: Result<Query<Range>, QueryRejection>,
) -> Result<Response, ApiError> {
    let r = range(q)?;
    let limit = r.limit.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("`limit` must be 1 to {MAX_PAGE}"),
        ));
    }
    let page = d
        .store
        .sessions(r.from, r.to, limit, r.offset.unwrap_or(0))
        .await
        .map_err(internal)?;
    Ok(Json(page).into_response())
}

pub async fn session(
    State(d): State<Daemon>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: SessionId = id.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("{id:?} is not a session id"),
        )
    })?;
    match d.store.session(id).await.map_err(internal)? {
        Some(s) => {
            // The session with its sets' heart-rate readings beside them, as in
            // the export.
            let heart_rate = d.store.session_heart_rate(id).await.map_err(internal)?;
            let mut v = serde_json::to_value(&s).map_err(internal)?;
            v["heart_rate"] = serde_json::to_value(heart_rate).map_err(internal)?;
            let feedback = d.store.session_feedback(id).await.map_err(internal)?;
            v["feedback"] = serde_json::to_value(feedback).map_err(internal)?;
            Ok(Json(v).into_response())
        }
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no session {}", id.0),
        )),
    }
}

pub async fn posture(
    State(d): State<Daemon>,
    q: Result<Query<Range>, QueryRejection>,
) -> Result<Response, ApiError> {
    let r = range(q)?;
    let history = d.store.posture(r.from, r.to).await.map_err(internal)?;
    let hours: Vec<Value> = history
        .hours
        .iter()
        .map(|h| {
            let total = h.upright_s + h.slouched_s;
            json!({"hour_start": h.hour_start, "upright_s": h.upright_s, "slouched_s": h.slouched_s,
                   "upright_fraction": (total > 0.0).then(|| h.upright_s / total)})
        })
        .collect();
    Ok(Json(json!({"episodes": history.episodes, "hours": hours})).into_response())
}

/// `POST /api/sets/{id}/correction` body: the right count, or null to clear.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    reps: Option<u32>,
}

pub async fn correct(
    State(d): State<Daemon>,
    Path(id): Path<String>,
    body: Result<Json<Correction>, JsonRejection>,
) -> Result<Response, ApiError> {
    let id: SetId = id
        .parse()
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, format!("{id:?} is not a set id")))?;
    let Json(c) = body?;
    if c.reps.is_some_and(|n| n > 1000) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "`reps` must be 0 to 1000",
        ));
    }
    if d.store.set(id).await.map_err(internal)?.is_none() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no set {}", id.0),
        ));
    }
    d.store.correct_set(id, c.reps);
    d.store.flush().await.map_err(internal)?;
    Ok(Json(json!({"set": id, "corrected_reps": c.reps})).into_response())
}

pub async fn export(
    State(d): State<Daemon>,
    q: Result<Query<Range>, QueryRejection>,
) -> Result<Response, ApiError> {
    let r = range(q)?;
    let data = d.store.export(r.from, r.to).await.map_err(internal)?;
    match r.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(data).into_response()),
        "csv" => Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            csv(&data),
        )
            .into_response()),
        other => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("format {other:?}: use json or csv"),
        )),
    }
}

/// One row per rep (attempts included, marked), with its set and session.
fn csv(data: &Export) -> String {
    let mut out = String::from(
        "session,set,exercise,set_started_at,end_reason,counted_reps,corrected_reps,rep,counted,start_s,end_s,hold_s,peak_deg,side,score,flags\n",
    );
    for s in &data.sessions {
        for set in &s.sets {
            let info = &set.set.info;
            for r in &set.reps {
                let rep = &r.rep;
                let flags: Vec<&str> = rep.flags.iter().map(|f| f.as_str()).collect();
                out.push_str(&format!(
                    "{},{},{},{:.3},{},{},{},{},{},{:.3},{:.3},{},{:.1},{},{:.2},{}\n",
                    s.id.0,
                    info.id.0,
                    info.exercise,
                    info.started_at,
                    set.set.end_reason.map_or("", |e| e.as_str()),
                    set.set.counted_reps,
                    set.set
                        .corrected_reps
                        .map_or(String::new(), |n| n.to_string()),
                    rep.n,
                    r.counted,
                    rep.start_s,
                    rep.end_s,
                    rep.hold
                        .map_or(String::new(), |h| format!("{:.2}", h.held_s)),
                    rep.peak_deg,
                    rep.side.map_or("", Text::text),
                    rep.score,
                    flags.join(";"),
                ));
            }
        }
    }
    out
}

/// `?utc_offset_min=` for `GET /api/progress`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressQuery {
    /// The wearer's offset from UTC (minutes; east positive), to tell days apart.
    utc_offset_min: Option<i32>,
}

/// How far back progression advice looks (s): four weeks.
const PROGRESS_SPAN_S: f64 = 28.0 * 86_400.0;

pub async fn progress(
    State(d): State<Daemon>,
    q: Result<Query<ProgressQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let offset = utc_offset_s(q.utc_offset_min)?;
    let now = crate::daemon::now_s();
    let sessions = d
        .store
        .sessions_detail(Some(now - PROGRESS_SPAN_S), None)
        .await
        .map_err(internal)?;
    let feedback = d
        .store
        .feedback(Some(now - PROGRESS_SPAN_S), None)
        .await
        .map_err(internal)?;
    let p = crate::progress::assess(&sessions, &feedback, &d.exercises, now, offset);
    Ok(Json(p).into_response())
}

/// `?from=&utc_offset_min=` for `GET /api/totals`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotalsQuery {
    /// Start (Unix s).
    from: f64,
    /// The wearer's offset from UTC (minutes; east positive).
    utc_offset_min: Option<i32>,
}

pub async fn totals(
    State(d): State<Daemon>,
    q: Result<Query<TotalsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let offset = utc_offset_s(q.utc_offset_min)?;
    let now = crate::daemon::now_s();
    if !q.from.is_finite() || q.from > now {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "`from` must be a time before now",
        ));
    }
    let from = q.from.max(now - MAX_TOTALS_SPAN_S);
    let sessions = d
        .store
        .sessions_detail(Some(from), None)
        .await
        .map_err(internal)?;
    let posture = d.store.posture(Some(from), None).await.map_err(internal)?;
    let t = crate::totals::totals(&sessions, &posture.hours, from, now, offset);
    Ok(Json(t).into_response())
}

/// The longest span `GET /api/totals` adds up (s): a year.
const MAX_TOTALS_SPAN_S: f64 = 366.0 * 86_400.0;

/// `utc_offset_min`, checked, in seconds.
fn utc_offset_s(min: Option<i32>) -> Result<f64, ApiError> {
    let offset = min.unwrap_or(0);
    if offset.abs() > 14 * 60 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "`utc_offset_min` must be -840 to 840",
        ));
    }
    Ok(f64::from(offset) * 60.0)
}

pub async fn metrics(State(d): State<Daemon>) -> impl IntoResponse {
    let mut m = String::new();
    m.push_str("# HELP postured_strap_streaming Whether a strap is streaming.\n# TYPE postured_strap_streaming gauge\n");
    for s in d.live.straps() {
        let on = u8::from(s.state == crate::device::LinkState::Streaming);
        m.push_str(&format!(
            "postured_strap_streaming{{strap=\"{}\"}} {on}\n",
            s.strap
        ));
    }
    m.push_str("# HELP postured_strap_bad_frames_total Malformed frames skipped.\n# TYPE postured_strap_bad_frames_total counter\n");
    for s in d.live.straps() {
        m.push_str(&format!(
            "postured_strap_bad_frames_total{{strap=\"{}\"}} {}\n",
            s.strap, s.bad_frames
        ));
    }
    m.push_str("# HELP postured_strap_lost_frames_total Frames lost in transit.\n# TYPE postured_strap_lost_frames_total counter\n");
    for s in d.live.straps() {
        m.push_str(&format!(
            "postured_strap_lost_frames_total{{strap=\"{}\"}} {}\n",
            s.strap, s.lost_frames
        ));
    }
    m.push_str(&crate::device::recovery::metrics());
    let h = d.store.health();
    m.push_str(&format!(
        "# HELP postured_store_pending_writes Writes waiting for the database.\n# TYPE postured_store_pending_writes gauge\npostured_store_pending_writes {}\n\
         # HELP postured_store_dropped_sample_chunks_total Raw sample chunks dropped while the database could not be written.\n# TYPE postured_store_dropped_sample_chunks_total counter\npostured_store_dropped_sample_chunks_total {}\n\
         # HELP postured_set_running Whether an exercise set is running.\n# TYPE postured_set_running gauge\npostured_set_running {}\n",
        h.pending_writes,
        h.dropped_sample_chunks,
        u8::from(d.live.set().is_some())
    ));
    m.push_str(&d.mqtt.metrics());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], m)
}
