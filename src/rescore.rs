//! `postured rescore`: recount stored sets from their raw samples with the
//! current exercise specs.

use serde::Serialize;

use crate::exercises;
use crate::motion::Counter;
use crate::store::{Store, StoreError};

/// One set, as stored and as counted again.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rescored {
    /// Set id.
    pub set: i64,
    /// Exercise id.
    pub exercise: String,
    /// The count stored when the set ended.
    pub stored_reps: u32,
    /// The user's correction, if any.
    pub corrected_reps: Option<u32>,
    /// The count now; `None` when the exercise no longer exists.
    pub recount: Option<u32>,
    /// Raw samples kept for the set.
    pub samples: usize,
}

/// Recounts every stored set, oldest first, with the exercises of `catalog`.
pub async fn all(store: &Store, catalog: &exercises::Catalog) -> Result<Vec<Rescored>, StoreError> {
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let page = store.sessions(None, None, 200, offset).await?;
        if page.items.is_empty() {
            break;
        }
        offset += page.items.len() as u64;
        for session in page.items {
            for set in session.sets {
                let samples = store.set_samples(set.info.id).await?;
                let recount = catalog.get(&set.info.exercise).map(|spec| {
                    let mut c = Counter::new(spec, set.info.side, None);
                    c.push_batch(&samples);
                    c.reps()
                });
                out.push(Rescored {
                    set: set.info.id.0,
                    exercise: set.info.exercise.clone(),
                    stored_reps: set.counted_reps,
                    corrected_reps: set.corrected_reps,
                    recount,
                    samples: samples.len(),
                });
            }
        }
    }
    out.reverse();
    Ok(out)
}
