//! How a set or session felt: `POST /api/sets/{id}/feedback`,
//! `POST /api/sessions/{id}/feedback` and `GET /api/feedback`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::ApiError;
use crate::daemon::Daemon;
use crate::store::{Feedback, MAX_SCORE, SessionId, SetId};

/// Longest note kept (characters).
pub const MAX_NOTE: usize = 2000;

/// The body of both feedback requests.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Given {
    /// 0-10; wide so that a wrong number gets its own reason.
    pain: Option<i64>,
    effort: Option<i64>,
    note: Option<String>,
}

fn bad(reason: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, reason)
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("database: {e}"))
}

fn score(name: &str, v: Option<i64>) -> Result<Option<u8>, ApiError> {
    v.map(|v| {
        u8::try_from(v)
            .ok()
            .filter(|&v| v <= MAX_SCORE)
            .ok_or_else(|| bad(format!("`{name}` must be 0 to {MAX_SCORE}, not {v}")))
    })
    .transpose()
}

/// Checks a body and makes the entry for `session` (and `set`).
fn checked(g: Given, session: SessionId, set: Option<SetId>) -> Result<Feedback, ApiError> {
    let pain = score("pain", g.pain)?;
    let effort = score("effort", g.effort)?;
    let note = g
        .note
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
        return Err(bad(format!("`note` is longer than {MAX_NOTE} characters")));
    }
    if pain.is_none() && effort.is_none() && note.is_none() {
        return Err(bad("give at least one of `pain`, `effort`, `note`"));
    }
    Ok(Feedback {
        session,
        set,
        at: crate::daemon::now_s(),
        pain,
        effort,
        note,
    })
}

async fn keep(d: &Daemon, f: Feedback) -> Result<Response, ApiError> {
    d.store.record_feedback(f.clone());
    d.store.flush().await.map_err(internal)?;
    Ok((StatusCode::CREATED, Json(f)).into_response())
}

pub async fn for_set(
    State(d): State<Daemon>,
    Path(id): Path<String>,
    body: Result<Json<Given>, JsonRejection>,
) -> Result<Response, ApiError> {
    let id: SetId = id
        .parse()
        .map_err(|_| bad(format!("{id:?} is not a set id")))?;
    let Json(g) = body?;
    let Some(set) = d.store.set(id).await.map_err(internal)? else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no set {}", id.0),
        ));
    };
    let f = checked(g, set.info.session, Some(id))?;
    keep(&d, f).await
}

pub async fn for_session(
    State(d): State<Daemon>,
    Path(id): Path<String>,
    body: Result<Json<Given>, JsonRejection>,
) -> Result<Response, ApiError> {
    let id: SessionId = id
        .parse()
        .map_err(|_| bad(format!("{id:?} is not a session id")))?;
    let Json(g) = body?;
    let f = checked(g, id, None)?;
    if d.store.session(id).await.map_err(internal)?.is_none() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no session {}", id.0),
        ));
    }
    keep(&d, f).await
}

/// `?from=&to=` (Unix s).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    from: Option<f64>,
    to: Option<f64>,
}

pub async fn list(
    State(d): State<Daemon>,
    q: Result<Query<Range>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(r) = q.map_err(|e| bad(e.body_text()))?;
    if let (Some(a), Some(b)) = (r.from, r.to)
        && a > b
    {
        return Err(bad("`from` is after `to`"));
    }
    let all = d.store.feedback(r.from, r.to).await.map_err(internal)?;
    Ok(Json(all).into_response())
}
