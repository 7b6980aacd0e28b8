//! A visit as the case record shows it: the submission with its evidence (media, GPS, signatures, actors, device),
//! and whether it is complete.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use ruhu_core::{
    geo::LatLon,
    protocol::{PersonRef, SignerRole, SubmissionState},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::{
    access::users,
    records::submissions::{GpsEvidence, StoredSubmission, gps_evidence, missing_media, referenced_media},
};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VisitRecord {
    pub submission_id: Uuid,
    pub assignment_id: Uuid,
    pub state: SubmissionState,
    pub form_id: String,
    pub form_version: u32,
    pub submitted_by: PersonRef,
    /// The assignment's two investigators when the visit arrived.
    pub investigators: Vec<PersonRef>,
    pub answers: BTreeMap<String, Value>,
    pub media: Vec<MediaRecord>,
    pub gps: GpsEvidence,
    pub signatures: Vec<SignatureRecord>,
    pub started_at: DateTime<Utc>,
    pub finalized_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub merged_at: Option<DateTime<Utc>>,
    /// The installation id the device reported.
    pub device_id: String,
    /// The server's id of the registered device that pushed it.
    pub device_registration: Uuid,
    pub app_version: String,
    pub completeness: Completeness,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MediaRecord {
    pub sha256: String,
    pub size: u64,
    pub content_type: String,
    pub question_id: String,
    pub taken_at: Option<DateTime<Utc>>,
    /// The server holds the bytes.
    pub received: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignatureRecord {
    pub role: SignerRole,
    pub role_label: String,
    pub signer_name: String,
    pub signer_user: Option<PersonRef>,
    pub media_sha256: String,
    pub signed_at: DateTime<Utc>,
    pub received: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Completeness {
    /// Every referenced file has arrived and the visit is merged.
    pub complete: bool,
    pub missing_media: Vec<String>,
}

pub async fn record(conn: &mut AnyConnection, s: &StoredSubmission, household_location: Option<LatLon>) -> Result<VisitRecord, sqlx::Error> {
    let b = &s.body;
    let missing = missing_media(conn, &referenced_media(b)).await?;
    let mut investigators = Vec::new();
    for id in &s.investigators {
        investigators.push(users::person(conn, *id).await?);
    }
    let mut signatures = Vec::new();
    for g in &b.signatures {
        let signer_user = match g.signer_user_id {
            Some(id) => Some(users::person(conn, id).await?),
            None => None,
        };
        signatures.push(SignatureRecord {
            role: g.role,
            role_label: g.role.label_zh().into(),
            signer_name: g.signer_name.clone(),
            signer_user,
            media_sha256: g.media_sha256.clone(),
            signed_at: g.signed_at,
            received: !missing.contains(&g.media_sha256),
        });
    }
    Ok(VisitRecord {
        submission_id: s.id,
        assignment_id: s.assignment_id,
        state: s.state,
        form_id: b.form_id.clone(),
        form_version: b.form_version,
        submitted_by: users::person(conn, s.submitted_by).await?,
        investigators,
        answers: b.answers.clone(),
        media: b
            .media
            .iter()
            .map(|m| MediaRecord {
                sha256: m.sha256.clone(),
                size: m.size,
                content_type: m.content_type.clone(),
                question_id: m.question_id.clone(),
                taken_at: m.taken_at,
                received: !missing.contains(&m.sha256),
            })
            .collect(),
        gps: gps_evidence(&b.gps_fixes, household_location),
        signatures,
        started_at: b.started_at,
        finalized_at: b.finalized_at,
        received_at: s.received_at,
        merged_at: s.merged_at,
        device_id: b.device_id.clone(),
        device_registration: s.device_registration,
        app_version: b.app_version.clone(),
        completeness: Completeness { complete: missing.is_empty() && s.state == SubmissionState::Merged, missing_media: missing },
    })
}
