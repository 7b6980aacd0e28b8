//! Due dates of a case's open steps, from the policy's limits and the working-day calendar, and the overdue /
//! due-soon classification. A year whose holiday schedule is not loaded is an error (or, in the calendar's explicit
//! provisional mode, a due date marked provisional), never a guess. Steps the policy sets no limit for have no due
//! date and are not listed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{CaseState, Stage, WorkflowError};
use crate::{
    calendar::{Deadline, WorkCalendar},
    policy::{DeadlineStep, Policy, VisitTrigger},
};

/// One open step with its due date.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenStep {
    /// A `DeadlineStep` key, `periodic_review` or `complaint_feedback`.
    pub key: String,
    pub label_zh: String,
    /// The event the period counts from.
    pub from: NaiveDate,
    pub due: NaiveDate,
    /// Rests on a year whose official schedule is not loaded: show as 暂定.
    pub provisional: bool,
    /// "20个工作日（2022年通知 四（一））"
    pub rule_zh: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Overdue,
    DueSoon,
    OnTime,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Overdue => "overdue",
            Self::DueSoon => "due_soon",
            Self::OnTime => "on_time",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Overdue => "已逾期",
            Self::DueSoon => "即将到期",
            Self::OnTime => "未到期",
        }
    }
}

/// The whole-procedure limit that applies: extended (with a recorded reason), devolved (accepted after the
/// devolution took effect), or the normal one.
pub fn procedure_step(state: &CaseState, policy: &Policy) -> Option<DeadlineStep> {
    let t = state.assistance_type;
    if state.extension_reason.is_some() && policy.deadline(t, DeadlineStep::ProcedureExtended).is_some() {
        return Some(DeadlineStep::ProcedureExtended);
    }
    let devolved = match (policy.effective_from(), state.accepted_on) {
        (Some(from), Some(acc)) => acc >= from,
        (None, _) => true,
        (Some(_), None) => false,
    };
    if devolved && policy.deadline(t, DeadlineStep::ProcedureDevolved).is_some() {
        return Some(DeadlineStep::ProcedureDevolved);
    }
    policy.deadline(t, DeadlineStep::Procedure).map(|_| DeadlineStep::Procedure)
}

/// The limited steps open at the case's stage and the dates they count from.
fn anchors(state: &CaseState, policy: &Policy) -> Vec<(DeadlineStep, NaiveDate)> {
    use Stage as S;
    let mut out = Vec::new();
    let stage = state.stage;
    if let Some(acc) = state.accepted_on {
        if stage.in_application_procedure()
            && let Some(step) = procedure_step(state, policy)
        {
            out.push((step, acc));
        }
        if stage == S::Accepted {
            out.push((DeadlineStep::InvestigationStart, acc));
        }
        if matches!(stage, S::Accepted | S::Investigating) && state.objection_on.is_none() && state.opinion.is_none() {
            out.push((DeadlineStep::InitialOpinion, acc));
        }
    }
    if stage == S::Investigating
        && let (Some(req), None) = (state.check_requested_on, state.check_done_on)
    {
        out.push((DeadlineStep::InformationCheckStart, req));
    }
    if matches!(stage, S::ObjectionReview | S::Investigating | S::UnderReview)
        && let Some(obj) = state.objection_on
    {
        out.push((DeadlineStep::ReinvestigationAfterObjection, obj));
    }
    if let Some(start) = state.publicity_started_on {
        match stage {
            S::Publicity => out.push((DeadlineStep::Publicity, start)),
            S::TerminationPublicity => out.push((DeadlineStep::TerminationPublicity, start)),
            _ => {}
        }
    }
    if stage == S::AwaitingConfirmation
        && let Some(m) = state.materials_received_on
    {
        out.push((DeadlineStep::Confirmation, m));
    }
    if stage == S::Refused
        && let Some(d) = &state.decision
    {
        out.push((DeadlineStep::RefusalNotice, d.on));
    }
    if stage == S::EmergencyAided
        && let Some(aid) = state.emergency_aid_on
    {
        out.push((DeadlineStep::EmergencyRecord, aid));
    }
    if let Some(f) = &state.pending_filing {
        out.push((DeadlineStep::Filing, f.decided_on));
    }
    out.into_iter().filter(|(step, _)| policy.deadline(state.assistance_type, *step).is_some()).collect()
}

fn rule_text(rule: &crate::policy::DeadlineRule) -> String {
    format!("{}（{}）", rule.describe_zh(), rule.source.source)
}

