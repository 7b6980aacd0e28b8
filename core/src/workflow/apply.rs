//! The transitions: one function, [`apply`], checks who acts, whether the action is legal at this stage for this
//! type, the separation of duties and near-relative conflicts, and returns the new state. It never mutates its input:
//! a refused action changes nothing.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    CaseState, ComplaintRecord, Decision, DecisionKind, Duty, EscalationOutcome, EscalationRecord, FilingRecord, ObjectionMethod, Opinion,
    Participation, Path, PendingFiling, Recommendation, ReviewOutcome, Stage, WorkflowError, amount, duties,
};
use crate::{
    assistance::AssistanceType,
    calendar::WorkCalendar,
    money::yuan,
    policy::{DeadlineStep, Policy, ReviewCadence},
    roles::Role,
    vocabulary::vocabulary,
};

/// The person acting.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: Uuid,
    pub name: String,
    pub roles: Vec<Role>,
}

/// Everything `apply` needs besides the case and the action.
pub struct Ctx<'a> {
    pub policy: &'a Policy,
    pub calendar: &'a WorkCalendar,
    /// The day the action is taken (China time).
    pub today: NaiveDate,
    /// Users who declared a near relative among the household's co-resident members (see `relatives`).
    pub near_relative_declarants: &'a [Uuid],
}

vocabulary! {
    /// What an action is, without its data (for permissions, rules and logs).
    ActionKind {
        RegisterApplication => ("register_application", "登记申请"),
        Accept => ("accept", "受理申请"),
        NoticeMissing => ("notice_missing", "一次性告知需补齐的材料"),
        ResubmitMaterials => ("resubmit_materials", "补齐申请材料"),
        StartInvestigation => ("start_investigation", "启动调查核实"),
        AssignVisit => ("assign_visit", "安排入户调查"),
        RecordHomeVisit => ("record_home_visit", "记录入户调查"),
        RecordNeighbourVisit => ("record_neighbour_visit", "记录邻里访问"),
        RequestInformationCheck => ("request_information_check", "提请信息核对"),
        RecordInformationCheck => ("record_information_check", "记录信息核对结果"),
        SubmitInitialOpinion => ("submit_initial_opinion", "提出初审意见"),
        StartPublicity => ("start_publicity", "开始公示"),
        RecordObjection => ("record_objection", "登记公示异议"),
        ResolveObjection => ("resolve_objection", "处理公示异议"),
        ClosePublicity => ("close_publicity", "公示期满"),
        Extend => ("extend", "延长办理期限"),
        Confirm => ("confirm", "审核确认"),
        Refuse => ("refuse", "不予确认"),
        IssueNotice => ("issue_notice", "送达告知"),
        RecordFiling => ("record_filing", "审核确认备案"),
        Escalate => ("escalate", "提级复核"),
        DecideEscalation => ("decide_escalation", "作出提级复核决定"),
        GrantEmergencyAid => ("grant_emergency_aid", "先行救助"),
        CompleteEmergencyRecord => ("complete_emergency_record", "补齐先行救助手续"),
        StartReview => ("start_review", "启动定期核查"),
        RecordReviewOutcome => ("record_review_outcome", "作出核查结论"),
        RecordComplaint => ("record_complaint", "登记举报"),
        GiveComplaintFeedback => ("give_complaint_feedback", "向实名举报人反馈"),
        RecordDistrictVisit => ("record_district_visit", "记录区级入户核查"),
    }
}

