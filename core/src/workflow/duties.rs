//! Who may do what, as data: the roles allowed to take each action, and the separation-of-duty rules (a person who
//! did one duty on a case may not do another). `apply` consults both tables; tests and the API documentation read
//! them too.

use uuid::Uuid;

use super::{ActionKind, CaseState, Duty, WorkflowError};
use crate::roles::Role;

use ActionKind as A;
use Role::{
    DistrictSupervisor as District, Investigator, TownshipCaseworker as Caseworker, TownshipReviewer as Reviewer, VillageAssistant as Village,
    VisitSupervisor,
};

/// The roles that may take each action. The township's decisions (确认, 不予确认, 调整, 停发) belong to the township
/// reviewer; filings, escalated review and the 100 % visits to the district (seed 四（二）: 确认与监管职能有效分离).
pub const PERMISSIONS: &[(ActionKind, &[Role])] = &[
    (A::Accept, &[Caseworker, Reviewer]),
    (A::NoticeMissing, &[Caseworker, Reviewer]),
    // The village committee may apply on behalf of someone who cannot (代为申请), so it may hand in what was missing.
    (A::ResubmitMaterials, &[Caseworker, Reviewer, Village]),
    (A::StartInvestigation, &[Caseworker, Reviewer, VisitSupervisor]),
    (A::RecordHomeVisit, &[Caseworker, Reviewer, VisitSupervisor, Investigator, Village]),
    (A::RecordNeighbourVisit, &[Caseworker, Reviewer, Investigator, Village]),
    (A::RequestInformationCheck, &[Caseworker, Reviewer]),
    (A::RecordInformationCheck, &[Caseworker, Reviewer]),
    (A::SubmitInitialOpinion, &[Caseworker, Reviewer]),
    (A::StartPublicity, &[Caseworker, Reviewer]),
    (A::RecordObjection, &[Caseworker, Reviewer, Village]),
    (A::ResolveObjection, &[Caseworker, Reviewer]),
    (A::ClosePublicity, &[Caseworker, Reviewer]),
    (A::Extend, &[Reviewer]),
    (A::Confirm, &[Reviewer]),
    (A::Refuse, &[Reviewer]),
    (A::IssueNotice, &[Caseworker, Reviewer]),
    (A::RecordFiling, &[District]),
    (A::Escalate, &[District]),
    (A::DecideEscalation, &[District]),
    (A::GrantEmergencyAid, &[Caseworker, Reviewer]),
    (A::CompleteEmergencyRecord, &[Caseworker, Reviewer]),
    // The visit supervisor starts a review when assigning its visit, as it starts an investigation.
    (A::StartReview, &[Caseworker, Reviewer, VisitSupervisor]),
    (A::RecordReviewOutcome, &[Reviewer]),
    (A::RecordComplaint, &[Caseworker, Reviewer, District]),
    (A::GiveComplaintFeedback, &[Caseworker, Reviewer, District]),
    (A::RecordDistrictVisit, &[District]),
];

/// The roles that may take `kind`.
pub fn roles_for(kind: ActionKind) -> &'static [Role] {
    PERMISSIONS.iter().find(|(k, _)| *k == kind).map(|(_, r)| *r).unwrap_or(&[])
}

/// A person who did `excluded` on a case may not take `action` on it (refused as `WorkflowErrorKind::Forbidden`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeparationRule {
    pub action: ActionKind,
    pub excluded: Duty,
    pub code: &'static str,
    pub message_zh: &'static str,
    pub source: &'static str,
}

const INVESTIGATOR_DECIDES: &str = "您是本案的调查人员，不能对本案作出审核确认决定（调查与确认分离：谁调查谁负责、谁确认谁负责）";
const CONFIRMER_SUPERVISES: &str = "您作出了本案的审核确认决定，不能再对同一决定备案监管或提级复核（确认与监管职能有效分离）";

pub const SEPARATION_RULES: &[SeparationRule] = &[
    SeparationRule {
        action: A::Confirm,
        excluded: Duty::Investigate,
        code: "investigator_cannot_decide",
        message_zh: INVESTIGATOR_DECIDES,
        source: "13号方案 四（四）",
    },
    SeparationRule {
        action: A::Refuse,
        excluded: Duty::Investigate,
        code: "investigator_cannot_decide",
        message_zh: INVESTIGATOR_DECIDES,
        source: "13号方案 四（四）",
    },
    SeparationRule {
        action: A::RecordFiling,
        excluded: Duty::Confirm,
        code: "confirmer_cannot_supervise",
        message_zh: CONFIRMER_SUPERVISES,
        source: "13号方案 二、四（二）",
    },
    SeparationRule {
        action: A::Escalate,
        excluded: Duty::Confirm,
        code: "confirmer_cannot_supervise",
        message_zh: CONFIRMER_SUPERVISES,
        source: "13号方案 二、四（四）",
    },
    SeparationRule {
        action: A::DecideEscalation,
        excluded: Duty::Confirm,
        code: "confirmer_cannot_supervise",
        message_zh: CONFIRMER_SUPERVISES,
        source: "13号方案 二、四（四）",
    },
    SeparationRule {
        action: A::DecideEscalation,
        excluded: Duty::Investigate,
        code: "investigator_cannot_decide",
        message_zh: INVESTIGATOR_DECIDES,
        source: "13号方案 四（四）",
    },
];

/// The first role of `roles` allowed to take `kind`, or `forbidden_role`.
pub fn acting_role(kind: ActionKind, roles: &[Role]) -> Result<Role, WorkflowError> {
    let allowed = roles_for(kind);
    roles.iter().copied().find(|r| allowed.contains(r)).ok_or_else(|| {
        let names: Vec<&str> = allowed.iter().map(|r| r.label_zh()).collect();
        WorkflowError::forbidden("forbidden_role", format!("您的角色无权执行“{}”；可由{}办理", kind.label_zh(), names.join("、")))
    })
}

/// Refuses `user` taking `kind` on `state` when a separation rule forbids it.
pub fn check_separation(kind: ActionKind, user: Uuid, state: &CaseState) -> Result<(), WorkflowError> {
    for rule in SEPARATION_RULES.iter().filter(|r| r.action == kind) {
        if state.has_done(user, rule.excluded) {
            return Err(WorkflowError::forbidden(rule.code, rule.message_zh));
        }
    }
    Ok(())
}

/// A near relative of a co-resident member may take no part in the case: not be assigned, not decide (回避).
pub fn check_not_related(user: Uuid, declarants: &[Uuid]) -> Result<(), WorkflowError> {
    if declarants.contains(&user) {
        return Err(WorkflowError::forbidden(
            "near_relative_conflict",
            "您已申报与该家庭共同生活成员存在近亲属关系，须回避，不能参与本案的调查或审核确认",
        ));
    }
    Ok(())
}
