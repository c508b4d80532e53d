//! `GET /api/cues` and `POST /api/cues`: the cues during sets (`[cues]`), which
//! the dashboard shows as switches; a change lasts until the next reload or
//! restart.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde::Deserialize;

use super::ApiError;
use crate::config::CueConfig;
use crate::daemon::Daemon;

pub async fn get(State(d): State<Daemon>) -> Json<CueConfig> {
    Json(d.settings().cues)
}

/// `POST /api/cues` body: the switches to change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Switches {
    vibrate: Option<bool>,
    ticks: Option<bool>,
    tone: Option<bool>,
    speech: Option<bool>,
}

pub async fn set(
    State(d): State<Daemon>,
    body: Result<Json<Switches>, JsonRejection>,
) -> Result<Json<CueConfig>, ApiError> {
    let Json(s) = body?;
    let old = d.settings().cues;
    let new = CueConfig {
        vibrate: s.vibrate.unwrap_or(old.vibrate),
        ticks: s.ticks.unwrap_or(old.ticks),
        tone: s.tone.unwrap_or(old.tone),
        speech: s.speech.unwrap_or(old.speech),
    };
    d.set_cues(new)
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(d.settings().cues))
}