/// An action on a case, with its data.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Accept,
    /// Everything missing, listed at once (一次性告知).
    NoticeMissing {
        items: Vec<String>,
    },
    ResubmitMaterials,
    StartInvestigation {
        investigators: Vec<Uuid>,
    },
    /// A home visit assigned to a pair (the investigation starts with the first; a later one adds its pair).
    AssignVisit {
        investigators: Vec<Uuid>,
    },
    /// The home visit, signed by each investigator and the family members present (57号 第十六条).
    RecordHomeVisit {
        investigators: Vec<Uuid>,
        visited_on: NaiveDate,
        family_signed: bool,
    },
    RecordNeighbourVisit {
        summary: String,
    },
    RequestInformationCheck,
    RecordInformationCheck {
        summary: String,
    },
    SubmitInitialOpinion {
        recommendation: Recommendation,
        amount_fen: Option<i64>,
        reasons: Vec<String>,
    },
    StartPublicity,
    RecordObjection {
        summary: String,
    },
    ResolveObjection {
        method: ObjectionMethod,
        finding: String,
    },
    ClosePublicity,
    Extend {
        reason: String,
    },
    /// `suggested_fen`: the 补差 suggestion computed from the case facts (see `amount`), when the type has one.
    Confirm {
        amount_fen: Option<i64>,
        suggested_fen: Option<i64>,
        override_reason: Option<String>,
    },
    Refuse {
        reasons: Vec<String>,
    },
    IssueNotice,
    RecordFiling {
        remarks: Option<String>,
    },
    Escalate {
        reason: String,
    },
    DecideEscalation {
        outcome: EscalationOutcome,
        reasons: String,
    },
    GrantEmergencyAid {
        amount_fen: i64,
        reason: String,
    },
    /// The record completed after 先行救助: recipient, reason, amount, staff signature and seal.
    CompleteEmergencyRecord {
        summary: String,
        staff_signed: bool,
        sealed: bool,
    },
    StartReview,
    RecordReviewOutcome {
        outcome: ReviewOutcome,
        cadence: ReviewCadence,
    },
    RecordComplaint {
        received_on: NaiveDate,
        real_name: bool,
        summary: String,
    },
    GiveComplaintFeedback {
        complaint: usize,
        feedback: String,
    },
    RecordDistrictVisit {
        visited_on: NaiveDate,
        finding: String,
    },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Self::Accept => ActionKind::Accept,
            Self::NoticeMissing { .. } => ActionKind::NoticeMissing,
            Self::ResubmitMaterials => ActionKind::ResubmitMaterials,
            Self::StartInvestigation { .. } => ActionKind::StartInvestigation,
            Self::AssignVisit { .. } => ActionKind::AssignVisit,
            Self::RecordHomeVisit { .. } => ActionKind::RecordHomeVisit,
            Self::RecordNeighbourVisit { .. } => ActionKind::RecordNeighbourVisit,
            Self::RequestInformationCheck => ActionKind::RequestInformationCheck,
            Self::RecordInformationCheck { .. } => ActionKind::RecordInformationCheck,
            Self::SubmitInitialOpinion { .. } => ActionKind::SubmitInitialOpinion,
            Self::StartPublicity => ActionKind::StartPublicity,
            Self::RecordObjection { .. } => ActionKind::RecordObjection,
            Self::ResolveObjection { .. } => ActionKind::ResolveObjection,
            Self::ClosePublicity => ActionKind::ClosePublicity,
            Self::Extend { .. } => ActionKind::Extend,
            Self::Confirm { .. } => ActionKind::Confirm,
            Self::Refuse { .. } => ActionKind::Refuse,
            Self::IssueNotice => ActionKind::IssueNotice,
            Self::RecordFiling { .. } => ActionKind::RecordFiling,
            Self::Escalate { .. } => ActionKind::Escalate,
            Self::DecideEscalation { .. } => ActionKind::DecideEscalation,
            Self::GrantEmergencyAid { .. } => ActionKind::GrantEmergencyAid,
            Self::CompleteEmergencyRecord { .. } => ActionKind::CompleteEmergencyRecord,
            Self::StartReview => ActionKind::StartReview,
            Self::RecordReviewOutcome { .. } => ActionKind::RecordReviewOutcome,
            Self::RecordComplaint { .. } => ActionKind::RecordComplaint,
            Self::GiveComplaintFeedback { .. } => ActionKind::GiveComplaintFeedback,
            Self::RecordDistrictVisit { .. } => ActionKind::RecordDistrictVisit,
        }
    }
}

/// The person who answers for a step (谁受理谁负责 … 谁确认谁负责).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Responsible {
    pub user_id: Uuid,
    pub name: String,
    pub role: Role,
    pub duty: Duty,
    /// "谁确认谁负责"
    pub accountability_zh: String,
}

/// Something the transition caused besides the stage change.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// 临时救助 above the township cap: lifted to the district automatically.
    EscalatedAboveCap { amount_fen: i64, cap_fen: i64 },
    /// A decision now waits for the district's filing.
    FilingDue { kind: DecisionKind },
    /// The case needs a 100 % district visit (near relative or complaint).
    DistrictVisitRequired { reason_zh: String },
    /// A real-name reporter is owed feedback.
    ComplaintFeedbackDue { complaint: usize },
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub action: ActionKind,
    pub from: Stage,
    pub to: Stage,
    pub on: NaiveDate,
    pub responsible: Responsible,
    pub events: Vec<Event>,
    /// The case after the action.
    pub state: CaseState,
}

fn wrong_stage(kind: ActionKind, stage: Stage) -> WorkflowError {
    WorkflowError::conflict("illegal_transition", format!("案件当前处于“{}”，不能办理“{}”", stage.label_zh(), kind.label_zh()))
}

fn wrong_type(kind: ActionKind, t: AssistanceType) -> WorkflowError {
    WorkflowError::conflict("not_for_assistance_type", format!("{}不适用“{}”", t.label_zh(), kind.label_zh()))
}

