//! Wire protocol v1 between the device core and the server. Both ends compile these exact types.
//!
//! Paths (all JSON unless stated; errors are `application/problem+json` bodies of [`Problem`]):
//! - `POST /api/v1/auth/login` [`LoginRequest`] → [`TokenResponse`]; `POST /api/v1/auth/refresh` [`RefreshRequest`] →
//!   [`TokenResponse`]; `POST /api/v1/auth/logout` (bearer) → 204.
//! - `GET /api/v1/sync/pull?since=CURSOR&limit=N` (bearer) → [`PullPage`]. Cursor 0 is "from the start".
//! - `POST /api/v1/sync/submissions` [`VisitSubmission`] → [`SubmissionReceipt`] (200 for new or identical replay,
//!   409 `submission_conflict` for the same id with other content); the whole verdict contract is on [`SubmissionReceipt`].
//! - tus 1.0 uploads under `/api/v1/uploads` (core, creation, checksum with sha256, termination, expiration); the upload
//!   URL is `/api/v1/uploads/{sha256-hex}`: content-addressed, so a blob the server has is never sent twice.
//! - `GET /api/v1/media/{sha256}` → the bytes (scoped and audited like the case it belongs to).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::{assistance::AssistanceType, form::FormDefinition, geo::LatLon, roles::Role, urgency::Urgency};

pub const PROTOCOL_VERSION: u32 = 1;
/// Sent by the device on every request; the server refuses versions it no longer speaks.
pub const PROTOCOL_HEADER: &str = "Ruhu-Protocol";
pub const TUS_VERSION: &str = "1.0.0";

/// The public error of the HTTP boundary: a stable `code` for programs, a Chinese `message` for people.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub status: u16,
    pub code: String,
    /// zh-CN, shown to the user as is.
    pub message: String,
    /// The field or question the error is about, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

// ---------- auth ----------

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// Stable per installation; the server registers it on first login.
    pub device_id: String,
    #[serde(default)]
    pub device_name: Option<String>,
    #[serde(default)]
    pub app_version: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshRequest {
    pub refresh_token: String,
    pub device_id: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub user: UserInfo,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub org_unit_code: String,
    pub org_unit_name: String,
}

