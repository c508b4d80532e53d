//! What can go wrong opening or asking the store.

use std::path::PathBuf;

/// A store error. Writes never return one (they are queued and retried); opening,
/// reads and `flush` do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database file could not be opened or set up.
    #[error("cannot open the database {}: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The database was written by a newer postured.
    #[error(
        "the database {} has schema version {found}, newer than the {known} this build of \
         postured knows; run a newer postured (it will not be downgraded)",
        path.display()
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its `user_version`.
        found: u32,
        /// The newest migration this build has.
        known: u32,
    },
    /// A schema migration failed; the database is left at the version before it.
    #[error("migration to schema version {version} failed: {source}")]
    Migrate {
        /// The version being applied.
        version: u32,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A query failed.
    #[error("database query failed: {source}")]
    Query {
        /// What SQLite said.
        #[from]
        source: rusqlite::Error,
    },
    /// A chunk of raw samples could not be decoded.
    #[error("raw sample chunk {chunk} is unreadable: {source}")]
    Samples {
        /// The chunk's row id.
        chunk: i64,
        /// Why.
        source: super::packing::PackError,
    },
    /// The store thread could not be started.
    #[error("cannot start the store thread: {source}")]
    Thread {
        /// What the OS said.
        source: std::io::Error,
    },
    /// The store thread has stopped (it panicked), so nothing can be asked of it.
    #[error("the store thread has stopped")]
    Closed,
}
