//! A client for a [`TestDaemon`]'s API: the daemon, its address and requests
//! that return the status with the JSON (or text) answer.

use postured::daemon::Daemon;
use reqwest::StatusCode;
use serde_json::Value;

use super::TestDaemon;

/// A running daemon and an HTTP client for it.
pub struct Api {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub http: reqwest::Client,
    pub daemon: Daemon,
    _running: TestDaemon,
}

impl Api {
    /// A daemon with no straps and `extra` config lines.
    pub async fn start(extra: &str) -> Self {
        let running = TestDaemon::start(extra).await;
        Self {
            base: running.base.clone(),
            http: reqwest::Client::new(),
            daemon: running.daemon.clone(),
            _running: running,
        }
    }

    /// GET `path`: the status and the JSON answer (null when there is none).
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self.http.get(format!("{}{path}", self.base));
        let r = r.send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// GET `path`: the status, the content type and the text.
    pub async fn get_text(&self, path: &str) -> (StatusCode, String, String) {
        let r = self.http.get(format!("{}{path}", self.base));
        let r = r.send().await.unwrap();
        let status = r.status();
        let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
        (status, kind, r.text().await.unwrap())
    }

    /// POST `body` as JSON, as it is (it may be malformed on purpose).
    pub async fn post(&self, path: &str, body: &str) -> (StatusCode, Value) {
        let r = self.http.post(format!("{}{path}", self.base));
        let r = r.header("content-type", "application/json");
        let r = r.body(body.to_owned()).send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap())
    }

    /// POST a JSON value.
    pub async fn post_json(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.post(path, &body.to_string()).await
    }
}
