//! `TestDaemon`: the real daemon and its HTTP server, the way `postured run`
//! serves it ([`postured::http::serve`]), on a loopback port of its own (port
//! 0: no race for a free port), with its history in a scratch directory.
//! `stop` ends it as SIGTERM would: the server closes, the strap tasks stop, and
//! every queued write is on disk.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use postured::config::Config;
use postured::daemon::Daemon;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// A fresh directory under the test build's scratch space, named after `what`.
pub fn scratch(what: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{what}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A running daemon with its API; see the module documentation.
#[derive(Debug)]
pub struct TestDaemon {
    /// The daemon, for what a test writes or reads directly (the store).
    pub daemon: Daemon,
    /// Where the API answers.
    pub addr: SocketAddr,
    /// `http://ADDR`.
    pub base: String,
    /// Its scratch directory (the history is `history.db` in it).
    pub dir: PathBuf,
    cancel: CancellationToken,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestDaemon {
    /// Starts the daemon with `config` (TOML without `database`) in a scratch
    /// directory of its own.
    pub async fn start(config: &str) -> Self {
        Self::start_in(&scratch("daemon"), config, 0).await
    }

    /// Starts the daemon with its history in `dir` (`history.db`), serving on
    /// `port` (0: any free one). Starting again with the same `dir` and port is
    /// a restart.
    pub async fn start_in(dir: &Path, config: &str, port: u16) -> Self {
        let db = dir.join("history.db");
        let text = format!("database = {db:?}\n{config}");
        let config = Config::parse(&text, &dir.join("config.toml")).unwrap();
        let cancel = CancellationToken::new();
        let daemon = postured::daemon::start(config, &cancel).await.unwrap();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(postured::http::serve(
            daemon.clone(),
            listener,
            cancel.clone(),
        ));
        Self {
            daemon,
            addr,
            base: format!("http://{addr}"),
            dir: dir.to_owned(),
            cancel,
            server: Some(server),
        }
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the daemon and waits for its server to close and its last writes
    /// to be on disk.
    pub async fn stop(mut self) {
        self.cancel.cancel();
        if let Some(server) = self.server.take() {
            server.await.unwrap().unwrap();
        }
    }
}

impl Drop for TestDaemon {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}