fn required_text(text: &str, field: &'static str, what_zh: &str) -> Result<String, WorkflowError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(WorkflowError::invalid("reason_required", format!("请填写{what_zh}")).field(field));
    }
    Ok(t.to_string())
}

fn required_list(items: &[String], field: &'static str, what_zh: &str) -> Result<Vec<String>, WorkflowError> {
    let out: Vec<String> = items.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    if out.is_empty() {
        return Err(WorkflowError::invalid("reason_required", format!("请填写{what_zh}")).field(field));
    }
    Ok(out)
}

fn amount_ok(amount: i64, field: &'static str) -> Result<i64, WorkflowError> {
    if amount <= 0 {
        return Err(WorkflowError::invalid("invalid_amount", "救助金额须大于0").field(field));
    }
    Ok(amount)
}

/// "YYYY-MM" of the month after `on` (payments start, or stop, from the next month).
fn next_month(on: NaiveDate) -> String {
    let (y, m) = if on.month() == 12 { (on.year() + 1, 1) } else { (on.year(), on.month() + 1) };
    format!("{y:04}-{m:02}")
}

fn has_publicity(policy: &Policy, t: AssistanceType) -> bool {
    policy.deadline(t, DeadlineStep::Publicity).is_some()
}

/// Which duty an action answers for.
fn duty_of(kind: ActionKind) -> Duty {
    use ActionKind as A;
    match kind {
        A::RegisterApplication => Duty::Register,
        A::Accept | A::NoticeMissing | A::ResubmitMaterials => Duty::Accept,
        A::StartInvestigation
        | A::AssignVisit
        | A::RecordHomeVisit
        | A::RecordNeighbourVisit
        | A::RequestInformationCheck
        | A::RecordInformationCheck => Duty::Investigate,
        A::SubmitInitialOpinion | A::StartPublicity | A::RecordObjection | A::ResolveObjection | A::ClosePublicity | A::Extend | A::StartReview => {
            Duty::Review
        }
        A::Confirm | A::Refuse | A::GrantEmergencyAid | A::CompleteEmergencyRecord | A::RecordReviewOutcome => Duty::Confirm,
        A::IssueNotice => Duty::Notify,
        A::RecordFiling | A::RecordDistrictVisit => Duty::File,
        A::Escalate | A::DecideEscalation => Duty::Escalation,
        A::RecordComplaint | A::GiveComplaintFeedback => Duty::Complaint,
    }
}

/// Investigators named for a visit: distinct, at least the policy's minimum, none of them a declared near relative.
fn check_team(team: &[Uuid], ctx: &Ctx<'_>) -> Result<Vec<Uuid>, WorkflowError> {
    let mut distinct: Vec<Uuid> = Vec::new();
    for u in team {
        if !distinct.contains(u) {
            distinct.push(*u);
        }
    }
    let min = ctx.policy.min_investigators() as usize;
    if distinct.len() < min {
        return Err(
            WorkflowError::invalid("too_few_investigators", format!("入户调查须有不少于{min}名调查人员，且不能是同一人")).field("investigators")
        );
    }
    if distinct.iter().any(|u| ctx.near_relative_declarants.contains(u)) {
        return Err(WorkflowError::invalid(
            "near_relative_investigator",
            "所选调查人员中有人已申报与该家庭成员存在近亲属关系，须回避，不能安排其调查本案",
        )
        .field("investigators"));
    }
    Ok(distinct)
}

/// An application as it is received (57号 第九条): for which assistance, the household's area, the day, and how it came.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub assistance_type: AssistanceType,
    pub area: crate::policy::Area,
    pub received_on: NaiveDate,
    pub channel: super::ApplicationChannel,
}

/// Registers a new application received by `actor`: the case's first state (申请, not yet accepted). A township
/// caseworker or reviewer registers either way it came; a village assistant only on the applicant's behalf.
pub fn register(application: &Application, actor: &Actor, ctx: &Ctx<'_>) -> Result<Transition, WorkflowError> {
    let kind = ActionKind::RegisterApplication;
    let role = duties::acting_role(kind, &actor.roles)?;
    let channel = if role == Role::VillageAssistant { super::ApplicationChannel::VillageOnBehalf } else { application.channel };
    if application.received_on > ctx.today {
        return Err(WorkflowError::invalid("invalid_date", "收到申请的日期不能晚于今天").field("received_on"));
    }
    let mut s = CaseState::new(application.assistance_type, application.area, application.received_on);
    s.channel = channel;
    s.received_by = Some(actor.user_id);
    let duty = duty_of(kind);
    s.participants.push(Participation { user_id: actor.user_id, duty, on: ctx.today });
    Ok(finish(s, Vec::new(), kind, Stage::Applied, ctx.today, actor, role, duty))
}

