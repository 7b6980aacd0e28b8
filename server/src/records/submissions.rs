//! Visit submissions as stored: the immutable body a phone pushed, its state (waiting for media, merged, …), the files
//! it refers to, and the GPS evidence it carries.

use chrono::{DateTime, Utc};
use ruhu_core::{
    geo::{LatLon, distance_m},
    protocol::{GpsFix, SubmissionState, VisitSubmission},
};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::store::db::{parse_json, parse_ts, parse_uuid};

/// Every content hash a submission refers to (photos and signature images), sorted, distinct.
pub fn referenced_media(s: &VisitSubmission) -> Vec<String> {
    let mut all: Vec<String> = s.media.iter().map(|m| m.sha256.clone()).chain(s.signatures.iter().map(|g| g.media_sha256.clone())).collect();
    all.sort();
    all.dedup();
    all
}

pub async fn missing_media(conn: &mut AnyConnection, hashes: &[String]) -> Result<Vec<String>, sqlx::Error> {
    let mut missing = Vec::new();
    for h in hashes {
        let present = sqlx::query("SELECT 1 AS present FROM media_objects WHERE sha256 = $1").bind(h).fetch_optional(&mut *conn).await?.is_some();
        if !present {
            missing.push(h.clone());
        }
    }
    Ok(missing)
}

pub const SUBMISSION_COLUMNS: &str = "id, assignment_id, case_id, org_path, submitted_by, device_id, investigators, form_id, form_version, content_hash, body, state, received_at, merged_at";

/// A stored submission.
pub struct StoredSubmission {
    pub id: Uuid,
    pub assignment_id: Uuid,
    pub case_id: Uuid,
    pub org_path: String,
    pub submitted_by: Uuid,
    pub device_registration: Uuid,
    pub investigators: Vec<Uuid>,
    pub content_hash: String,
    pub body: VisitSubmission,
    pub state: SubmissionState,
    pub received_at: DateTime<Utc>,
    pub merged_at: Option<DateTime<Utc>>,
}

pub fn state_str(s: SubmissionState) -> &'static str {
    match s {
        SubmissionState::AwaitingMedia => "awaiting_media",
        SubmissionState::Merged => "merged",
    }
}

pub fn parse_state(s: &str) -> SubmissionState {
    if s == "merged" { SubmissionState::Merged } else { SubmissionState::AwaitingMedia }
}

pub fn submission_from_row(row: &sqlx::any::AnyRow) -> Result<StoredSubmission, sqlx::Error> {
    let merged_at: Option<String> = row.try_get("merged_at")?;
    Ok(StoredSubmission {
        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
        assignment_id: parse_uuid(&row.try_get::<String, _>("assignment_id")?)?,
        case_id: parse_uuid(&row.try_get::<String, _>("case_id")?)?,
        org_path: row.try_get("org_path")?,
        submitted_by: parse_uuid(&row.try_get::<String, _>("submitted_by")?)?,
        device_registration: parse_uuid(&row.try_get::<String, _>("device_id")?)?,
        investigators: parse_json(&row.try_get::<String, _>("investigators")?)?,
        content_hash: row.try_get("content_hash")?,
        body: parse_json(&row.try_get::<String, _>("body")?)?,
        state: parse_state(&row.try_get::<String, _>("state")?),
        received_at: parse_ts(&row.try_get::<String, _>("received_at")?)?,
        merged_at: merged_at.as_deref().map(parse_ts).transpose()?,
    })
}

pub async fn load_submission(conn: &mut AnyConnection, id: Uuid) -> Result<Option<StoredSubmission>, sqlx::Error> {
    let row =
        sqlx::query(&format!("SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE id = $1")).bind(id.to_string()).fetch_optional(&mut *conn).await?;
    row.as_ref().map(submission_from_row).transpose()
}

/// Which case fact keys this submission's merge could not apply.
pub async fn conflicts_of(conn: &mut AnyConnection, submission_id: Uuid) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query("SELECT fact_key FROM conflicts WHERE proposed_source = $1 ORDER BY fact_key")
        .bind(submission_id.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(|r| r.try_get::<String, _>("fact_key")).collect()
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GpsEvidence {
    pub fixes: Vec<GpsFix>,
    /// The most accurate fix not flagged as mock (a mock one only when there is nothing else).
    pub best_fix: Option<GpsFix>,
    /// Metres from the best fix to the household's known location.
    pub distance_m: Option<f64>,
    pub household_location: Option<LatLon>,
    /// Some fix was flagged as coming from a mock-location app.
    pub any_mock: bool,
}

/// The most accurate fix not flagged as mock (a mock one only when there is nothing else).
pub fn best_fix(fixes: &[GpsFix]) -> Option<&GpsFix> {
    let most_accurate = |it: &mut dyn Iterator<Item = &GpsFix>| -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for (i, f) in it.enumerate() {
            if best.is_none_or(|(_, a)| f.accuracy_m < a) {
                best = Some((i, f.accuracy_m));
            }
        }
        best.map(|(i, _)| i)
    };
    let genuine: Vec<&GpsFix> = fixes.iter().filter(|f| !f.mock).collect();
    if let Some(i) = most_accurate(&mut genuine.iter().copied()) {
        return Some(genuine[i]);
    }
    most_accurate(&mut fixes.iter()).map(|i| &fixes[i])
}

pub fn gps_evidence(fixes: &[GpsFix], household_location: Option<LatLon>) -> GpsEvidence {
    let best = best_fix(fixes).cloned();
    let distance = best.as_ref().zip(household_location).map(|(f, h)| distance_m(LatLon { lat: f.lat, lon: f.lon }, h));
    GpsEvidence { fixes: fixes.to_vec(), best_fix: best, distance_m: distance, household_location, any_mock: fixes.iter().any(|f| f.mock) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(accuracy_m: f64, mock: bool) -> GpsFix {
        GpsFix { lat: 26.33, lon: 106.69, accuracy_m, provider: "gps".into(), mock, taken_at: Utc::now() }
    }

    #[test]
    fn the_best_fix_is_the_most_accurate_genuine_one() {
        let fixes = [fix(30.0, false), fix(3.0, true), fix(12.0, false)];
        assert_eq!(best_fix(&fixes).map(|f| f.accuracy_m), Some(12.0), "a mock fix never wins over a genuine one");
        assert_eq!(best_fix(&[fix(9.0, true)]).map(|f| f.accuracy_m), Some(9.0));
        assert!(best_fix(&[]).is_none());
        let e = gps_evidence(&fixes, Some(LatLon { lat: 26.33, lon: 106.69 }));
        assert!(e.any_mock);
        assert!(e.distance_m.unwrap() < 1.0);
    }
}
