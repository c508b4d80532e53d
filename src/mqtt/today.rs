//! Today's totals for `BASE/today` (sets, reps, upright share) and a stored
//! set's score for `set_ended`, read from the store. The sums are pure.

use serde_json::{Value, json};

use crate::store::{PostureHour, SessionDetail, SetDetail, SetId, Store, StoreError};

/// The machine's local midnight before `now` (Unix s) and its date, from the
/// system's time zone (`/etc/localtime`, `TZ`); UTC when it cannot be read.
pub fn local_day(now: f64) -> (f64, String) {
    let ts =
        jiff::Timestamp::from_second(now.floor() as i64).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let zoned = ts.to_zoned(jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC));
    let date = zoned.date();
    let start = date
        .to_zoned(zoned.time_zone().clone())
        .map_or(now - now.rem_euclid(86_400.0), |z| {
            z.timestamp().as_second() as f64
        });
    (start, date.to_string())
}

/// The totals of `sessions` and posture `hours` from `day_start` on.
pub fn totals(
    sessions: &[SessionDetail],
    hours: &[PostureHour],
    day_start: f64,
    date: &str,
) -> Value {
    let sets: Vec<&SetDetail> = sessions
        .iter()
        .flat_map(|s| &s.sets)
        .filter(|s| s.set.info.started_at >= day_start && s.set.ended_at.is_some())
        .collect();
    let reps: u32 = sets
        .iter()
        .map(|s| s.set.corrected_reps.unwrap_or(s.set.counted_reps))
        .sum();
    let (upright_s, slouched_s) = hours
        .iter()
        .filter(|h| h.hour_start as f64 >= day_start)
        .fold((0.0, 0.0), |(u, s), h| (u + h.upright_s, s + h.slouched_s));
    let share = (upright_s + slouched_s > 0.0).then(|| upright_s / (upright_s + slouched_s));
    json!({
        "date": date,
        "sets": sets.len(),
        "reps": reps,
        "upright_s": upright_s.round(),
        "slouched_s": slouched_s.round(),
        "upright_share": share.map(|s| (s * 1000.0).round() / 1000.0),
        "upright_percent": share.map(|s| (s * 100.0).round()),
    })
}

/// Mean score of a stored set's counted reps.
pub fn score(set: &SetDetail) -> Option<f64> {
    let counted: Vec<f64> = set
        .reps
        .iter()
        .filter(|r| r.counted)
        .map(|r| r.rep.score)
        .collect();
    (!counted.is_empty()).then(|| counted.iter().sum::<f64>() / counted.len() as f64)
}

/// Today's totals as of `now`, and the stored set `set` if asked for.
pub async fn read(
    store: &Store,
    now: f64,
    set: Option<SetId>,
) -> Result<(Value, Option<SetDetail>), StoreError> {
    let (start, date) = local_day(now);
    // A set asked for may have started before midnight.
    let from = start - 86_400.0;
    let data = store.export(Some(from), None).await?;
    let posture = store.posture(Some(start), None).await?;
    let found = set.and_then(|id| {
        data.sessions
            .iter()
            .flat_map(|s| &s.sets)
            .find(|s| s.set.info.id == id)
            .cloned()
    });
    Ok((totals(&data.sessions, &posture.hours, start, &date), found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midnight_is_before_now_and_within_a_day() {
        let now = 1_780_000_000.0;
        let (start, date) = local_day(now);
        assert!(start <= now && now - start < 86_400.0 + 3_600.0, "{start}");
        assert_eq!(date.len(), 10, "{date}");
    }

    #[test]
    fn no_history_is_zero_with_no_share() {
        let v = totals(&[], &[], 0.0, "2026-12-02");
        assert_eq!(v["sets"], 0);
        assert_eq!(v["reps"], 0);
        assert!(v["upright_share"].is_null());
        let hours = [
            PostureHour {
                hour_start: 3600,
                upright_s: 1500.0,
                slouched_s: 500.0,
            },
            PostureHour {
                hour_start: 0,
                upright_s: 100.0,
                slouched_s: 900.0,
            },
        ];
        let v = totals(&[], &hours, 3600.0, "d");
        assert_eq!(v["upright_share"], 0.75);
        assert_eq!(v["upright_percent"], 75.0);
    }
}