/// The label of a case's history entry: a workflow action (`wf.<action>`) or a `CaseEvent`; older logs said
/// `case_created` for the registration.
pub fn case_event_label(kind: &str) -> &'static str {
    if let Some(action) = kind.strip_prefix("wf.").and_then(ActionKind::parse) {
        return action.label_zh();
    }
    if kind == "case_created" {
        return ActionKind::RegisterApplication.label_zh();
    }
    super::CaseEvent::parse(kind).map(super::CaseEvent::label_zh).unwrap_or("其他")
}

/// Applies `action` by `actor` to `state`. Refused actions return an error and leave nothing changed.
pub fn apply(state: &CaseState, action: &Action, actor: &Actor, ctx: &Ctx<'_>) -> Result<Transition, WorkflowError> {
    let kind = action.kind();
    let role = duties::acting_role(kind, &actor.roles)?;
    duties::check_role_at(kind, Some(state.stage), &actor.roles)?;
    duties::check_not_related(actor.user_id, ctx.near_relative_declarants)?;
    duties::check_separation(kind, state.stage, actor.user_id, state)?;

    let today = ctx.today;
    let t = state.assistance_type;
    let from = state.stage;
    let mut s = state.clone();
    let mut events = Vec::new();
    let policy = ctx.policy;
    let duty = duty_of(kind);

    if !ctx.near_relative_declarants.is_empty() && !s.flags.near_relative {
        s.flags.near_relative = true;
        events.push(Event::DistrictVisitRequired {
            reason_zh: "共同生活家庭成员中有工作人员或村（居）委会成员的近亲属，单独登记备案".into()
        });
    }

    use Stage as S;
    match action {
        Action::Accept => {
            if !matches!(from, S::Applied | S::MaterialsMissing) {
                return Err(wrong_stage(kind, from));
            }
            s.accepted_on = Some(today);
            s.missing_items.clear();
            s.stage = S::Accepted;
        }
        Action::NoticeMissing { items } => {
            if !matches!(from, S::Applied) {
                return Err(wrong_stage(kind, from));
            }
            s.missing_items = required_list(items, "items", "需补齐的全部材料（一次性告知）")?;
            s.stage = S::MaterialsMissing;
        }
        Action::ResubmitMaterials => {
            if from != S::MaterialsMissing {
                return Err(wrong_stage(kind, from));
            }
            s.stage = S::Applied;
        }
        Action::StartInvestigation { investigators } => {
            if from != S::Accepted {
                return Err(wrong_stage(kind, from));
            }
            s.investigators = check_team(investigators, ctx)?;
            s.investigation_started_on = Some(today);
            s.stage = S::Investigating;
        }
        Action::AssignVisit { investigators } => {
            if !from.takes_visits() {
                return Err(wrong_stage(kind, from));
            }
            let team = check_team(investigators, ctx)?;
            if from == S::Accepted {
                s.investigators = team;
                s.investigation_started_on = Some(today);
                s.stage = S::Investigating;
            } else {
                // Another visit: the investigation, a re-investigation after an objection, a periodic review.
                for u in team {
                    if !s.investigators.contains(&u) {
                        s.investigators.push(u);
                    }
                }
            }
        }
        Action::RecordHomeVisit { investigators, visited_on, family_signed } => {
            if !matches!(from, S::Investigating | S::UnderReview | S::ObjectionReview) {
                return Err(wrong_stage(kind, from));
            }
            let team = check_team(investigators, ctx)?;
            if !family_signed {
                return Err(WorkflowError::invalid("signatures_missing", "入户调查表须由调查人员和在场的共同生活家庭成员签字").field("family_signed"));
            }
            if *visited_on > today {
                return Err(WorkflowError::invalid("invalid_date", "入户调查日期不能晚于今天").field("visited_on"));
            }
            for u in team {
                if !s.investigators.contains(&u) {
                    s.investigators.push(u);
                }
            }
            s.home_visit_on = Some(*visited_on);
        }
        Action::RecordNeighbourVisit { summary } => {
            if from != S::Investigating {
                return Err(wrong_stage(kind, from));
            }
            required_text(summary, "summary", "邻里访问情况")?;
            s.neighbour_visit_on = Some(today);
        }
        Action::RequestInformationCheck => {
            if from != S::Investigating {
                return Err(wrong_stage(kind, from));
            }
            if s.check_requested_on.is_some() {
                return Err(WorkflowError::conflict("already_done", "已提请信息核对"));
            }
            s.check_requested_on = Some(today);
        }
        Action::RecordInformationCheck { summary } => {
            if from != S::Investigating || s.check_requested_on.is_none() {
                return Err(wrong_stage(kind, from));
            }
            required_text(summary, "summary", "信息核对结果")?;
            s.check_done_on = Some(today);
        }
        Action::SubmitInitialOpinion { recommendation, amount_fen, reasons } => {
            if from != S::Investigating {
                return Err(wrong_stage(kind, from));
            }
            let mut missing = Vec::new();
            if s.home_visit_on.is_none() {
                missing.push("入户调查");
            }
            if s.neighbour_visit_on.is_none() {
                missing.push("邻里访问");
            }
            if s.check_done_on.is_none() {
                missing.push("家庭经济状况信息核对");
            }
            if !missing.is_empty() {
                return Err(WorkflowError::invalid("investigation_incomplete", format!("调查核实尚未完成：{}", missing.join("、"))));
            }
            let reasons = required_list(reasons, "reasons", "初审意见的理由")?;
            if let Some(a) = amount_fen {
                amount_ok(*a, "amount_fen")?;
            }
            s.opinion = Some(Opinion { recommendation: *recommendation, amount_fen: *amount_fen, reasons, by: actor.user_id, on: today });
            s.objection_on = None;
            if has_publicity(policy, t) {
                s.stage = S::OpinionGiven;
            } else {
                s.materials_received_on = Some(today);
                s.stage = S::AwaitingConfirmation;
            }
        }
        Action::StartPublicity => {
            if from != S::OpinionGiven || !has_publicity(policy, t) {
                return Err(wrong_stage(kind, from));
            }
            s.publicity_started_on = Some(today);
            s.stage = S::Publicity;
        }
        Action::RecordObjection { summary } => {
            if !matches!(from, S::Publicity | S::TerminationPublicity) {
                return Err(wrong_stage(kind, from));
            }
            required_text(summary, "summary", "异议内容")?;
            s.objection_on = Some(today);
            s.objections += 1;
            s.stage = S::ObjectionReview;
        }
        Action::ResolveObjection { method, finding } => {
            if from != S::ObjectionReview {
                return Err(wrong_stage(kind, from));
            }
            required_text(finding, "finding", "重新调查或民主评议的结论")?;
            s.objection_method = Some(*method);
            // A termination goes back to the review for a new decision; an application to a new initial opinion,
            // which is published again.
            s.stage = if s.review_started_on.is_some() { S::UnderReview } else { S::Investigating };
        }
        Action::ClosePublicity => {
            let rule_step = match from {
                S::Publicity => DeadlineStep::Publicity,
                S::TerminationPublicity => DeadlineStep::TerminationPublicity,
                _ => return Err(wrong_stage(kind, from)),
            };
            let started = s.publicity_started_on.ok_or_else(|| wrong_stage(kind, from))?;
            let rule = policy.deadline(t, rule_step).ok_or_else(|| wrong_type(kind, t))?;
            let ends = rule.due(ctx.calendar, started)?.due;
            if today < ends {
                return Err(WorkflowError::conflict(
                    "publicity_not_over",
                    format!("公示期为{}，至{ends}期满，期满前不能结束公示", rule.describe_zh()),
                ));
            }
            if from == S::Publicity {
                s.materials_received_on = Some(today);
                s.stage = S::AwaitingConfirmation;
            } else {
                // 特困 termination: no objection, stop from the next month (43号 第二十六条).
                let reasons = s.opinion.as_ref().map(|o| o.reasons.clone()).unwrap_or_default();
                decide(&mut s, &mut events, DecisionKind::Stop, None, None, None, reasons, actor.user_id, today, false);
                s.stage = S::StopDecided;
            }
        }
        Action::Extend { reason } => {
            if policy.deadline(t, DeadlineStep::ProcedureExtended).is_none_or(|r| !r.requires_reason) {
                return Err(wrong_type(kind, t));
            }
            if !from.in_application_procedure() {
                return Err(wrong_stage(kind, from));
            }
            if s.extension_reason.is_some() {
                return Err(WorkflowError::conflict("already_extended", "办理期限已延长过，不能再次延长"));
            }
            s.extension_reason = Some(required_text(reason, "reason", "延期理由（如公示有异议、人户分离、异地申办或调查难度较大）")?);
        }
        Action::Confirm { amount_fen, suggested_fen, override_reason } => {
            if from != S::AwaitingConfirmation {
                return Err(wrong_stage(kind, from));
            }
            let amount = match (t, amount_fen) {
                (AssistanceType::Bianyuan, None) => None,
                (AssistanceType::Bianyuan, Some(_)) => {
                    return Err(WorkflowError::invalid("amount_not_applicable", "低保边缘家庭认定不确定救助金额").field("amount_fen"));
                }
                (_, None) => return Err(WorkflowError::invalid("amount_required", "请填写确认的救助金额").field("amount_fen")),
                (_, Some(a)) => Some(amount_ok(*a, "amount_fen")?),
            };
            let override_reason = amount::check_override(amount, *suggested_fen, override_reason.as_deref())?;
            if let (AssistanceType::Linshi, Some(a)) = (t, amount) {
                let cap = policy.linshi_township_cap_fen(today.year(), s.area)?;
                if a > cap {
                    escalate(
                        &mut s,
                        format!("临时救助金额{}超过乡镇（街道）审批额度{}，报区民政局审批", yuan(a), yuan(cap)),
                        true,
                        actor.user_id,
                        today,
                        S::AwaitingConfirmation,
                        Some(a),
                    );
                    events.push(Event::EscalatedAboveCap { amount_fen: a, cap_fen: cap });
                    s.participants.push(Participation { user_id: actor.user_id, duty: Duty::Review, on: today });
                    return Ok(finish(s, events, kind, from, today, actor, role, Duty::Review));
                }
            }
            decide(&mut s, &mut events, DecisionKind::Approve, amount, *suggested_fen, override_reason, Vec::new(), actor.user_id, today, false);
            s.stage = S::Approved;
        }
        Action::Refuse { reasons } => {
            if from != S::AwaitingConfirmation {
                return Err(wrong_stage(kind, from));
            }
            let reasons = required_list(reasons, "reasons", "不予确认的理由")?;
            decide(&mut s, &mut events, DecisionKind::Refuse, None, None, None, reasons, actor.user_id, today, false);
            s.stage = S::Refused;
        }
        Action::IssueNotice => {
            s.stage = match from {
                S::Approved if t == AssistanceType::Linshi => S::Closed,
                S::Approved | S::Adjusted => S::Active,
                S::Refused => S::Closed,
                S::StopDecided => S::Stopped,
                _ => return Err(wrong_stage(kind, from)),
            };
            s.notice_issued_on = Some(today);
            if s.stage == S::Active {
                let months = policy.review_interval_months(s.review_cadence);
                s.next_review_on = today.checked_add_months(Months::new(months));
                s.review_started_on = None;
            }
        }
        Action::RecordFiling { remarks } => {
            let pending = s.pending_filing.take().ok_or_else(|| WorkflowError::conflict("nothing_to_file", "本案没有待备案的审核确认决定"))?;
            s.filings.push(FilingRecord {
                kind: pending.kind,
                decided_by: pending.decided_by,
                decided_on: pending.decided_on,
                filed_by: actor.user_id,
                filed_on: today,
                remarks: remarks.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_string),
            });
        }
        Action::Escalate { reason } => {
            if !matches!(from, S::AwaitingConfirmation | S::Approved | S::Refused | S::Active | S::Closed | S::Adjusted | S::StopDecided | S::Stopped)
            {
                return Err(wrong_stage(kind, from));
            }
            let reason = required_text(reason, "reason", "提级复核的理由（存在异议的审核确认结果）")?;
            escalate(&mut s, reason, false, actor.user_id, today, from, None);
        }
        Action::DecideEscalation { outcome, reasons } => {
            if from != S::Escalated {
                return Err(wrong_stage(kind, from));
            }
            let reasons_text = required_text(reasons, "reasons", "提级复核决定的理由")?;
            let mut esc = s.escalation.take().ok_or_else(|| wrong_stage(kind, from))?;
            let decision_zh = match outcome {
                EscalationOutcome::Uphold => {
                    if esc.automatic {
                        return Err(WorkflowError::conflict("decision_required", "超过乡镇审批额度的临时救助须由区民政局作出给予或不予救助的决定"));
                    }
                    s.stage = esc.return_to;
                    format!("维持原审核确认结果：{reasons_text}")
                }
                EscalationOutcome::Approve { amount_fen } => {
                    let amount = match (t, amount_fen) {
                        (AssistanceType::Bianyuan, _) => None,
                        (_, Some(a)) => Some(amount_ok(*a, "amount_fen")?),
                        (_, None) => return Err(WorkflowError::invalid("amount_required", "请填写确认的救助金额").field("amount_fen")),
                    };
                    decide(&mut s, &mut events, DecisionKind::Approve, amount, None, None, vec![reasons_text.clone()], actor.user_id, today, true);
                    s.stage = S::Approved;
                    format!("区级决定给予救助：{reasons_text}")
                }
                EscalationOutcome::Refuse { reasons } => {
                    let reasons = required_list(reasons, "outcome.reasons", "不予救助的理由")?;
                    decide(&mut s, &mut events, DecisionKind::Refuse, None, None, None, reasons, actor.user_id, today, true);
                    s.stage = S::Refused;
                    format!("区级决定不予救助：{reasons_text}")
                }
            };
            esc.decided_by = Some(actor.user_id);
            esc.decided_on = Some(today);
            esc.decision_zh = Some(decision_zh);
            s.escalations.push(esc);
        }
        Action::GrantEmergencyAid { amount_fen, reason } => {
            if t != AssistanceType::Linshi {
                return Err(wrong_type(kind, t));
            }
            if !matches!(from, S::Applied | S::Accepted) {
                return Err(wrong_stage(kind, from));
            }
            let reason = required_text(reason, "reason", "先行救助事由（急难情形）")?;
            let amount = amount_ok(*amount_fen, "amount_fen")?;
            s.path = Path::Emergency;
            s.accepted_on.get_or_insert(today);
            let cap = policy.linshi_township_cap_fen(today.year(), s.area)?;
            if amount > cap {
                escalate(
                    &mut s,
                    format!("先行救助金额{}超过乡镇（街道）审批额度{}，报区民政局审批", yuan(amount), yuan(cap)),
                    true,
                    actor.user_id,
                    today,
                    S::Accepted,
                    Some(amount),
                );
                events.push(Event::EscalatedAboveCap { amount_fen: amount, cap_fen: cap });
                s.participants.push(Participation { user_id: actor.user_id, duty: Duty::Review, on: today });
                return Ok(finish(s, events, kind, from, today, actor, role, Duty::Review));
            }
            s.emergency_aid_on = Some(today);
            decide(&mut s, &mut events, DecisionKind::EmergencyAid, Some(amount), None, None, vec![reason], actor.user_id, today, false);
            // The filing waits until the record is complete.
            s.pending_filing = None;
            events.retain(|e| !matches!(e, Event::FilingDue { .. }));
            s.stage = S::EmergencyAided;
        }
        Action::CompleteEmergencyRecord { summary, staff_signed, sealed } => {
            if from != S::EmergencyAided {
                return Err(wrong_stage(kind, from));
            }
            required_text(summary, "summary", "救助对象、救助事由、救助金额等登记信息")?;
            if !staff_signed || !sealed {
                return Err(WorkflowError::invalid("signatures_missing", "先行救助须补齐经办人员签字和盖章手续"));
            }
            s.emergency_record_completed_on = Some(today);
            let d = s.decision.as_ref().ok_or_else(|| wrong_stage(kind, from))?;
            s.pending_filing = Some(PendingFiling { kind: DecisionKind::EmergencyAid, decided_by: d.by, decided_on: d.on });
            events.push(Event::FilingDue { kind: DecisionKind::EmergencyAid });
            s.stage = S::Closed;
        }
        Action::StartReview => {
            if t == AssistanceType::Linshi {
                return Err(wrong_type(kind, t));
            }
            if from != S::Active {
                return Err(wrong_stage(kind, from));
            }
            s.review_started_on = Some(today);
            s.stage = S::UnderReview;
        }
        Action::RecordReviewOutcome { outcome, cadence } => {
            if from != S::UnderReview {
                return Err(wrong_stage(kind, from));
            }
            s.review_cadence = *cadence;
            match outcome {
                ReviewOutcome::Keep => {
                    let months = policy.review_interval_months(*cadence);
                    s.next_review_on = today.checked_add_months(Months::new(months));
                    s.review_started_on = None;
                    s.stage = S::Active;
                }
                ReviewOutcome::Adjust { amount_fen, reason } => {
                    if t == AssistanceType::Bianyuan {
                        return Err(WorkflowError::invalid("amount_not_applicable", "低保边缘家庭认定不确定救助金额").field("outcome.amount_fen"));
                    }
                    let amount = amount_ok(*amount_fen, "outcome.amount_fen")?;
                    let reason = required_text(reason, "outcome.reason", "调整理由")?;
                    decide(&mut s, &mut events, DecisionKind::Adjust, Some(amount), None, None, vec![reason], actor.user_id, today, false);
                    s.stage = S::Adjusted;
                }
                ReviewOutcome::Stop { reasons } => {
                    let reasons = required_list(reasons, "outcome.reasons", "停发或终止的理由")?;
                    if policy.deadline(t, DeadlineStep::TerminationPublicity).is_some() {
                        // 特困: the proposed termination is published first (43号 第二十六条); the decision follows.
                        s.opinion = Some(Opinion { recommendation: Recommendation::Refuse, amount_fen: None, reasons, by: actor.user_id, on: today });
                        s.publicity_started_on = Some(today);
                        s.stage = S::TerminationPublicity;
                    } else {
                        decide(&mut s, &mut events, DecisionKind::Stop, None, None, None, reasons, actor.user_id, today, false);
                        s.stage = S::StopDecided;
                    }
                }
            }
        }
        Action::RecordComplaint { received_on, real_name, summary } => {
            let summary = required_text(summary, "summary", "举报、反映的内容")?;
            if *received_on > today {
                return Err(WorkflowError::invalid("invalid_date", "收到举报的日期不能晚于今天").field("received_on"));
            }
            s.complaints.push(ComplaintRecord {
                received_on: *received_on,
                real_name: *real_name,
                summary,
                recorded_by: actor.user_id,
                feedback_on: None,
                feedback: None,
            });
            if !s.flags.complaint {
                s.flags.complaint = true;
                events.push(Event::DistrictVisitRequired { reason_zh: "有群众举报、反映".into() });
            }
            if *real_name {
                events.push(Event::ComplaintFeedbackDue { complaint: s.complaints.len() - 1 });
            }
        }
        Action::GiveComplaintFeedback { complaint, feedback } => {
            let feedback = required_text(feedback, "feedback", "反馈的核查处理结果")?;
            let c =
                s.complaints.get_mut(*complaint).ok_or_else(|| WorkflowError::invalid("unknown_complaint", "该举报记录不存在").field("complaint"))?;
            if !c.real_name {
                return Err(WorkflowError::invalid("anonymous_complaint", "匿名举报无需反馈").field("complaint"));
            }
            if c.feedback_on.is_some() {
                return Err(WorkflowError::conflict("already_done", "已向举报人反馈"));
            }
            c.feedback_on = Some(today);
            c.feedback = Some(feedback);
        }
        Action::RecordDistrictVisit { visited_on, finding } => {
            if !(s.flags.near_relative || s.flags.complaint) {
                return Err(WorkflowError::conflict("district_visit_not_required", "本案不属于近亲属备案或被举报的案件，无需登记区级100%入户核查"));
            }
            required_text(finding, "finding", "入户核查情况")?;
            if *visited_on > today {
                return Err(WorkflowError::invalid("invalid_date", "入户核查日期不能晚于今天").field("visited_on"));
            }
            s.flags.district_visit_on = Some(*visited_on);
        }
    }

    s.participants.push(Participation { user_id: actor.user_id, duty, on: today });
    if matches!(action, Action::StartInvestigation { .. } | Action::AssignVisit { .. } | Action::RecordHomeVisit { .. }) {
        // The named investigators answer for the investigation as much as the person who recorded it.
        let named: Vec<Uuid> = s.investigators.clone();
        for u in named {
            if !s.participants.iter().any(|p| p.user_id == u && p.duty == Duty::Investigate) {
                s.participants.push(Participation { user_id: u, duty: Duty::Investigate, on: today });
            }
        }
    }
    Ok(finish(s, events, kind, from, today, actor, role, duty))
}

