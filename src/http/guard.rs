//! Request checks every route shares: Host (DNS rebinding), token, JSON bodies.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiError;
use crate::config::HttpConfig;

/// The cookie the dashboard keeps the bearer token in.
pub const TOKEN_COOKIE: &str = "postured_token";

/// What the checks need from the configuration.
#[derive(Debug, Clone)]
pub struct Guard {
    allowed_hosts: Vec<String>,
    token: Option<String>,
}

impl Guard {
    /// From the `[http]` section.
    pub fn new(cfg: &HttpConfig) -> Self {
        Self {
            allowed_hosts: cfg
                .allowed_hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            token: cfg.token.clone().filter(|t| !t.is_empty()),
        }
    }

    fn host_ok(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        // Strip the port; keep an IPv6 literal's brackets together.
        let name = match host.rsplit_once(':') {
            Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) && !h.ends_with(':') => {
                h.to_owned()
            }
            _ => host.clone(),
        };
        matches!(name.as_str(), "localhost" | "127.0.0.1" | "[::1]")
            || name.ends_with(".localhost")
            || self.allowed_hosts.contains(&name)
    }
}

/// The middleware.
pub async fn check(State(g): State<Guard>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !g.host_ok(host) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            format!("Host {host:?} is not allowed; add it to [http] allowed_hosts"),
        )
        .into_response();
    }
    if let Some(token) = &g.token {
        let bearer = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        // The dashboard keeps the token in a same-site cookie, since its live
        // stream (EventSource) cannot send headers.
        let cookie = req
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|h| h.to_str().ok())
            .flat_map(|h| h.split(';'))
            .find_map(|c| c.trim().strip_prefix(TOKEN_COOKIE)?.strip_prefix('='));
        let ok = bearer == Some(token.as_str()) || cookie == Some(token.as_str());
        if !ok && req.uri().path().starts_with("/api/") {
            return ApiError::new(StatusCode::UNAUTHORIZED, "missing or wrong bearer token")
                .into_response();
        }
    }
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|ct| {
                ct.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !json {
            return ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "requests that change state need Content-Type: application/json",
            )
            .into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_configured_hosts_only() {
        let g = Guard {
            allowed_hosts: vec!["postured.local".into()],
            token: None,
        };
        for ok in [
            "localhost",
            "localhost:8621",
            "127.0.0.1:8621",
            "[::1]:8621",
            "postured.local",
            "Postured.Local:80",
        ] {
            assert!(g.host_ok(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8621",
            "127.0.0.1.evil.example",
            "",
            "192.168.1.5:8621",
        ] {
            assert!(!g.host_ok(bad), "{bad}");
        }
    }
}
