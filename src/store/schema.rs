//! The schema as numbered migrations, tracked with `PRAGMA user_version`, and
//! what happens to a database when it is opened.

use std::path::Path;

use rusqlite::Connection;

use super::StoreError;

/// Migration `i + 1` is `MIGRATIONS[i]`. Add a schema change by appending one
/// string; never edit a migration that has shipped.
const MIGRATIONS: &[&str] = &[MIGRATION_1, MIGRATION_2, MIGRATION_SETTLED];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// A set's count settles when the set ends: the live count is kept beside the
/// settled one, and the live reps that settling withdrew are marked with why.
const MIGRATION_SETTLED: &str = "
ALTER TABLE sets ADD COLUMN live_reps INTEGER;
ALTER TABLE reps ADD COLUMN withdrawn TEXT
    CHECK (withdrawn IN ('lead_in', 'lead_out', 'out_of_rhythm', 'partial'));
";

/// Sessions, sets, reps, raw samples, heart rate and posture. Times are Unix
/// seconds (REAL). Set and session ids are chosen by the daemon.
const MIGRATION_1: &str = "
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    started_at  REAL NOT NULL,
    ended_at    REAL,
    routine     TEXT
);
CREATE INDEX sessions_by_start ON sessions(started_at);

CREATE TABLE sets (
    id              INTEGER PRIMARY KEY,
    session_id      INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    exercise        TEXT NOT NULL,
    strap           TEXT NOT NULL,
    side            TEXT CHECK (side IN ('left', 'right')),
    started_at      REAL NOT NULL,
    ended_at        REAL,
    end_reason      TEXT CHECK (end_reason IN
                        ('target_reached', 'stopped', 'quiet_timeout', 'interrupted')),
    target_reps     INTEGER,
    counted_reps    INTEGER NOT NULL DEFAULT 0,
    corrected_reps  INTEGER,
    note            TEXT
);
CREATE INDEX sets_by_session ON sets(session_id, started_at);

-- Counted reps and attempts (counted = 0), each numbered from 1 by the counter.
CREATE TABLE reps (
    set_id        INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    counted       INTEGER NOT NULL CHECK (counted IN (0, 1)),
    n             INTEGER NOT NULL,
    start_s       REAL NOT NULL,
    end_s         REAL NOT NULL,
    hold_start_s  REAL,
    hold_end_s    REAL,
    hold_s        REAL,
    hold_breaks   INTEGER,
    peak_deg      REAL NOT NULL,
    side          TEXT CHECK (side IN ('left', 'right')),
    score         REAL NOT NULL,
    flags         TEXT NOT NULL DEFAULT '[]',  -- JSON array of snake_case names
    PRIMARY KEY (set_id, counted, n)
) WITHOUT ROWID;

-- Raw samples, packed as described in store/packing.rs (layout byte first).
CREATE TABLE sample_chunks (
    id       INTEGER PRIMARY KEY,
    set_id   INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    t_first  REAL NOT NULL,
    t_last   REAL NOT NULL,
    samples  INTEGER NOT NULL,
    data     BLOB NOT NULL
);
CREATE INDEX sample_chunks_by_set ON sample_chunks(set_id, id);

CREATE TABLE heart_rate (
    set_id  INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    t       REAL NOT NULL,
    bpm     INTEGER NOT NULL,
    PRIMARY KEY (set_id, t)
) WITHOUT ROWID;

CREATE TABLE slouch_episodes (
    id        INTEGER PRIMARY KEY,
    strap     TEXT NOT NULL,
    start_s   REAL NOT NULL,
    end_s     REAL NOT NULL,
    peak_deg  REAL NOT NULL,
    alert_s   REAL,
    UNIQUE (strap, start_s)
);
CREATE INDEX slouch_episodes_by_start ON slouch_episodes(start_s);

CREATE TABLE posture_hours (
    hour_start  INTEGER PRIMARY KEY CHECK (hour_start % 3600 = 0),
    upright_s   REAL NOT NULL DEFAULT 0,
    slouched_s  REAL NOT NULL DEFAULT 0
);
";

/// How a set or a session felt (pain and effort 0-10, a note), one row per set
/// or per session (`set_id` NULL); and the indexes a year of history needs for
/// reports and charts by time.
const MIGRATION_2: &str = "
CREATE TABLE feedback (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    set_id      INTEGER REFERENCES sets(id) ON DELETE CASCADE,
    at          REAL NOT NULL,
    pain        INTEGER CHECK (pain BETWEEN 0 AND 10),
    effort      INTEGER CHECK (effort BETWEEN 0 AND 10),
    note        TEXT
);
CREATE UNIQUE INDEX feedback_by_set ON feedback(session_id, COALESCE(set_id, 0));
CREATE INDEX feedback_by_time ON feedback(at);
";

/// Opens (creating if need be) the database at `path`, migrates it and marks the
/// sets a previous run left open.
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    let open_err = |source| StoreError::Open {
        path: path.to_owned(),
        source,
    };
    let mut conn = Connection::open(path).map_err(open_err)?;
    configure(&conn).map_err(open_err)?;
    migrate(&mut conn, path)?;
    // Not fatal: on a full disk the daemon still runs, and the next start retries.
    if let Err(e) = mark_interrupted(&conn) {
        tracing::warn!(error = %e, "could not mark sets interrupted by the last run");
    }
    Ok(conn)
}

/// WAL with `synchronous=NORMAL`: a commit survives the process being killed (it
/// is in the WAL file) and costs no fsync; only power loss can take the last
/// commits, never corrupt the file.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;",
    )
}

/// The database's schema version.
pub fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Applies the migrations the database lacks, each in its own transaction with
/// its version bump, so a crash leaves it at a whole version.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let found = user_version(conn).map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (version, sql) in (1..).zip(MIGRATIONS).skip(found as usize) {
        let mut apply = || -> rusqlite::Result<()> {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", version)?;
            tx.commit()
        };
        apply().map_err(|source| StoreError::Migrate { version, source })?;
    }
    Ok(())
}

/// Ends what a previous run left running: a set gets `interrupted`, the count of
/// its stored reps, and ends at its last rep or sample (or its start); a session
/// ends with its last set.
fn mark_interrupted(conn: &Connection) -> rusqlite::Result<()> {
    let tx = conn.unchecked_transaction()?;
    tx.execute_batch(
        "UPDATE sets SET
             end_reason = 'interrupted',
             counted_reps = (SELECT COUNT(*) FROM reps WHERE set_id = sets.id AND counted),
             ended_at = MAX(
                 started_at,
                 COALESCE((SELECT MAX(end_s) FROM reps WHERE set_id = sets.id), started_at),
                 COALESCE((SELECT MAX(t_last) FROM sample_chunks WHERE set_id = sets.id),
                          started_at))
         WHERE ended_at IS NULL;
         UPDATE sessions SET ended_at = MAX(
                 started_at,
                 COALESCE((SELECT MAX(ended_at) FROM sets WHERE session_id = sessions.id),
                          started_at))
         WHERE ended_at IS NULL;",
    )?;
    tx.commit()
}