#[allow(clippy::too_many_arguments)]
fn finish(s: CaseState, events: Vec<Event>, kind: ActionKind, from: Stage, on: NaiveDate, actor: &Actor, role: Role, duty: Duty) -> Transition {
    let to = s.stage;
    Transition {
        action: kind,
        from,
        to,
        on,
        responsible: Responsible { user_id: actor.user_id, name: actor.name.clone(), role, duty, accountability_zh: duty.accountability_zh() },
        events,
        state: s,
    }
}

#[allow(clippy::too_many_arguments)]
fn decide(
    s: &mut CaseState,
    events: &mut Vec<Event>,
    kind: DecisionKind,
    amount_fen: Option<i64>,
    suggested_fen: Option<i64>,
    override_reason: Option<String>,
    reasons: Vec<String>,
    by: Uuid,
    on: NaiveDate,
    district: bool,
) {
    let effective_month = matches!(kind, DecisionKind::Approve | DecisionKind::Adjust | DecisionKind::Stop).then(|| next_month(on));
    let d = Decision { kind, amount_fen, suggested_fen, override_reason, reasons, by, on, district, effective_month };
    s.decision = Some(d.clone());
    s.decisions.push(d);
    s.participants.push(Participation { user_id: by, duty: Duty::Confirm, on });
    s.pending_filing = Some(PendingFiling { kind, decided_by: by, decided_on: on });
    events.push(Event::FilingDue { kind });
}

fn escalate(s: &mut CaseState, reason: String, automatic: bool, by: Uuid, on: NaiveDate, return_to: Stage, township_amount_fen: Option<i64>) {
    s.escalation = Some(EscalationRecord {
        reason,
        automatic,
        raised_by: by,
        raised_on: on,
        return_to,
        township_amount_fen,
        decided_by: None,
        decided_on: None,
        decision_zh: None,
    });
    s.stage = Stage::Escalated;
}
