//! `GET /report?from=&to=&utc_offset_min=`: the clinician report
//! ([`crate::report`]) as one HTML page.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::ApiError;
use crate::daemon::Daemon;

/// The default period: the last four weeks.
pub const DEFAULT_SPAN_S: f64 = 28.0 * 86_400.0;
/// The longest period a report covers: a year and a day.
pub const MAX_SPAN_S: f64 = 366.0 * 86_400.0;

/// The page may style itself and show its inline charts; nothing runs or loads.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// `?from=&to=` (Unix s) and the wearer's offset from UTC (minutes, east positive).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    from: Option<f64>,
    to: Option<f64>,
    utc_offset_min: Option<i32>,
}

fn bad(reason: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, reason)
}

/// The period asked for, checked: `to` defaults to now, `from` to four weeks before.
fn period(q: &ReportQuery, now: f64) -> Result<(f64, f64, f64), ApiError> {
    let to = q.to.unwrap_or(now);
    let from = q.from.unwrap_or(to - DEFAULT_SPAN_S);
    if !from.is_finite() || !to.is_finite() || from >= to {
        return Err(bad("`from` must be before `to`"));
    }
    if to - from > MAX_SPAN_S {
        return Err(bad("a report covers at most 366 days"));
    }
    let offset = q.utc_offset_min.unwrap_or(0);
    if offset.abs() > 14 * 60 {
        return Err(bad("`utc_offset_min` must be -840 to 840"));
    }
    Ok((from, to, f64::from(offset) * 60.0))
}

pub async fn report(
    State(d): State<Daemon>,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|e| bad(e.body_text()))?;
    let now = crate::daemon::now_s();
    let (from, to, utc_offset_s) = period(&q, now)?;
    let html = page(&d, from, to, utc_offset_s, now).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
        ],
        html,
    )
        .into_response())
}

/// The report of `[from, to)` from the daemon's store.
pub async fn page(
    d: &Daemon,
    from: f64,
    to: f64,
    utc_offset_s: f64,
    now: f64,
) -> Result<String, ApiError> {
    let internal = |e: crate::store::StoreError| {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("database: {e}"))
    };
    let sessions = d
        .store
        .sessions_detail(Some(from), Some(to))
        .await
        .map_err(internal)?;
    let posture = d
        .store
        .posture(Some(from), Some(to))
        .await
        .map_err(internal)?;
    let feedback = d
        .store
        .feedback(Some(from), Some(to))
        .await
        .map_err(internal)?;
    let input = crate::report::Input {
        sessions: &sessions,
        feedback: &feedback,
        posture: &posture,
        catalog: &d.exercises,
        from,
        to,
        utc_offset_s,
        generated_at: now,
    };
    Ok(crate::report::render(&input))
}