// ---------- pull ----------

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PullPage {
    pub changes: Vec<Change>,
    /// Pass as `since` for the next page; equals the request's `since` when nothing changed.
    pub next_cursor: i64,
    pub has_more: bool,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Change {
    pub seq: i64,
    #[serde(flatten)]
    pub record: ChangeRecord,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChangeRecord {
    /// The assignment is (still) in this user's slice: store or replace it.
    AssignmentUpsert { assignment: Box<AssignmentSnapshot> },
    /// The assignment left this user's slice (reassigned, cancelled, revoked): delete it and all its local data.
    AssignmentDelete { id: Uuid },
    /// A published form version the user may need.
    FormUpsert { form: Box<FormDefinition> },
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentStatus {
    Assigned,
    /// A complete submission has been merged.
    Completed,
    Cancelled,
}

impl AssignmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assigned => "assigned",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "assigned" => Some(Self::Assigned),
            "completed" => Some(Self::Completed),
            "cancelled" => Some(Self::Cancelled),
            _ => None,
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Assigned => "待调查",
            Self::Completed => "已完成",
            Self::Cancelled => "已取消",
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentSnapshot {
    pub id: Uuid,
    pub status: AssignmentStatus,
    pub due_date: NaiveDate,
    /// Exactly two, in order: investigator 1 and investigator 2.
    pub investigators: Vec<PersonRef>,
    pub assigned_by: PersonRef,
    pub form_id: String,
    pub form_version: u32,
    pub case: CaseSnapshot,
    pub household: HouseholdSnapshot,
    /// Set once a complete submission for this assignment has been merged (by either investigator).
    #[serde(default)]
    pub completed_by: Option<SubmissionSummary>,
    pub updated_at: DateTime<Utc>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    pub id: Uuid,
    pub display_name: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionSummary {
    pub submission_id: Uuid,
    pub submitted_by: PersonRef,
    pub finalized_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSnapshot {
    pub id: Uuid,
    /// Human-facing number, e.g. "QY-2026-000123".
    pub case_no: String,
    pub assistance_type: AssistanceType,
    pub step: String,
    pub township_code: String,
    pub village_code: String,
    pub village_name: String,
    /// The household facts the case relies on, each with the submission it came from.
    pub facts: BTreeMap<String, FactValue>,
    /// 低保 / 低保边缘 / 特困: what the phone needs to show the eligibility pre-check offline at the end of the visit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precheck: Option<PrecheckPolicy>,
    /// Where the case stands in its procedure and when its open steps fall due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<CaseProgress>,
}

/// The case's stage and its open steps' due dates, computed by the server from the policy and the working-day
/// calendar (which the phone does not hold), so that a phone shows deadlines offline and tells "due soon" and
/// "overdue" apart on any later day without asking.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseProgress {
    /// A `workflow::Stage` key.
    pub stage: String,
    pub stage_label: String,
    /// Earliest first.
    pub open_steps: Vec<StepDue>,
    /// Open steps whose due date cannot be given yet (a holiday schedule not loaded, and the server set to refuse
    /// provisional dates), with the reason. Absent from older servers.
    #[serde(default)]
    pub undated_steps: Vec<StepUndated>,
}

/// An open step without a due date yet.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepUndated {
    pub key: String,
    pub label_zh: String,
    /// Why there is no date, e.g. "2027年的法定节假日安排尚未导入…".
    pub reason_zh: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepDue {
    pub key: String,
    pub label_zh: String,
    pub due: NaiveDate,
    /// The first day on which the step counts as due soon (the policy's reminder window, in working days).
    pub due_soon_from: NaiveDate,
    /// Rests on a year whose official holiday schedule is not loaded yet (暂定).
    pub provisional: bool,
}

impl StepDue {
    /// The step's urgency on `today` (China date), the same verdict as the server's lists.
    pub fn urgency(&self, today: NaiveDate) -> Urgency {
        if today > self.due {
            Urgency::Overdue
        } else if today >= self.due_soon_from {
            Urgency::DueSoon
        } else {
            Urgency::OnTime
        }
    }
}

/// The local figures of the eligibility pre-check, as the district's policy gives them for the case: the monthly
/// 低保 standard of the year for the household's area, the 低保边缘 multiple, and for 特困 the ages of art. 5.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrecheckPolicy {
    pub year: i32,
    pub standard_fen: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub bianyuan_multiple: crate::policy::Ratio,
    /// 特困: a person of at least this age has no work capacity (43号 art. 5(一)); absent for other types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tekun_elderly_age: Option<u32>,
    /// 特困: a person below this age has no work capacity (43号 art. 5(二)); absent for other types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tekun_minor_age: Option<u32>,
    /// 特困: by disability type, the highest grade (1 is the most severe) that means no work capacity (43号
    /// art. 5(三)); empty for other types.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tekun_disability_grades: BTreeMap<String, u32>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactValue {
    pub value: Value,
    /// None for facts entered at the desk (application data), Some for facts from a visit.
    pub source_submission: Option<Uuid>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdSnapshot {
    pub id: Uuid,
    pub head_name: String,
    pub address: String,
    pub village_code: String,
    /// The household's known location (WGS-84), when one has been recorded.
    pub location: Option<LatLon>,
    pub members: Vec<MemberSnapshot>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberSnapshot {
    pub id: Uuid,
    pub name: String,
    /// Full number: investigators need it at the door. Stored only in the encrypted device store.
    pub resident_id: String,
    /// e.g. 户主, 配偶, 子女, 父母.
    pub relation: String,
}

// ---------- push ----------

/// A finalised home visit. Immutable: the client id and its content are fixed once finalised, and the id names this
/// content for good (what the server answers to it: [`SubmissionReceipt`]).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitSubmission {
    pub id: Uuid,
    pub assignment_id: Uuid,
    pub form_id: String,
    pub form_version: u32,
    /// Answers keyed by question id, as the form definition describes them.
    pub answers: BTreeMap<String, Value>,
    /// For every fact the device saw at pull time: the submission it came from (None: desk data). The server merges
    /// a changed fact only when its current source is still this base; otherwise the difference becomes a conflict.
    #[serde(default)]
    pub base_facts: BTreeMap<String, Option<Uuid>>,
    pub media: Vec<MediaRef>,
    pub gps_fixes: Vec<GpsFix>,
    pub signatures: Vec<SignatureRef>,
    pub started_at: DateTime<Utc>,
    pub finalized_at: DateTime<Utc>,
    pub device_id: String,
    pub app_version: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRef {
    /// Lower-case hex sha256 of the uploaded bytes (after downscaling and EXIF stripping on the device).
    pub sha256: String,
    pub size: u64,
    pub content_type: String,
    /// The photo question the file answers.
    pub question_id: String,
    #[serde(default)]
    pub taken_at: Option<DateTime<Utc>>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpsFix {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: f64,
    /// "gps", "network", "fused", … as the platform reports it.
    pub provider: String,
    /// The platform flagged the fix as coming from a mock-location app.
    pub mock: bool,
    pub taken_at: DateTime<Utc>,
}

/// Who signed: defined with the forms' signature questions (`form::Question::signer`), which the protocol carries.
pub use crate::form::SignerRole;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureRef {
    pub role: SignerRole,
    pub signer_name: String,
    /// The staff member signing (investigators); None for family members.
    #[serde(default)]
    pub signer_user_id: Option<Uuid>,
    /// The signature image (PNG), uploaded like a photo.
    pub media_sha256: String,
    pub signed_at: DateTime<Utc>,
}

/// Where an accepted submission stands (see [`SubmissionReceipt`] for the whole contract).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionState {
    /// Accepted and stored, not yet merged: the server waits for the files in `missing_media`, and merges the visit by
    /// itself when the last of them arrives. Never refused later; only `Merged` can follow.
    AwaitingMedia,
    /// Every referenced file is present and the visit is merged into the case record (`conflicts` lists the facts
    /// that were not). Final.
    Merged,
}

/// The server's answer (200) to a pushed [`VisitSubmission`], and with it the push contract both ends keep:
///
/// - **New id.** The server checks the visit (the pusher must be one of the assignment's investigators, on the device
///   that logged in; the form evaluated as of the day it was finalised, as the phone did; every photo and signature
///   answer listed in `media` / `signatures`). Accepted, it is stored and answered [`SubmissionState::Merged`] when
///   every referenced file (photos of `media`, signature images of `signatures`) is already on the server, else
///   [`SubmissionState::AwaitingMedia`] with the missing ones in `missing_media`. The device uploads those (tus,
///   content-addressed) and the server merges the visit once the last upload completes; pushing the same submission
///   again afterwards is how the device learns that it was merged.
/// - **Same id, same content** ([`submission_content_hash`]), from the same user: the same answer, a receipt of the
///   stored submission as it stands now (still missing files, or merged with the conflicts of its merge). Nothing is
///   checked, stored or merged again; a replay is answered before the assignment is looked at, so a visit accepted
///   before its assignment was cancelled or reassigned still gets its receipt.
/// - **Same id, other content** (or another user): 409 `submission_conflict`; the stored submission stands.
/// - **Refused** (a [`Problem`], nothing stored): 403 `not_assigned`; 409 `assignment_reassigned`,
///   `assignment_cancelled`; 422 `validation_failed` (details: the field errors), `unknown_form`, `form_mismatch`,
///   `invalid_media_ref`, `media_not_listed`, `signature_missing`, `invalid_signature`, `invalid_gps_fix`,
///   `invalid_field`, `device_mismatch`. A 403, 409, 410 or 422 is a verdict on this content: the device marks the
///   visit rejected with the server's message and never sends it again. Anything else is not about the visit: 5xx,
///   408 and 429 keep it pending and end the sync run; other statuses (404 `unknown_assignment`, 400
///   `unsupported_protocol`, 413, …) keep it pending with the message. A visit is never dropped without a verdict.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionReceipt {
    pub submission_id: Uuid,
    pub case_id: Uuid,
    pub state: SubmissionState,
    /// sha256 of the referenced files (photos and signature images) the server does not have yet; empty once merged.
    pub missing_media: Vec<String>,
    /// Facts that could not be merged because someone else changed them from the same base.
    pub conflicts: Vec<String>,
}

/// Canonical content hash of a submission: the server compares it on replay (same id + same hash → same answer; see
/// [`SubmissionReceipt`]). The device sends the frozen submission byte for byte, so a replay always hashes the same.
pub fn submission_content_hash(s: &VisitSubmission) -> String {
    use sha2::Digest;
    // serde_json with BTreeMaps and fixed struct order is deterministic for our own types.
    let bytes = serde_json::to_vec(s).unwrap_or_default();
    hex::encode(sha2::Sha256::digest(bytes))
}
