//! Schema versions: a fresh database, a reopened one, one from the future.

use postured::store::{SCHEMA_VERSION, SessionId, Store, StoreError};
use rusqlite::Connection;

use crate::TempDir;

fn user_version(conn: &Connection) -> u32 {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn a_fresh_database_gets_the_newest_schema_in_wal_mode() {
    let dir = TempDir::new("fresh");
    let store = Store::open(dir.db()).unwrap();
    store.flush().await.unwrap();
    let conn = Connection::open(dir.db()).unwrap();
    assert_eq!(SCHEMA_VERSION, 3);
    assert_eq!(user_version(&conn), SCHEMA_VERSION);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        tables,
        [
            "feedback",
            "heart_rate",
            "posture_hours",
            "reps",
            "sample_chunks",
            "sessions",
            "sets",
            "slouch_episodes"
        ]
    );
}

#[tokio::test]
async fn reopening_changes_nothing() {
    let dir = TempDir::new("reopen");
    let store = Store::open(dir.db()).unwrap();
    store.start_session(SessionId(7), 1000.0, Some("morning"));
    store.end_session(SessionId(7), 1100.0);
    store.flush().await.unwrap();
    drop(store);
    let store = Store::open(dir.db()).unwrap();
    let session = store.session(SessionId(7)).await.unwrap().unwrap();
    assert_eq!(session.routine.as_deref(), Some("morning"));
    assert_eq!(session.ended_at, Some(1100.0));
    let conn = Connection::open(dir.db()).unwrap();
    assert_eq!(user_version(&conn), SCHEMA_VERSION);
}

#[test]
fn a_database_from_a_newer_postured_is_refused() {
    let dir = TempDir::new("newer");
    Connection::open(dir.db())
        .unwrap()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    let err = Store::open(dir.db()).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::TooNew {
                found: 99,
                known: SCHEMA_VERSION,
                ..
            }
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("99") && msg.contains("newer"), "{msg}");
}

#[tokio::test]
async fn a_version_1_database_gains_feedback_and_keeps_its_sessions() {
    let dir = TempDir::new("v1");
    let store = Store::open(dir.db()).unwrap();
    store.start_session(SessionId(3), 1000.0, None);
    store.end_session(SessionId(3), 1100.0);
    store.flush().await.unwrap();
    drop(store);
    // Back to what version 1 wrote.
    Connection::open(dir.db())
        .unwrap()
        .execute_batch(
            "DROP INDEX feedback_by_time; DROP INDEX feedback_by_set; DROP TABLE feedback;
             ALTER TABLE sets DROP COLUMN live_reps; ALTER TABLE reps DROP COLUMN withdrawn;
             PRAGMA user_version = 1;",
        )
        .unwrap();
    let store = Store::open(dir.db()).unwrap();
    assert!(store.session(SessionId(3)).await.unwrap().is_some());
    store.record_feedback(postured::store::Feedback {
        session: SessionId(3),
        set: None,
        at: 1200.0,
        pain: Some(2),
        effort: None,
        note: Some("stiff".into()),
    });
    store.flush().await.unwrap();
    let given = store.session_feedback(SessionId(3)).await.unwrap();
    assert_eq!(given[0].pain, Some(2));
    let conn = Connection::open(dir.db()).unwrap();
    assert_eq!(user_version(&conn), SCHEMA_VERSION);
    // The settled count's columns are there too.
    conn.execute_batch("SELECT live_reps FROM sets; SELECT withdrawn FROM reps;")
        .unwrap();
}