/// Every open step of the case with its due date.
pub fn open_steps(state: &CaseState, policy: &Policy, calendar: &WorkCalendar) -> Result<Vec<OpenStep>, WorkflowError> {
    let mut out = Vec::new();
    for (step, from) in anchors(state, policy) {
        let Some(rule) = policy.deadline(state.assistance_type, step) else { continue };
        let Deadline { due, provisional } = rule.due(calendar, from)?;
        out.push(OpenStep { key: step.as_str().into(), label_zh: step.label_zh().into(), from, due, provisional, rule_zh: rule_text(rule) });
    }
    if let Some(rule) = policy.complaint_feedback() {
        for c in state.complaints.iter().filter(|c| c.real_name && c.feedback_on.is_none()) {
            let Deadline { due, provisional } = rule.due(calendar, c.received_on)?;
            out.push(OpenStep {
                key: "complaint_feedback".into(),
                label_zh: "向实名举报人反馈核查处理结果".into(),
                from: c.received_on,
                due,
                provisional,
                rule_zh: rule_text(rule),
            });
        }
    }
    if state.stage == Stage::Active
        && let (Some(due), Some(from)) = (state.next_review_on, state.notice_issued_on)
    {
        let months = policy.review_interval_months(state.review_cadence);
        out.push(OpenStep {
            key: "periodic_review".into(),
            label_zh: "定期核查".into(),
            from,
            due,
            provisional: false,
            rule_zh: format!("每{months}个月核查一次（{}）", state.review_cadence.label_zh()),
        });
    }
    out.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.key.cmp(&b.key)));
    Ok(out)
}

/// Whether the supervising level still owes the case a 100 % visit under the policy's triggers.
pub fn district_visit_outstanding(state: &CaseState, policy: &Policy) -> bool {
    district_visit_owed(state, policy, false)
}

/// `district_visit_outstanding`, counting also near relatives declared among the household's members since the case
/// last moved (`relatives_declared`): the server knows them before any action flags the case.
pub fn district_visit_owed(state: &CaseState, policy: &Policy, relatives_declared: bool) -> bool {
    let near = (state.flags.near_relative || relatives_declared) && policy.requires_full_visit(VisitTrigger::NearRelativeFiling);
    let complaint = state.flags.complaint && policy.requires_full_visit(VisitTrigger::Complaint);
    (near || complaint) && state.flags.district_visit_on.is_none()
}

/// Overdue after the due day; due soon when the due day falls within the policy's window of working days from today.
/// Only the days of the window are looked up, so a due date far ahead (a review next year) needs no calendar for it.
pub fn classify(due: NaiveDate, today: NaiveDate, policy: &Policy, calendar: &WorkCalendar) -> Result<Urgency, WorkflowError> {
    if today > due {
        return Ok(Urgency::Overdue);
    }
    let limit = calendar.add_working_days(today, policy.due_soon_working_days())?.due;
    Ok(if due <= limit { Urgency::DueSoon } else { Urgency::OnTime })
}

/// The first day on which a step due on `due` counts as due soon under `classify`: the earliest day from which the
/// policy's window of working days reaches `due`. Lets a phone classify offline without the holiday schedule.
pub fn due_soon_from(due: NaiveDate, policy: &Policy, calendar: &WorkCalendar) -> Result<NaiveDate, WorkflowError> {
    let window = policy.due_soon_working_days();
    let mut from = due;
    // The window spans at most a few weeks even across the Spring Festival; the bound only guards a broken calendar.
    for _ in 0..120 {
        let Some(earlier) = from.pred_opt() else { break };
        if calendar.add_working_days(earlier, window)?.due < due {
            break;
        }
        from = earlier;
    }
    Ok(from)
}

/// The case's stage and open steps as the phone receives them (`protocol::CaseProgress`).
pub fn progress(state: &CaseState, policy: &Policy, calendar: &WorkCalendar) -> Result<crate::protocol::CaseProgress, WorkflowError> {
    let mut steps = Vec::new();
    for o in open_steps(state, policy, calendar)? {
        steps.push(crate::protocol::StepDue {
            due_soon_from: due_soon_from(o.due, policy, calendar)?,
            key: o.key,
            label_zh: o.label_zh,
            due: o.due,
            provisional: o.provisional,
        });
    }
    Ok(crate::protocol::CaseProgress { stage: state.stage.as_str().into(), stage_label: state.stage.label_zh().into(), open_steps: steps })
}
