//! Plain records the apps see. Converted from core types here and nowhere else.

use ruhu_core::device::{DraftSummary, LocalAssignment, OutboxEntry, PhotoInfo, RejectedSubmission, SyncReport};
use ruhu_core::eligibility::Advice;
use ruhu_core::form::{FieldError, FormState, QuestionState};
use ruhu_core::protocol::{self, UserInfo};
use ruhu_core::resident_id::mask;

#[derive(Debug, Clone, uniffi::Record)]
pub struct DeviceSettings {
    /// A folder the app owns (internal storage, excluded from backups).
    pub data_dir: String,
    /// e.g. "https://ruhu.huaxi.example"; without "/api/v1".
    pub server_url: String,
    /// Stable per installation.
    pub device_id: String,
    pub device_name: Option<String>,
    pub app_version: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    /// Role codes, e.g. "investigator".
    pub roles: Vec<String>,
    pub org_unit_code: String,
    pub org_unit_name: String,
}

impl From<UserInfo> for User {
    fn from(u: UserInfo) -> Self {
        Self {
            id: u.id.to_string(),
            username: u.username,
            display_name: u.display_name,
            roles: u.roles.iter().map(|r| r.as_str().to_string()).collect(),
            org_unit_code: u.org_unit_code,
            org_unit_name: u.org_unit_name,
        }
    }
}

/// One row of the assignment list: what the investigator needs to plan the day. ID numbers are masked here.
#[derive(Debug, Clone, uniffi::Record)]
pub struct AssignmentItem {
    pub id: String,
    pub case_id: String,
    pub case_no: String,
    pub assistance_type: String,
    pub assistance_type_label: String,
    pub status: String,
    pub status_label: String,
    /// YYYY-MM-DD
    pub due_date: String,
    pub village_name: String,
    pub head_name: String,
    pub address: String,
    pub member_count: u32,
    pub household_lat: Option<f64>,
    pub household_lon: Option<f64>,
    pub investigators: Vec<String>,
    pub form_id: String,
    pub form_version: u32,
    pub completed_by: Option<String>,
    pub draft_id: Option<String>,
    pub draft_state: Option<String>,
    pub outbox_state: Option<String>,
    pub outbox_state_label: Option<String>,
    /// The server's Chinese reason when it refused the submission.
    pub outbox_error: Option<String>,
    /// Where the case stands in its procedure (e.g. 调查核实中), as of the last sync.
    #[uniffi(default)]
    pub case_stage_label: Option<String>,
    /// The case's open steps, earliest first, with today's urgency judged on the phone from the server's dates (sent
    /// with open assignments; empty once the visit is done).
    #[uniffi(default)]
    pub deadlines: Vec<CaseDeadline>,
    /// Open steps whose due date the server cannot give yet (a holiday schedule not loaded, on a server set to
    /// refuse provisional dates).
    #[uniffi(default)]
    pub undated_deadlines: Vec<UndatedDeadline>,
    /// What the investigator should know about this visit's merge (answers awaiting the supervisor's decision).
    #[uniffi(default)]
    pub outbox_notice: Option<String>,
}

/// The Chinese notice for a merged visit some of whose facts conflicted with another visit's.
fn conflict_notice(conflicts: &[String]) -> Option<String> {
    (!conflicts.is_empty()).then(|| {
        format!("调查结果已合并，其中{}项与另一份调查结果不一致，已交由入户调查组织人员核实决定；您填写的内容已保存，无需重新调查", conflicts.len())
    })
}

/// One open step of the case (e.g. 入户调查 due in 3 working days), shown offline.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CaseDeadline {
    pub key: String,
    pub label: String,
    /// YYYY-MM-DD
    pub due_date: String,
    /// "overdue", "due_soon" or "on_time", as of today on this phone (China date).
    pub urgency: String,
    /// 已逾期 / 即将到期 / 未到期
    pub urgency_label: String,
    /// The due date rests on a holiday schedule not yet published (暂定).
    pub provisional: bool,
}

/// An open step of the case without a due date yet (截止日期待定).
#[derive(Debug, Clone, uniffi::Record)]
pub struct UndatedDeadline {
    pub key: String,
    pub label: String,
    /// Why there is no date, e.g. "2027年的法定节假日安排尚未导入…".
    pub reason: String,
}

