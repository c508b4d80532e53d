//! Commands that ask the running daemon over its HTTP API: `postured start`,
//! `stop`, `calibrate`, `snooze`, `report`.

use anyhow::{Context, bail};
use serde_json::Value;

use postured::config::Config;

/// Where the daemon listens, and its token, from the configuration.
pub fn base_url(cfg: &Config) -> String {
    let addr = cfg.http.listen;
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        addr.ip().to_string()
    };
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    format!("http://{host}:{}", addr.port())
}

/// POSTs `body` to `path` and returns the JSON answer, or the API's reason.
pub async fn post(cfg: &Config, url: &str, path: &str, body: &Value) -> anyhow::Result<Value> {
    let req = reqwest::Client::new()
        .post(format!("{url}{path}"))
        .json(body);
    let text = send(cfg, url, req).await?;
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// GETs `path` and returns the body as text, or the API's reason.
pub async fn get_text(cfg: &Config, url: &str, path: &str) -> anyhow::Result<String> {
    send(cfg, url, reqwest::Client::new().get(format!("{url}{path}"))).await
}

/// Sends `req` with the configured token: the answer's text, or the API's
/// reason for refusing it (its JSON `error`, else the status).
async fn send(cfg: &Config, url: &str, mut req: reqwest::RequestBuilder) -> anyhow::Result<String> {
    if let Some(t) = &cfg.http.token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.with_context(|| {
        format!("cannot reach the daemon at {url}: is `postured run` (or the service) running?")
    })?;
    let status = resp.status();
    let text = resp.text().await?;
    if !status.is_success() {
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        bail!("{}", json["error"].as_str().unwrap_or(status.as_str()));
    }
    Ok(text)
}
