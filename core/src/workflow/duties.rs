//! Who may do what, as data: the roles allowed to take each action, and the separation-of-duty rules (a person who
//! did one duty on a case may not do another). `apply` consults both tables; tests and the API documentation read
//! them too.

use uuid::Uuid;

use super::{ActionKind, CaseState, Duty, Stage, WorkflowError};
use crate::roles::Role;

use ActionKind as A;
use Role::{
    DistrictSupervisor as District, Investigator, TownshipCaseworker as Caseworker, TownshipReviewer as Reviewer, VillageAssistant as Village,
    VisitSupervisor,
};

/// The roles that may take each action. The township's decisions (确认, 不予确认, 调整, 停发) belong to the township
/// reviewer; filings, escalated review and the 100 % visits to the district (seed 四（二）: 确认与监管职能有效分离).
pub const PERMISSIONS: &[(ActionKind, &[Role])] = &[
    // The township receives applications; the village committee applies on behalf of someone who cannot (代为申请,
    // 57号 第九条). Acceptance is the township's act alone (第十条).
    (A::RegisterApplication, &[Caseworker, Reviewer, Village]),
    (A::Accept, &[Caseworker, Reviewer]),
    (A::NoticeMissing, &[Caseworker, Reviewer]),
    // The village committee may apply on behalf of someone who cannot (代为申请), so it may hand in what was missing.
    (A::ResubmitMaterials, &[Caseworker, Reviewer, Village]),
    (A::StartInvestigation, &[Caseworker, Reviewer, VisitSupervisor]),
    (A::AssignVisit, &[Reviewer, VisitSupervisor]),
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

/// Where an action decides something narrower than its general permission: only these roles may take it at this
/// stage (a decision about who is paid what belongs to the township reviewer, whatever the action is called).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageRoles {
    pub action: ActionKind,
    pub at: Stage,
    pub roles: &'static [Role],
    pub source: &'static str,
}

pub const STAGE_ROLES: &[StageRoles] = &[
    // Closing a 特困 termination publicity decides the termination (stop from the next month).
    StageRoles {
        action: A::ClosePublicity, at: Stage::TerminationPublicity, roles: &[Reviewer], source: "43号 第二十六条；13号方案 四（二）"
    },
];

/// A person who did `excluded` on a case may not take `action` on it (at stage `at`, when set), refused as
/// `WorkflowErrorKind::Forbidden`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeparationRule {
    pub action: ActionKind,
    pub at: Option<Stage>,
    pub excluded: Duty,
    pub code: &'static str,
    pub message_zh: &'static str,
    pub source: &'static str,
}

const INVESTIGATOR_DECIDES: &str = "您是本案的调查人员，不能对本案作出审核确认决定（调查与确认分离：谁调查谁负责、谁确认谁负责）";
const CONFIRMER_SUPERVISES: &str = "您作出了本案的审核确认决定，不能再对同一决定备案监管或提级复核（确认与监管职能有效分离）";

/// Every decision that changes who is paid what (confirmation and refusal, 先行救助, the periodic review's keep /
/// adjust / stop, the 特困 termination, the decision on an escalated case) is refused to whoever investigated the
/// case or its review; the district's supervision is refused to whoever confirmed.
pub const SEPARATION_RULES: &[SeparationRule] = &[
    SeparationRule {
        action: A::Confirm,
        at: None,
        excluded: Duty::Investigate,
        code: "investigator_cannot_decide",
        message_zh: INVESTIGATOR_DECIDES,
        source: "13号方案 四（四）",
    },
    SeparationRule {
        action: A::Refuse,
        at: None,
        excluded: Duty::Investigate,
        code: "investigator_cannot_decide",
        message_zh: INVESTIGATOR_DECIDES,
        source: "13号方案 四（四）",
    },
    SeparationRule {
        action: A::GrantEmergencyAid,
        at: None,
        excluded: Duty::Investigate,
        code: "investigator_cannot_decide",
        message_zh: INVESTIGATOR_DECIDES,
        source: "13号方案 四（四）；《社会救助暂行办法》第四十九条",
    },
    SeparationRule {
        action: A::RecordReviewOutcome,
        at: None,
        excluded: Duty::Investigate,
        code: "investigator_cannot_decide",
        message_zh: INVESTIGATOR_DECIDES,
        source: "13号方案 四（四）；57号 第三十二条",
    },
    SeparationRule {
        action: A::ClosePublicity,
        at: Some(Stage::TerminationPublicity),
        excluded: Duty::Investigate,
        code: "investigator_cannot_decide",
        message_zh: INVESTIGATOR_DECIDES,
        source: "13号方案 四（四）；43号 第二十六条",
    },
    SeparationRule {
        action: A::RecordFiling,
        at: None,
        excluded: Duty::Confirm,
        code: "confirmer_cannot_supervise",
        message_zh: CONFIRMER_SUPERVISES,
        source: "13号方案 二、四（二）",
    },
    SeparationRule {
        action: A::Escalate,
        at: None,
        excluded: Duty::Confirm,
        code: "confirmer_cannot_supervise",
        message_zh: CONFIRMER_SUPERVISES,
        source: "13号方案 二、四（四）",
    },
    SeparationRule {
        action: A::DecideEscalation,
        at: None,
        excluded: Duty::Confirm,
        code: "confirmer_cannot_supervise",
        message_zh: CONFIRMER_SUPERVISES,
        source: "13号方案 二、四（四）",
    },
    SeparationRule {
        action: A::DecideEscalation,
        at: None,
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

/// Refuses `roles` taking `kind` at stage `at` where `STAGE_ROLES` narrows who may.
pub fn check_role_at(kind: ActionKind, at: Option<Stage>, roles: &[Role]) -> Result<(), WorkflowError> {
    for rule in STAGE_ROLES.iter().filter(|r| r.action == kind && Some(r.at) == at) {
        if !roles.iter().any(|r| rule.roles.contains(r)) {
            let names: Vec<&str> = rule.roles.iter().map(|r| r.label_zh()).collect();
            return Err(WorkflowError::forbidden(
                "forbidden_role",
                format!("案件处于“{}”时，“{}”由{}办理", rule.at.label_zh(), kind.label_zh(), names.join("、")),
            ));
        }
    }
    Ok(())
}

/// Refuses `user` taking `kind` at stage `at` on `state` when a separation rule forbids it.
pub fn check_separation(kind: ActionKind, at: Stage, user: Uuid, state: &CaseState) -> Result<(), WorkflowError> {
    for rule in SEPARATION_RULES.iter().filter(|r| r.action == kind && r.at.is_none_or(|s| s == at)) {
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