impl CaseDeadline {
    fn of(step: protocol::StepDue, today: chrono::NaiveDate) -> Self {
        let urgency = step.urgency(today);
        Self {
            key: step.key,
            label: step.label_zh,
            due_date: step.due.to_string(),
            urgency: urgency.as_str().into(),
            urgency_label: urgency.label_zh().into(),
            provisional: step.provisional,
        }
    }
}

impl From<LocalAssignment> for AssignmentItem {
    fn from(l: LocalAssignment) -> Self {
        let a = l.assignment;
        let today = ruhu_core::time::process_clock().today();
        let progress = a.case.progress.clone();
        Self {
            id: a.id.to_string(),
            case_id: a.case.id.to_string(),
            case_no: a.case.case_no,
            assistance_type: a.case.assistance_type.as_str().into(),
            assistance_type_label: a.case.assistance_type.label_zh().into(),
            status: a.status.as_str().into(),
            status_label: a.status.label_zh().into(),
            due_date: a.due_date.to_string(),
            village_name: a.case.village_name,
            head_name: a.household.head_name,
            address: a.household.address,
            member_count: a.household.members.len() as u32,
            household_lat: a.household.location.map(|l| l.lat),
            household_lon: a.household.location.map(|l| l.lon),
            investigators: a.investigators.into_iter().map(|p| p.display_name).collect(),
            form_id: a.form_id,
            form_version: a.form_version,
            completed_by: a.completed_by.map(|c| c.submitted_by.display_name),
            draft_id: l.draft.as_ref().map(|d| d.id.to_string()),
            draft_state: l.draft.as_ref().map(|d| d.state.as_str().into()),
            outbox_state: l.outbox.as_ref().map(|o| o.state.as_str().into()),
            outbox_state_label: l.outbox.as_ref().map(|o| o.state.label_zh().into()),
            outbox_notice: l.outbox.as_ref().and_then(|o| o.receipt.as_ref()).and_then(|r| conflict_notice(&r.conflicts)),
            outbox_error: l.outbox.and_then(|o| o.last_error),
            case_stage_label: progress.as_ref().map(|p| p.stage_label.clone()),
            undated_deadlines: progress
                .as_ref()
                .map(|p| {
                    p.undated_steps
                        .iter()
                        .map(|u| UndatedDeadline { key: u.key.clone(), label: u.label_zh.clone(), reason: u.reason_zh.clone() })
                        .collect()
                })
                .unwrap_or_default(),
            deadlines: progress.map(|p| p.open_steps.into_iter().map(|s| CaseDeadline::of(s, today)).collect()).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Member {
    pub name: String,
    pub relation: String,
    /// Full number, for checking documents at the door; show `resident_id_masked` in lists.
    pub resident_id: String,
    pub resident_id_masked: String,
}

impl From<protocol::MemberSnapshot> for Member {
    fn from(m: protocol::MemberSnapshot) -> Self {
        Self { resident_id_masked: mask(&m.resident_id), name: m.name, relation: m.relation, resident_id: m.resident_id }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Draft {
    pub id: String,
    pub assignment_id: String,
    pub form_id: String,
    pub form_version: u32,
    pub state: String,
    pub answered: u32,
    pub submission_id: Option<String>,
}

impl From<DraftSummary> for Draft {
    fn from(d: DraftSummary) -> Self {
        Self {
            id: d.id.to_string(),
            assignment_id: d.assignment_id.to_string(),
            form_id: d.form_id,
            form_version: d.form_version,
            state: d.state.as_str().into(),
            answered: d.answered,
            submission_id: d.submission_id.map(|s| s.to_string()),
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Photo {
    pub sha256: String,
    pub size: u64,
    pub width: u32,
    pub height: u32,
    /// RFC 3339, from the camera's EXIF when it had one.
    pub taken_at: Option<String>,
    pub exif_lat: Option<f64>,
    pub exif_lon: Option<f64>,
}

impl From<PhotoInfo> for Photo {
    fn from(p: PhotoInfo) -> Self {
        Self {
            sha256: p.sha256,
            size: p.size,
            width: p.width,
            height: p.height,
            taken_at: p.taken_at.map(|t| t.to_rfc3339()),
            exif_lat: p.exif_location.map(|l| l.lat),
            exif_lon: p.exif_location.map(|l| l.lon),
        }
    }
}

/// A position fix as the platform reports it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct LocationFix {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: f64,
    pub provider: String,
    pub mock: bool,
    /// Milliseconds since the Unix epoch (the platform's fix time).
    pub time_ms: i64,
}

#[derive(Debug, Clone, Copy, uniffi::Enum)]
pub enum Signer {
    Investigator1,
    Investigator2,
    FamilyMember,
}

impl From<Signer> for protocol::SignerRole {
    fn from(s: Signer) -> Self {
        match s {
            Signer::Investigator1 => Self::Investigator1,
            Signer::Investigator2 => Self::Investigator2,
            Signer::FamilyMember => Self::FamilyMember,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct FieldProblem {
    pub question_id: String,
    pub code: String,
    pub message: String,
}

impl From<FieldError> for FieldProblem {
    fn from(e: FieldError) -> Self {
        Self { question_id: e.question_id, code: e.code, message: e.message }
    }
}

/// The evaluator's view of one question for the renderer. Hidden questions (`relevant` false) are not shown.
#[derive(Debug, Clone, uniffi::Record)]
pub struct QuestionView {
    /// `household_size`, or `members[1].age` inside a repeat group (rows from 0).
    pub path: String,
    pub relevant: bool,
    pub required: bool,
    pub calculated: bool,
    /// The answer as it counts, or the calculated value, as JSON; None when there is none.
    pub value_json: Option<String>,
    /// A repeat group: how many rows the form asks for, when known.
    pub expected_rows: Option<u32>,
    pub problems: Vec<FieldProblem>,
    /// The value the case already holds for this question's fact, as JSON (the record a periodic review or a
    /// district re-visit compares with); None when the case has none.
    pub case_value_json: Option<String>,
}

impl From<QuestionState> for QuestionView {
    fn from(q: QuestionState) -> Self {
        Self {
            path: q.path,
            relevant: q.relevant,
            required: q.required,
            calculated: q.calculated,
            value_json: q.value.map(|v| v.to_string()),
            expected_rows: q.expected_rows,
            problems: q.errors.into_iter().map(FieldProblem::from).collect(),
            case_value_json: None,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct FormView {
    pub questions: Vec<QuestionView>,
    /// Every problem in document order; empty means the visit can be finalised.
    pub problems: Vec<FieldProblem>,
    pub complete: bool,
}

impl From<FormState> for FormView {
    fn from(s: FormState) -> Self {
        let complete = s.is_complete();
        Self {
            problems: s.errors.into_iter().map(FieldProblem::from).collect(),
            questions: s.questions.into_iter().map(QuestionView::from).collect(),
            complete,
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct OutboxItem {
    pub submission_id: String,
    pub assignment_id: String,
    pub state: String,
    pub state_label: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// The case facts this visit could not change because another visit changed them from the same base
    /// (e.g. `income.wages_fen`): the supervisor decides; nothing the investigator entered is lost.
    #[uniffi(default)]
    pub conflicts: Vec<String>,
    /// What the investigator should know about the merged visit, in Chinese (e.g. that some answers await the
    /// supervisor's decision); None when there is nothing to say.
    #[uniffi(default)]
    pub notice: Option<String>,
}

impl From<OutboxEntry> for OutboxItem {
    fn from(o: OutboxEntry) -> Self {
        let conflicts = o.receipt.map(|r| r.conflicts).unwrap_or_default();
        let notice = conflict_notice(&conflicts);
        Self {
            submission_id: o.submission_id.to_string(),
            assignment_id: o.assignment_id.to_string(),
            state: o.state.as_str().into(),
            state_label: o.state.label_zh().into(),
            attempts: o.attempts,
            last_error: o.last_error,
            conflicts,
            notice,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use ruhu_core::{
        device::{OutboxEntry, OutboxState},
        protocol::{SubmissionReceipt, SubmissionState},
    };
    use uuid::Uuid;

    use super::OutboxItem;

    fn entry(conflicts: Vec<String>) -> OutboxEntry {
        let id = Uuid::new_v4();
        OutboxEntry {
            submission_id: id,
            draft_id: Uuid::new_v4(),
            assignment_id: Uuid::new_v4(),
            state: OutboxState::Sent,
            attempts: 1,
            last_error_code: None,
            last_error: None,
            receipt: Some(SubmissionReceipt {
                submission_id: id,
                case_id: Uuid::new_v4(),
                state: SubmissionState::Merged,
                missing_media: vec![],
                conflicts,
            }),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_visit_merged_with_conflicts_tells_the_investigator_what_happens_next() {
        let item = OutboxItem::from(entry(vec!["household.size".into(), "income.wages_fen".into()]));
        assert_eq!(item.conflicts, ["household.size", "income.wages_fen"]);
        let notice = item.notice.expect("a notice");
        assert!(notice.contains("2项") && notice.contains("无需重新调查"), "{notice}");
        assert_eq!(OutboxItem::from(entry(vec![])).notice, None, "a clean merge needs no notice");
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Rejection {
    pub submission_id: String,
    pub assignment_id: String,
    pub code: String,
    pub message: String,
}

impl From<RejectedSubmission> for Rejection {
    fn from(r: RejectedSubmission) -> Self {
        Self { submission_id: r.submission_id.to_string(), assignment_id: r.assignment_id.to_string(), code: r.code, message: r.message }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncSummary {
    pub pushed: u32,
    pub merged: u32,
    pub rejected: Vec<Rejection>,
    pub uploaded_bytes: u64,
    pub chunks_sent: u32,
    pub media_uploaded: u32,
    pub pages_pulled: u32,
    pub changes_applied: u32,
    pub deleted_assignments: u32,
    pub round_trips: u32,
    pub bytes_received: u64,
}

impl From<SyncReport> for SyncSummary {
    fn from(r: SyncReport) -> Self {
        Self {
            pushed: r.pushed,
            merged: r.merged,
            rejected: r.rejected.into_iter().map(Rejection::from).collect(),
            uploaded_bytes: r.uploaded_bytes,
            chunks_sent: r.chunks_sent,
            media_uploaded: r.media_uploaded,
            pages_pulled: r.pages_pulled,
            changes_applied: r.changes_applied,
            deleted_assignments: r.deleted_assignments,
            round_trips: r.round_trips,
            bytes_received: r.bytes_received,
        }
    }
}

/// One finding of the eligibility pre-check: whether it holds (None: not checked), the figures it used, and why,
/// in Chinese.
#[derive(Debug, Clone, uniffi::Record)]
pub struct EligibilityFinding {
    pub code: String,
    pub met: Option<bool>,
    pub inputs: Vec<EligibilityInput>,
    pub explanation: String,
}

/// One input of a finding: `age`, `elderly_age`, `monthly_income_fen`, `standard_fen`, … (money in fen).
#[derive(Debug, Clone, uniffi::Record)]
pub struct EligibilityInput {
    pub name: String,
    pub value: i64,
}

/// The eligibility pre-check shown at the end of a 低保 / 低保边缘 / 特困 visit: advice, never the decision.
#[derive(Debug, Clone, uniffi::Record)]
pub struct EligibilityAdvice {
    /// `dibao`, `bianyuan`, `tekun` (the 特困 conditions appear met), `not_eligible` or `unknown`.
    pub outcome: String,
    pub outcome_label: String,
    pub per_capita_income_fen: Option<i64>,
    /// 补差 per month for the household when the outcome is `dibao`.
    pub gap_payment_fen: Option<i64>,
    pub findings: Vec<EligibilityFinding>,
    /// Says that the township decides.
    pub note: String,
}

impl From<Advice> for EligibilityAdvice {
    fn from(a: Advice) -> Self {
        Self {
            outcome: a.outcome().into(),
            outcome_label: a.outcome_label_zh().into(),
            per_capita_income_fen: a.dibao().and_then(|d| d.per_capita_income_fen),
            gap_payment_fen: a.dibao().and_then(|d| d.gap_payment_fen),
            findings: a
                .findings()
                .iter()
                .map(|f| EligibilityFinding {
                    code: f.code.into(),
                    met: f.met,
                    inputs: f.inputs.iter().map(|(name, value)| EligibilityInput { name: (*name).into(), value: *value }).collect(),
                    explanation: f.explanation.clone(),
                })
                .collect(),
            note: a.note().into(),
        }
    }
}
