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

/// Shared with the phone's `protocol::StepDue::urgency`, so it lives below both (`crate::urgency`).
pub use crate::urgency::Urgency;

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

/// A limited step whose due date cannot be given: it needs a year whose holiday schedule is not loaded, and the
/// calendar does not give provisional dates (or has no statutory data for that year either).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndatedStep {
    pub key: String,
    pub label_zh: String,
    /// The event the period counts from.
    pub from: NaiveDate,
    pub rule_zh: String,
    /// A stable code, e.g. `calendar_year_not_covered`.
    pub code: String,
    /// Why there is no date, e.g. "2027年的法定节假日安排尚未导入…".
    pub reason_zh: String,
}

/// The open steps of a case: those with a due date (earliest first) and those whose date cannot be given yet. One
/// step that cannot be dated never hides the others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenSteps {
    pub dated: Vec<OpenStep>,
    pub undated: Vec<UndatedStep>,
}

impl OpenSteps {
    /// The earliest due date.
    pub fn first_due(&self) -> Option<NaiveDate> {
        self.dated.first().map(|o| o.due)
    }
}

/// Every open step of the case, with its due date where the calendar can give one.
pub fn open_steps(state: &CaseState, policy: &Policy, calendar: &WorkCalendar) -> OpenSteps {
    let mut out = OpenSteps::default();
    let mut add = |key: &str, label_zh: &str, from: NaiveDate, rule: &crate::policy::DeadlineRule| match rule.due(calendar, from) {
        Ok(Deadline { due, provisional }) => {
            out.dated.push(OpenStep { key: key.into(), label_zh: label_zh.into(), from, due, provisional, rule_zh: rule_text(rule) })
        }
        Err(e) => out.undated.push(UndatedStep {
            key: key.into(),
            label_zh: label_zh.into(),
            from,
            rule_zh: rule_text(rule),
            code: e.code().into(),
            reason_zh: e.message_zh(),
        }),
    };
    for (step, from) in anchors(state, policy) {
        if let Some(rule) = policy.deadline(state.assistance_type, step) {
            add(step.as_str(), step.label_zh(), from, rule);
        }
    }
    if let Some(rule) = policy.complaint_feedback() {
        for c in state.complaints.iter().filter(|c| c.real_name && c.feedback_on.is_none()) {
            add("complaint_feedback", "向实名举报人反馈核查处理结果", c.received_on, rule);
        }
    }
    if state.stage == Stage::Active
        && let (Some(due), Some(from)) = (state.next_review_on, state.notice_issued_on)
    {
        let months = policy.review_interval_months(state.review_cadence);
        out.dated.push(OpenStep {
            key: "periodic_review".into(),
            label_zh: "定期核查".into(),
            from,
            due,
            provisional: false,
            rule_zh: format!("每{months}个月核查一次（{}）", state.review_cadence.label_zh()),
        });
    }
    out.dated.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.key.cmp(&b.key)));
    out
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

/// Overdue after the due day; due soon when at most the policy's window of working days is left (the days after
/// `today` up to and including the due day). Only the days up to the due day or the end of the window are looked
/// up, so a due date far ahead (a review next year) needs no calendar for its year.
pub fn classify(due: NaiveDate, today: NaiveDate, policy: &Policy, calendar: &WorkCalendar) -> Result<Urgency, WorkflowError> {
    if today > due {
        return Ok(Urgency::Overdue);
    }
    let window = i64::from(policy.due_soon_working_days());
    let within = reminder_lookup(calendar, |cal| {
        let mut left = 0i64;
        for date in today.iter_days().skip(1).take_while(|d| *d <= due) {
            if cal.is_working_day(date)? {
                left += 1;
                if left > window {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    })?;
    Ok(if within { Urgency::DueSoon } else { Urgency::OnTime })
}

/// The first day on which a step due on `due` counts as due soon under `classify`: the earliest day from which at
/// most the policy's window of working days is left. Lets a phone classify offline without the holiday schedule.
pub fn due_soon_from(due: NaiveDate, policy: &Policy, calendar: &WorkCalendar) -> Result<NaiveDate, WorkflowError> {
    let window = i64::from(policy.due_soon_working_days());
    reminder_lookup(calendar, |cal| {
        let (mut from, mut left) = (due, 0i64);
        // The window spans at most a few weeks even across the Spring Festival; the bound only guards a broken calendar.
        for _ in 0..120 {
            // Stepping back from `from` to the day before adds `from` itself to the days left.
            let with_from = left + i64::from(cal.is_working_day(from)?);
            let Some(earlier) = from.pred_opt() else { break };
            if with_from > window {
                break;
            }
            (from, left) = (earlier, with_from);
        }
        Ok(from)
    })
}

/// Runs a reminder-window computation on `calendar`; where that needs a year without a loaded schedule and the
/// calendar refuses provisional days, it runs again on the statutory holidays. The window only says when a step is
/// listed as due soon: it is a reminder, never a legal date, and must not fail a step whose date is exact.
fn reminder_lookup<T>(calendar: &WorkCalendar, f: impl Fn(&WorkCalendar) -> Result<T, crate::calendar::CalendarError>) -> Result<T, WorkflowError> {
    match f(calendar) {
        Err(crate::calendar::CalendarError::YearNotCovered { .. }) if !calendar.is_provisional_allowed() => {
            Ok(f(&calendar.clone().allow_provisional())?)
        }
        other => Ok(other?),
    }
}

/// The case's stage and open steps as the phone receives them (`protocol::CaseProgress`): the stage always, every
/// step that has a date with its due-soon day, and the steps that cannot be dated yet with the reason.
pub fn progress(state: &CaseState, policy: &Policy, calendar: &WorkCalendar) -> crate::protocol::CaseProgress {
    let steps = open_steps(state, policy, calendar);
    let open_steps = steps
        .dated
        .into_iter()
        .map(|o| crate::protocol::StepDue {
            // Only a year beyond the statutory data fails here; the step then counts as due soon on its due day.
            due_soon_from: due_soon_from(o.due, policy, calendar).unwrap_or(o.due),
            key: o.key,
            label_zh: o.label_zh,
            due: o.due,
            provisional: o.provisional,
        })
        .collect();
    let undated_steps =
        steps.undated.into_iter().map(|u| crate::protocol::StepUndated { key: u.key, label_zh: u.label_zh, reason_zh: u.reason_zh }).collect();
    crate::protocol::CaseProgress { stage: state.stage.as_str().into(), stage_label: state.stage.label_zh().into(), open_steps, undated_steps }
}
