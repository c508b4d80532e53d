//! The HTTP API (axum): thin handlers that parse, ask the daemon, serialize.
//!
//! Security a local daemon needs: the Host header must be a loopback name or a
//! configured one (DNS rebinding), state changes need a JSON body, a bearer token
//! when configured, bounded bodies, no CORS headers at all. Every error is a 4xx
//! or 5xx with a JSON `{"error": reason}`.

mod assets;
mod cues;
mod error;
mod feedback;
mod guard;
mod history;
mod report;

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::{Stream, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_stream::wrappers::BroadcastStream;
use tokio_util::sync::CancellationToken;

use crate::daemon::{Daemon, LiveEvent, SetStatus, StrapStatus};
use crate::exercises::ExerciseSpec;
pub use error::ApiError;

/// Largest request body accepted (bytes).
pub const MAX_BODY: usize = 64 * 1024;

/// The API's routes on a running daemon.
pub fn router(daemon: Daemon) -> Router {
    let guard = guard::Guard::new(&daemon.config.http);
    Router::new()
        .route("/", get(assets::index))
        .route("/assets/{file}", get(assets::asset))
        .route("/api/health", get(health))
        .route("/api/straps", get(straps))
        .route("/api/exercises", get(list_exercises))
        .route("/api/exercises/{id}", get(exercise))
        .route("/api/routines", get(routines))
        .route("/api/sets", post(start_set))
        .route("/api/sets/current", get(current_set))
        .route("/api/sets/current/stop", post(stop_set))
        .route("/api/cues", get(cues::get).post(cues::set))
        .route("/api/calibrate", post(calibrate))
        .route("/api/snooze", post(snooze))
        .route("/api/events", get(events))
        .route("/api/sessions", get(history::sessions))
        .route("/api/sessions/{id}", get(history::session))
        .route("/api/posture", get(history::posture))
        .route("/api/sets/{id}/correction", post(history::correct))
        .route("/api/sets/{id}/feedback", post(feedback::for_set))
        .route("/api/sessions/{id}/feedback", post(feedback::for_session))
        .route("/api/feedback", get(feedback::list))
        .route("/api/export", get(history::export))
        .route("/api/progress", get(history::progress))
        .route("/api/totals", get(history::totals))
        .route("/api/openapi.json", get(openapi))
        .route("/report", get(report::report))
        .route("/metrics", get(history::metrics))
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "no such endpoint; see /api/health")
        })
        .layer(axum::middleware::from_fn_with_state(guard, guard::check))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(daemon)
}

/// How long open connections may delay the stop before they are closed. Live
/// event streams end with the daemon (`Daemon::stopping`); this bounds anything
/// else, such as a client that stopped reading.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Serves the API and the dashboard for `daemon` on `listener` until
/// `shutdown` is cancelled (usually the daemon's own token), gives open
/// connections [`SHUTDOWN_GRACE`], lets the strap tasks stop their streams, and
/// makes sure every write queued is on disk. `postured run` and the tests both
/// serve through it.
pub async fn serve(
    daemon: Daemon,
    listener: tokio::net::TcpListener,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let store = daemon.store.clone();
    let mqtt = daemon.mqtt.clone();
    let stop = shutdown.clone();
    let server = axum::serve(listener, router(daemon))
        .with_graceful_shutdown(async move { stop.cancelled().await });
    let grace = async {
        shutdown.cancelled().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        served = server.into_future() => served?,
        () = grace => tracing::debug!("closing the connections still open"),
    }
    // Give strap tasks a moment to stop their streams and disconnect, then make
    // sure everything queued is on disk.
    tokio::time::sleep(Duration::from_millis(500)).await;
    // MQTT says `offline` and disconnects (at once when MQTT is off).
    let _ = tokio::time::timeout(Duration::from_secs(3), mqtt.finished()).await;
    if let Err(e) = tokio::time::timeout(Duration::from_secs(5), store.flush()).await {
        tracing::error!("the last writes could not be saved: {e}");
    }
    Ok(())
}

/// The OpenAPI description of every route.
pub const OPENAPI: &str = include_str!("openapi.json");

async fn openapi() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
}

async fn health(State(d): State<Daemon>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "straps": d.live.straps().len(),
        "mqtt": d.mqtt.health(),
    }))
}

async fn straps(State(d): State<Daemon>) -> Json<Vec<StrapStatus>> {
    Json(d.live.straps())
}

async fn list_exercises(State(d): State<Daemon>) -> Json<Vec<ExerciseSpec>> {
    Json(d.exercises.all().to_vec())
}

async fn routines(State(d): State<Daemon>) -> Json<Vec<crate::config::Routine>> {
    Json(d.settings().routines.clone())
}

async fn exercise(
    State(d): State<Daemon>,
    Path(id): Path<String>,
) -> Result<Json<ExerciseSpec>, ApiError> {
    d.exercises.get(&id).cloned().map(Json).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no exercise {id:?}; GET /api/exercises lists them"),
        )
    })
}

/// `POST /api/sets` body: an exercise, or a configured routine to follow.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartSet {
    /// Exercise id.
    #[serde(default)]
    pub exercise: Option<String>,
    /// Routine name.
    #[serde(default)]
    pub routine: Option<String>,
}

async fn start_set(
    State(d): State<Daemon>,
    body: Result<Json<StartSet>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<SetStatus>), ApiError> {
    let Json(req) = body?;
    let status = match (req.exercise, req.routine) {
        (Some(exercise), None) => d.start_set(&exercise).await?,
        (None, Some(routine)) => d.start_routine(&routine).await?,
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "give `exercise` or `routine`, not both",
            ));
        }
    };
    Ok((StatusCode::CREATED, Json(status)))
}

async fn current_set(State(d): State<Daemon>) -> Result<Json<SetStatus>, ApiError> {
    d.live
        .set()
        .map(Json)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "no set is running"))
}

async fn stop_set(State(d): State<Daemon>) -> Result<Json<SetStatus>, ApiError> {
    Ok(Json(d.stop_set().await?))
}

async fn calibrate(State(d): State<Daemon>) -> Result<Json<Value>, ApiError> {
    d.calibrate().await?;
    Ok(Json(json!({"calibrated": true})))
}

async fn snooze(State(d): State<Daemon>) -> Json<Value> {
    Json(json!({"snoozed_until": d.snooze().await}))
}

/// `GET /api/events`: first the state now (a `strap` event per strap, a `tick`),
/// so a listener that (re)connects needs nothing else, then events as they happen.
async fn events(State(d): State<Daemon>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let live = d.events.subscribe();
    let mut now: Vec<LiveEvent> = d.live.straps().into_iter().map(LiveEvent::Strap).collect();
    now.push(LiveEvent::Tick {
        t: crate::daemon::now_s(),
        set: d.live.set(),
        posture: d.live.posture(),
    });
    let stream = futures::stream::iter(now.into_iter().map(Ok))
        .chain(BroadcastStream::new(live))
        .filter_map(|e| async move {
            let e = e.ok()?;
            let json = serde_json::to_value(&e).ok()?;
            let kind = json
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("message")
                .to_owned();
            Some(Ok(Event::default().event(kind).data(json.to_string())))
        })
        .take_until(d.stopping.cancelled_owned());
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
