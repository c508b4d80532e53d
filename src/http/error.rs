//! The API's one error type: a status and a reason, sent as JSON.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::daemon::ControlError;

/// An error response: `{"error": reason}` with a 4xx or 5xx status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    reason: String,
}

impl ApiError {
    /// An error with this status and reason.
    pub fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({"error": self.reason}))).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        Self::new(r.status(), r.body_text())
    }
}

impl From<ControlError> for ApiError {
    fn from(e: ControlError) -> Self {
        let status = match e {
            ControlError::UnknownExercise(_) | ControlError::UnknownRoutine(_) => {
                StatusCode::NOT_FOUND
            }
            ControlError::NoStrap(_)
            | ControlError::SetRunning(_)
            | ControlError::NoSet
            | ControlError::NoTrunkStrap => StatusCode::CONFLICT,
            ControlError::Stopping => StatusCode::SERVICE_UNAVAILABLE,
        };
        Self::new(status, e.to_string())
    }
}
