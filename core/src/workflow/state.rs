//! What the workflow knows about a case: its stage, the dates the deadlines count from, who did what, the pending
//! filing, the flags that call for a 100 % district visit. Serialisable, so the server stores it with the case.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::vocab::{ApplicationChannel, Duty, ObjectionMethod, Path, Recommendation, Stage};
use crate::{
    assistance::AssistanceType,
    policy::{Area, ReviewCadence},
};

/// One person's part in a case (for the separation-of-duty rules).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    pub user_id: Uuid,
    pub duty: Duty,
    pub on: NaiveDate,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opinion {
    pub recommendation: Recommendation,
    pub amount_fen: Option<i64>,
    pub reasons: Vec<String>,
    pub by: Uuid,
    pub on: NaiveDate,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Approve,
    Refuse,
    Adjust,
    Stop,
    /// 临时救助 先行救助: decided and paid first.
    EmergencyAid,
}

impl DecisionKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Approve => "确认给予救助",
            Self::Refuse => "不予确认",
            Self::Adjust => "调整救助金额",
            Self::Stop => "停发/终止救助",
            Self::EmergencyAid => "先行救助",
        }
    }
}

/// A decision (township or, after escalation, district).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub kind: DecisionKind,
    /// Monthly amount (低保, 特困) or one-off amount (临时救助), in fen; None for a refusal or 低保边缘 recognition.
    pub amount_fen: Option<i64>,
    /// The computed suggestion, when there is one; a different amount carries `override_reason`.
    pub suggested_fen: Option<i64>,
    pub override_reason: Option<String>,
    pub reasons: Vec<String>,
    pub by: Uuid,
    pub on: NaiveDate,
    /// Decided by the district (escalated review) rather than the township.
    pub district: bool,
    /// First month paid (after approval / adjustment) or first month no longer paid (stop): the month after the
    /// decision, as "YYYY-MM".
    pub effective_month: Option<String>,
}

/// A decision waiting for the district's filing (备案).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingFiling {
    pub kind: DecisionKind,
    pub decided_by: Uuid,
    pub decided_on: NaiveDate,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilingRecord {
    pub kind: DecisionKind,
    pub decided_by: Uuid,
    pub decided_on: NaiveDate,
    pub filed_by: Uuid,
    pub filed_on: NaiveDate,
    pub remarks: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationRecord {
    pub reason: String,
    /// Raised by the rules (临时救助 above the township cap) rather than by a person.
    pub automatic: bool,
    pub raised_by: Uuid,
    pub raised_on: NaiveDate,
    /// Where the case returns when the district upholds the township's result.
    pub return_to: Stage,
    /// The township's amount when the escalation came from a confirmation above the cap.
    pub township_amount_fen: Option<i64>,
    pub decided_by: Option<Uuid>,
    pub decided_on: Option<NaiveDate>,
    pub decision_zh: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintRecord {
    pub received_on: NaiveDate,
    /// A real-name reporter is owed feedback on the result of the check (57号 第三十七条).
    pub real_name: bool,
    pub summary: String,
    pub recorded_by: Uuid,
    pub feedback_on: Option<NaiveDate>,
    pub feedback: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFlags {
    /// A co-resident member is a declared near relative of staff or a village-committee member: filed separately
    /// (单独登记备案), 100 % district visit.
    pub near_relative: bool,
    /// A complaint or report was received: 100 % district visit.
    pub complaint: bool,
    /// The district's visit demanded by either flag has been recorded.
    pub district_visit_on: Option<NaiveDate>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseState {
    pub assistance_type: AssistanceType,
    pub path: Path,
    pub area: Area,
    pub stage: Stage,
    /// The day the application was received.
    pub applied_on: NaiveDate,
    /// In person at the township, or by the village committee on the applicant's behalf (代为申请).
    #[serde(default)]
    pub channel: ApplicationChannel,
    /// Who received and registered the application (absent on cases from before applications were registered).
    #[serde(default)]
    pub received_by: Option<Uuid>,
    pub missing_items: Vec<String>,
    pub accepted_on: Option<NaiveDate>,
    /// Named investigators (at least the policy's minimum).
    pub investigators: Vec<Uuid>,
    pub investigation_started_on: Option<NaiveDate>,
    pub home_visit_on: Option<NaiveDate>,
    pub neighbour_visit_on: Option<NaiveDate>,
    pub check_requested_on: Option<NaiveDate>,
    pub check_done_on: Option<NaiveDate>,
    pub opinion: Option<Opinion>,
    pub publicity_started_on: Option<NaiveDate>,
    /// Set by an objection; the new opinion is due from here (特困: 15 working days).
    pub objection_on: Option<NaiveDate>,
    pub objection_method: Option<ObjectionMethod>,
    pub objections: u32,
    /// Publicity closed without objection: the materials reach the confirming step.
    pub materials_received_on: Option<NaiveDate>,
    /// The recorded reason for the extended procedure (e.g. 45 working days).
    pub extension_reason: Option<String>,
    pub decision: Option<Decision>,
    pub decisions: Vec<Decision>,
    pub notice_issued_on: Option<NaiveDate>,
    pub pending_filing: Option<PendingFiling>,
    pub filings: Vec<FilingRecord>,
    pub escalation: Option<EscalationRecord>,
    pub escalations: Vec<EscalationRecord>,
    pub emergency_aid_on: Option<NaiveDate>,
    pub emergency_record_completed_on: Option<NaiveDate>,
    pub review_cadence: ReviewCadence,
    pub next_review_on: Option<NaiveDate>,
    pub review_started_on: Option<NaiveDate>,
    pub flags: CaseFlags,
    pub complaints: Vec<ComplaintRecord>,
    pub participants: Vec<Participation>,
}

impl CaseState {
    /// A new application, received on `applied_on`.
    pub fn new(assistance_type: AssistanceType, area: Area, applied_on: NaiveDate) -> Self {
        Self {
            assistance_type,
            path: Path::Ordinary,
            area,
            stage: Stage::Applied,
            applied_on,
            channel: ApplicationChannel::Counter,
            received_by: None,
            missing_items: Vec::new(),
            accepted_on: None,
            investigators: Vec::new(),
            investigation_started_on: None,
            home_visit_on: None,
            neighbour_visit_on: None,
            check_requested_on: None,
            check_done_on: None,
            opinion: None,
            publicity_started_on: None,
            objection_on: None,
            objection_method: None,
            objections: 0,
            materials_received_on: None,
            extension_reason: None,
            decision: None,
            decisions: Vec::new(),
            notice_issued_on: None,
            pending_filing: None,
            filings: Vec::new(),
            escalation: None,
            escalations: Vec::new(),
            emergency_aid_on: None,
            emergency_record_completed_on: None,
            review_cadence: ReviewCadence::Stable,
            next_review_on: None,
            review_started_on: None,
            flags: CaseFlags::default(),
            complaints: Vec::new(),
            participants: Vec::new(),
        }
    }

    /// Whether `user` has done `duty` on this case.
    pub fn has_done(&self, user: Uuid, duty: Duty) -> bool {
        self.participants.iter().any(|p| p.user_id == user && p.duty == duty) || (duty == Duty::Investigate && self.investigators.contains(&user))
    }

    /// The household must get a 100 % visit by the district and has not had it yet.
    pub fn district_visit_outstanding(&self) -> bool {
        (self.flags.near_relative || self.flags.complaint) && self.flags.district_visit_on.is_none()
    }
}
