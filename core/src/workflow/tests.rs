//! Whole paths through the procedure of each type, the refused transitions, separation of duties, near relatives,
//! complaints, deadlines across 春节 and 国庆, and the spot-check sampler.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{
    deadlines::{Urgency, classify, district_visit_outstanding, open_steps},
    notice::refusal_notice_text,
    sampler::{FrameHousehold, SampleReason, assign_revisits, draw},
    *,
};
use crate::{
    assistance::AssistanceType,
    calendar::WorkCalendar,
    policy::{Area, Policy, ReviewCadence, SpotCheckGroup, VisitTrigger},
    roles::Role,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn person(name: &str, roles: &[Role]) -> Actor {
    Actor { user_id: Uuid::new_v4(), name: name.into(), roles: roles.to_vec() }
}

struct World {
    policy: Policy,
    calendar: WorkCalendar,
    clerk: Actor,
    reviewer: Actor,
    inv1: Actor,
    inv2: Actor,
    district: Actor,
    declarants: Vec<Uuid>,
}

impl World {
    fn new() -> Self {
        Self {
            policy: Policy::huaxi(),
            calendar: WorkCalendar::bundled(),
            clerk: person("青岩镇经办员", &[Role::TownshipCaseworker]),
            reviewer: person("青岩镇审核员", &[Role::TownshipReviewer]),
            inv1: person("调查员一", &[Role::Investigator]),
            inv2: person("调查员二", &[Role::Investigator]),
            district: person("区民政局监管员", &[Role::DistrictSupervisor]),
            declarants: Vec::new(),
        }
    }

    fn ctx(&self, today: NaiveDate) -> Ctx<'_> {
        Ctx { policy: &self.policy, calendar: &self.calendar, today, near_relative_declarants: &self.declarants }
    }

    fn try_do(&self, s: &CaseState, a: Action, who: &Actor, on: NaiveDate) -> Result<Transition, WorkflowError> {
        apply(s, &a, who, &self.ctx(on))
    }

    fn ok(&self, s: &CaseState, a: Action, who: &Actor, on: NaiveDate) -> CaseState {
        let kind = a.kind();
        let t = self.try_do(s, a, who, on).unwrap_or_else(|e| panic!("{kind:?} at {:?}: {e}", s.stage));
        assert_eq!(t.responsible.user_id, who.user_id, "the acting person answers for the step");
        assert_eq!(t.responsible.name, who.name);
        assert!(who.roles.contains(&t.responsible.role));
        t.state
    }

    fn refused(&self, s: &CaseState, a: Action, who: &Actor, on: NaiveDate) -> WorkflowError {
        let e = self.try_do(s, a, who, on).expect_err("refused");
        assert!(!e.message_zh.is_empty());
        assert_eq!(e.kind, kind_of_code(e.code), "{}", e.code);
        e
    }

    fn team(&self) -> Vec<Uuid> {
        vec![self.inv1.user_id, self.inv2.user_id]
    }

    /// From a new application to the initial opinion (accepted on `on`, everything done that day).
    fn investigated(&self, t: AssistanceType, on: NaiveDate) -> CaseState {
        let s = CaseState::new(t, Area::Rural, on);
        let s = self.ok(&s, Action::Accept, &self.clerk, on);
        let s = self.ok(&s, Action::StartInvestigation { investigators: self.team() }, &self.clerk, on);
        let s = self.ok(&s, Action::RecordHomeVisit { investigators: self.team(), visited_on: on, family_signed: true }, &self.inv1, on);
        let s = self.ok(&s, Action::RecordNeighbourVisit { summary: "邻居反映家庭确实困难".into() }, &self.inv2, on);
        let s = self.ok(&s, Action::RequestInformationCheck, &self.clerk, on);
        self.ok(&s, Action::RecordInformationCheck { summary: "未发现车辆、房产、工商登记".into() }, &self.clerk, on)
    }

    fn opinion(&self, s: &CaseState, amount: Option<i64>, on: NaiveDate) -> CaseState {
        self.ok(
            s,
            Action::SubmitInitialOpinion {
                recommendation: Recommendation::Approve,
                amount_fen: amount,
                reasons: vec!["家庭月人均收入低于当地低保标准".into()],
            },
            &self.reviewer,
            on,
        )
    }

    /// Opinion, 7 days of publicity without objection.
    fn published(&self, s: &CaseState, amount: Option<i64>, on: NaiveDate) -> (CaseState, NaiveDate) {
        let s = self.opinion(s, amount, on);
        assert_eq!(s.stage, Stage::OpinionGiven);
        let s = self.ok(&s, Action::StartPublicity, &self.clerk, on);
        let ends = on + chrono::Days::new(7);
        let e = self.refused(&s, Action::ClosePublicity, &self.clerk, ends.pred_opt().unwrap());
        assert_eq!(e.code, "publicity_not_over");
        let s = self.ok(&s, Action::ClosePublicity, &self.clerk, ends);
        assert_eq!(s.stage, Stage::AwaitingConfirmation);
        (s, ends)
    }

    fn steps(&self, s: &CaseState) -> Vec<(String, NaiveDate)> {
        open_steps(s, &self.policy, &self.calendar).dated.into_iter().map(|o| (o.key, o.due)).collect()
    }
}

/// The kinds by code, as the server answered them (403 / 409 / 422) before refusals carried their kind.
fn kind_of_code(code: &str) -> WorkflowErrorKind {
    match code {
        "forbidden_role" | "near_relative_conflict" | "investigator_cannot_decide" | "confirmer_cannot_supervise" => WorkflowErrorKind::Forbidden,
        "illegal_transition"
        | "already_done"
        | "already_extended"
        | "nothing_to_file"
        | "publicity_not_over"
        | "decision_required"
        | "not_for_assistance_type"
        | "district_visit_not_required" => WorkflowErrorKind::Conflict,
        _ => WorkflowErrorKind::Invalid,
    }
}

fn has_step(steps: &[(String, NaiveDate)], key: &str, due: NaiveDate) -> bool {
    steps.iter().any(|(k, d)| k == key && *d == due)
}

#[test]
fn dibao_full_path_from_application_to_stop() {
    let w = World::new();
    let applied = d(2026, 2, 27);
    let s = CaseState::new(AssistanceType::Dibao, Area::Rural, applied);
    // Incomplete: everything missing at once, then handed in.
    let e = w.refused(&s, Action::NoticeMissing { items: vec![" ".into()] }, &w.clerk, applied);
    assert_eq!(e.code, "reason_required");
    let s = w.ok(&s, Action::NoticeMissing { items: vec!["户口簿复印件".into(), "家庭经济状况授权书".into()] }, &w.clerk, applied);
    assert_eq!((s.stage, s.missing_items.len()), (Stage::MaterialsMissing, 2));
    let s = w.ok(&s, Action::ResubmitMaterials, &w.clerk, d(2026, 3, 2));
    let accepted = d(2026, 3, 2);
    let s = w.ok(&s, Action::Accept, &w.clerk, accepted);
    // 3 working days to start the investigation; 20 for the whole devolved procedure (March 2026 has no holiday).
    let steps = w.steps(&s);
    assert!(has_step(&steps, "investigation_start", d(2026, 3, 5)), "{steps:?}");
    assert!(has_step(&steps, "procedure_devolved", d(2026, 3, 30)), "{steps:?}");

    let s = w.ok(&s, Action::StartInvestigation { investigators: w.team() }, &w.clerk, accepted);
    let e = w.refused(
        &s,
        Action::SubmitInitialOpinion { recommendation: Recommendation::Approve, amount_fen: None, reasons: vec!["困难".into()] },
        &w.reviewer,
        accepted,
    );
    assert_eq!(e.code, "investigation_incomplete");
    assert!(e.message_zh.contains("入户调查") && e.message_zh.contains("信息核对"), "{}", e.message_zh);
    let s = w.investigated(AssistanceType::Dibao, accepted);
    let (s, closed) = w.published(&s, Some(138_000), d(2026, 3, 9));

    // The suggestion from the visit's facts; a different amount needs a reason.
    let standard = w.policy.local_standard(2026).unwrap().dibao_monthly_fen(Area::Rural);
    let g = amount::gap_suggestion(standard, 60_000, 3).unwrap();
    let e = w.refused(
        &s,
        Action::Confirm { amount_fen: Some(g.suggested_fen - 100), suggested_fen: Some(g.suggested_fen), override_reason: None },
        &w.reviewer,
        closed,
    );
    assert_eq!((e.code, e.field), ("override_reason_required", Some("override_reason")));
    let t = w
        .try_do(
            &s,
            Action::Confirm { amount_fen: Some(g.suggested_fen), suggested_fen: Some(g.suggested_fen), override_reason: None },
            &w.reviewer,
            closed,
        )
        .unwrap();
    assert_eq!(t.responsible.duty, Duty::Confirm);
    assert_eq!(t.responsible.accountability_zh, "谁确认谁负责");
    assert!(t.events.contains(&Event::FilingDue { kind: DecisionKind::Approve }));
    let s = t.state;
    assert_eq!(s.stage, Stage::Approved);
    let decision = s.decision.clone().unwrap();
    assert_eq!(decision.effective_month.as_deref(), Some("2026-04"), "paid from the month after the decision");
    assert!(has_step(&w.steps(&s), "filing", d(2026, 3, 23)), "{:?}", w.steps(&s));

    let notified = d(2026, 3, 17);
    let s = w.ok(&s, Action::IssueNotice, &w.clerk, notified);
    assert_eq!(s.stage, Stage::Active);
    assert_eq!(s.next_review_on, Some(d(2027, 3, 17)), "stable households are reviewed yearly");
    let s = w.ok(&s, Action::RecordFiling { remarks: Some("材料齐全".into()) }, &w.district, d(2026, 3, 18));
    assert_eq!(s.filings.len(), 1);
    assert!(s.pending_filing.is_none());
    assert_eq!(w.refused(&s, Action::RecordFiling { remarks: None }, &w.district, d(2026, 3, 18)).code, "nothing_to_file");

    // Periodic review: adjust with a reason (irregular income: every 6 months from now on), then stop with reasons.
    let s = w.ok(&s, Action::StartReview, &w.clerk, d(2026, 9, 1));
    let e = w.refused(
        &s,
        Action::RecordReviewOutcome { outcome: ReviewOutcome::Adjust { amount_fen: 90_000, reason: "".into() }, cadence: ReviewCadence::Irregular },
        &w.reviewer,
        d(2026, 9, 2),
    );
    assert_eq!(e.code, "reason_required");
    let s = w.ok(
        &s,
        Action::RecordReviewOutcome {
            outcome: ReviewOutcome::Adjust { amount_fen: 90_000, reason: "家庭成员务工收入增加".into() },
            cadence: ReviewCadence::Irregular,
        },
        &w.reviewer,
        d(2026, 9, 2),
    );
    assert_eq!(s.stage, Stage::Adjusted);
    let s = w.ok(&s, Action::IssueNotice, &w.clerk, d(2026, 9, 3));
    assert_eq!((s.stage, s.next_review_on), (Stage::Active, Some(d(2027, 3, 3))));
    let s = w.ok(&s, Action::StartReview, &w.clerk, d(2026, 11, 2));
    let s = w.ok(
        &s,
        Action::RecordReviewOutcome {
            outcome: ReviewOutcome::Stop { reasons: vec!["家庭成员已稳定就业，月人均收入超过标准".into()] },
            cadence: ReviewCadence::Irregular,
        },
        &w.reviewer,
        d(2026, 11, 3),
    );
    assert_eq!(s.stage, Stage::StopDecided);
    assert_eq!(s.decision.as_ref().unwrap().effective_month.as_deref(), Some("2026-12"));
    let s = w.ok(&s, Action::IssueNotice, &w.clerk, d(2026, 11, 4));
    assert_eq!(s.stage, Stage::Stopped);
    assert_eq!(s.decisions.len(), 3);
    assert_eq!(w.refused(&s, Action::StartReview, &w.clerk, d(2026, 11, 5)).code, "illegal_transition");
}

#[test]
fn bianyuan_follows_the_dibao_procedure_and_has_no_amount() {
    let w = World::new();
    let s = w.investigated(AssistanceType::Bianyuan, d(2026, 3, 2));
    assert!(has_step(&w.steps(&s), "procedure_devolved", d(2026, 3, 30)), "follows dibao");
    let (s, closed) = w.published(&s, None, d(2026, 3, 9));
    let e = w.refused(&s, Action::Confirm { amount_fen: Some(1), suggested_fen: None, override_reason: None }, &w.reviewer, closed);
    assert_eq!(e.code, "amount_not_applicable");
    let s = w.ok(&s, Action::Confirm { amount_fen: None, suggested_fen: None, override_reason: None }, &w.reviewer, closed);
    let s = w.ok(&s, Action::IssueNotice, &w.clerk, closed);
    assert_eq!(s.stage, Stage::Active);
}

#[test]
fn tekun_path_with_an_objection_and_a_termination_with_its_own_publicity() {
    let w = World::new();
    let accepted = d(2026, 4, 1);
    let s = w.investigated(AssistanceType::Tekun, accepted);
    // 15 working days for the initial opinion: April 2026 has 清明 (4–6 Apr off), no adjusted Sunday.
    let s0 = w.ok(&CaseState::new(AssistanceType::Tekun, Area::Rural, accepted), Action::Accept, &w.clerk, accepted);
    assert!(has_step(&w.steps(&s0), "initial_opinion", d(2026, 4, 23)), "{:?}", w.steps(&s0));
    assert!(w.steps(&s0).iter().all(|(k, _)| !k.starts_with("procedure")), "特困 has no whole-procedure limit");

    let s = w.opinion(&s, Some(120_000), d(2026, 4, 10));
    let s = w.ok(&s, Action::StartPublicity, &w.clerk, d(2026, 4, 10));
    let s = w.ok(&s, Action::RecordObjection { summary: "村民反映其子女有赡养能力".into() }, &w.clerk, d(2026, 4, 13));
    assert_eq!(s.stage, Stage::ObjectionReview);
    assert!(has_step(&w.steps(&s), "reinvestigation_after_objection", d(2026, 5, 7)), "{:?}", w.steps(&s));
    let s = w.ok(
        &s,
        Action::ResolveObjection { method: ObjectionMethod::DemocraticAppraisal, finding: "经民主评议，子女无赡养能力".into() },
        &w.reviewer,
        d(2026, 4, 15),
    );
    assert_eq!(s.stage, Stage::Investigating);
    // A new opinion, published again.
    let (s, closed) = w.published(&s, Some(120_000), d(2026, 4, 16));
    assert!(has_step(&w.steps(&s), "confirmation", d(2026, 5, 18)), "15 WD after the materials, across 劳动节: {:?}", w.steps(&s));
    let s = w.ok(&s, Action::Confirm { amount_fen: Some(120_000), suggested_fen: None, override_reason: None }, &w.reviewer, closed);
    let s = w.ok(&s, Action::IssueNotice, &w.clerk, closed);
    assert_eq!(s.stage, Stage::Active);

    let s = w.ok(&s, Action::StartReview, &w.clerk, d(2026, 6, 1));
    let s = w.ok(
        &s,
        Action::RecordReviewOutcome {
            outcome: ReviewOutcome::Stop { reasons: vec!["已由法定赡养人履行赡养义务".into()] },
            cadence: ReviewCadence::Stable,
        },
        &w.reviewer,
        d(2026, 6, 2),
    );
    assert_eq!(s.stage, Stage::TerminationPublicity, "特困 termination is published first");
    assert!(has_step(&w.steps(&s), "termination_publicity", d(2026, 6, 9)));
    assert_eq!(w.refused(&s, Action::ClosePublicity, &w.reviewer, d(2026, 6, 8)).code, "publicity_not_over");
    // Closing a termination's publicity decides the termination: the township reviewer's decision, not the clerk's.
    assert_eq!(w.refused(&s, Action::ClosePublicity, &w.clerk, d(2026, 6, 9)).code, "forbidden_role");
    let s = w.ok(&s, Action::ClosePublicity, &w.reviewer, d(2026, 6, 9));
    assert_eq!(s.stage, Stage::StopDecided);
    assert_eq!(s.decision.as_ref().unwrap().effective_month.as_deref(), Some("2026-07"), "terminated from the next month");
    let s = w.ok(&s, Action::IssueNotice, &w.clerk, d(2026, 6, 10));
    assert_eq!(s.stage, Stage::Stopped);
}

#[test]
fn tekun_termination_objection_returns_to_the_review() {
    let w = World::new();
    let s = w.investigated(AssistanceType::Tekun, d(2026, 4, 1));
    let (s, closed) = w.published(&s, Some(120_000), d(2026, 4, 10));
    let s = w.ok(&s, Action::Confirm { amount_fen: Some(120_000), suggested_fen: None, override_reason: None }, &w.reviewer, closed);
    let s = w.ok(&s, Action::IssueNotice, &w.clerk, closed);
    let s = w.ok(&s, Action::StartReview, &w.clerk, d(2026, 6, 1));
    let s = w.ok(
        &s,
        Action::RecordReviewOutcome { outcome: ReviewOutcome::Stop { reasons: vec!["收入超过标准".into()] }, cadence: ReviewCadence::Stable },
        &w.reviewer,
        d(2026, 6, 2),
    );
    let s = w.ok(&s, Action::RecordObjection { summary: "本人反映收入为一次性补偿".into() }, &w.clerk, d(2026, 6, 3));
    let s = w.ok(
        &s,
        Action::ResolveObjection { method: ObjectionMethod::Reinvestigation, finding: "属一次性补偿，不计入收入".into() },
        &w.reviewer,
        d(2026, 6, 5),
    );
    assert_eq!(s.stage, Stage::UnderReview);
    let s = w.ok(&s, Action::RecordReviewOutcome { outcome: ReviewOutcome::Keep, cadence: ReviewCadence::Stable }, &w.reviewer, d(2026, 6, 8));
    assert_eq!(s.stage, Stage::Active);
}

#[test]
fn linshi_ordinary_path_has_no_publicity_and_is_one_off() {
    let w = World::new();
    let s = w.investigated(AssistanceType::Linshi, d(2026, 3, 2));
    let s = w.opinion(&s, Some(300_000), d(2026, 3, 3));
    assert_eq!(s.stage, Stage::AwaitingConfirmation, "no publicity configured for 临时救助");
    let s = w.ok(&s, Action::Confirm { amount_fen: Some(300_000), suggested_fen: None, override_reason: None }, &w.reviewer, d(2026, 3, 4));
    let s = w.ok(&s, Action::IssueNotice, &w.clerk, d(2026, 3, 4));
    assert_eq!(s.stage, Stage::Closed);
    assert!(s.next_review_on.is_none(), "no periodic review for a one-off payment");
    assert!(has_step(&w.steps(&s), "filing", d(2026, 3, 11)));
}

#[test]
fn linshi_above_the_township_cap_is_escalated_and_the_district_decides() {
    let w = World::new();
    let cap = w.policy.linshi_township_cap_fen(2026, Area::Rural).unwrap();
    let s = w.investigated(AssistanceType::Linshi, d(2026, 3, 2));
    let s = w.opinion(&s, Some(cap + 1), d(2026, 3, 3));
    let at_cap = w.ok(&s, Action::Confirm { amount_fen: Some(cap), suggested_fen: None, override_reason: None }, &w.reviewer, d(2026, 3, 4));
    assert_eq!(at_cap.stage, Stage::Approved, "the cap itself is within the township's power");

    let t =
        w.try_do(&s, Action::Confirm { amount_fen: Some(cap + 1), suggested_fen: None, override_reason: None }, &w.reviewer, d(2026, 3, 4)).unwrap();
    assert_eq!(t.to, Stage::Escalated);
    assert!(t.events.contains(&Event::EscalatedAboveCap { amount_fen: cap + 1, cap_fen: cap }));
    let s = t.state;
    assert!(s.escalation.as_ref().unwrap().automatic);
    assert!(s.decision.is_none(), "the township did not decide");
    let e = w.refused(&s, Action::DecideEscalation { outcome: EscalationOutcome::Uphold, reasons: "维持".into() }, &w.district, d(2026, 3, 5));
    assert_eq!(e.code, "decision_required");
    assert_eq!(w.refused(&s, Action::IssueNotice, &w.clerk, d(2026, 3, 5)).code, "illegal_transition");
    let s = w.ok(
        &s,
        Action::DecideEscalation { outcome: EscalationOutcome::Approve { amount_fen: Some(cap + 1) }, reasons: "重大疾病，一事一议".into() },
        &w.district,
        d(2026, 3, 6),
    );
    assert_eq!(s.stage, Stage::Approved);
    let decision = s.decision.as_ref().unwrap();
    assert!(decision.district && decision.by == w.district.user_id);
    assert_eq!(s.escalations.len(), 1);
    assert!(s.escalations[0].decision_zh.as_deref().unwrap().contains("一事一议"));

    // Without a standard for the year the cap cannot be known: an error, never a guess.
    let s27 = w.investigated(AssistanceType::Linshi, d(2026, 12, 1));
    let s27 = w.opinion(&s27, Some(1000), d(2026, 12, 2));
    let e = w.refused(&s27, Action::Confirm { amount_fen: Some(1000), suggested_fen: None, override_reason: None }, &w.reviewer, d(2027, 1, 4));
    assert_eq!(e.code, "local_standard_missing");
}

#[test]
fn linshi_emergency_path_pays_first_and_completes_the_record() {
    let w = World::new();
    let s = CaseState::new(AssistanceType::Linshi, Area::Urban, d(2025, 9, 26));
    let s = w.ok(&s, Action::GrantEmergencyAid { amount_fen: 200_000, reason: "火灾致房屋损毁".into() }, &w.clerk, d(2025, 9, 26));
    assert_eq!((s.stage, s.path), (Stage::EmergencyAided, Path::Emergency));
    // 5 working days to complete the record, across 国庆 2025 (Sun 28 Sep worked, 1–8 Oct off).
    assert!(has_step(&w.steps(&s), "emergency_record", d(2025, 10, 10)), "{:?}", w.steps(&s));
    assert!(s.pending_filing.is_none(), "filed once the record is complete");
    let e =
        w.refused(&s, Action::CompleteEmergencyRecord { summary: "登记完毕".into(), staff_signed: true, sealed: false }, &w.clerk, d(2025, 9, 29));
    assert_eq!(e.code, "signatures_missing");
    let s = w.ok(
        &s,
        Action::CompleteEmergencyRecord { summary: "救助对象、事由、金额已登记".into(), staff_signed: true, sealed: true },
        &w.clerk,
        d(2025, 9, 29),
    );
    assert_eq!(s.stage, Stage::Closed);
    assert_eq!(s.pending_filing.as_ref().unwrap().kind, DecisionKind::EmergencyAid);

    let dibao = CaseState::new(AssistanceType::Dibao, Area::Urban, d(2025, 9, 26));
    assert_eq!(
        w.refused(&dibao, Action::GrantEmergencyAid { amount_fen: 1, reason: "急".into() }, &w.clerk, d(2025, 9, 26)).code,
        "not_for_assistance_type"
    );
    let cap = w.policy.linshi_township_cap_fen(2025, Area::Urban).unwrap();
    let t = w
        .try_do(
            &CaseState::new(AssistanceType::Linshi, Area::Urban, d(2025, 9, 26)),
            Action::GrantEmergencyAid { amount_fen: cap + 1, reason: "重病".into() },
            &w.clerk,
            d(2025, 9, 26),
        )
        .unwrap();
    assert_eq!(t.to, Stage::Escalated, "an emergency above the cap goes to the district too");
}

#[test]
fn refusal_path_gives_reasons_in_writing_within_three_working_days() {
    let w = World::new();
    let s = w.investigated(AssistanceType::Dibao, d(2025, 9, 1));
    let (s, _) = w.published(&s, None, d(2025, 9, 15));
    assert_eq!(w.refused(&s, Action::Refuse { reasons: vec![] }, &w.reviewer, d(2025, 9, 26)).code, "reason_required");
    let s = w.ok(&s, Action::Refuse { reasons: vec!["家庭月人均收入高于当地低保标准".into()] }, &w.reviewer, d(2025, 9, 26));
    assert_eq!(s.stage, Stage::Refused);
    // Decided Friday 26 Sep 2025: Sun 28 Sep is worked, so the notice is due Tue 30 Sep.
    assert!(has_step(&w.steps(&s), "refusal_notice", d(2025, 9, 30)), "{:?}", w.steps(&s));
    let decision = s.decision.clone().unwrap();
    let text = refusal_notice_text("李强", AssistanceType::Dibao, s.applied_on, decision.on, "青岩镇人民政府", &decision.reasons);
    assert!(text.contains("家庭月人均收入高于当地低保标准"));
    let s = w.ok(&s, Action::IssueNotice, &w.clerk, d(2025, 9, 29));
    assert_eq!(s.stage, Stage::Closed);
    assert!(s.pending_filing.is_some(), "refusals are filed too");
}

#[test]
fn extension_needs_a_reason_applies_once_and_only_where_the_policy_allows() {
    let w = World::new();
    let s = w.investigated(AssistanceType::Dibao, d(2026, 3, 2));
    assert_eq!(w.refused(&s, Action::Extend { reason: "  ".into() }, &w.reviewer, d(2026, 3, 3)).code, "reason_required");
    assert_eq!(w.refused(&s, Action::Extend { reason: "人户分离".into() }, &w.clerk, d(2026, 3, 3)).code, "forbidden_role");
    let s = w.ok(&s, Action::Extend { reason: "人户分离，需异地核实".into() }, &w.reviewer, d(2026, 3, 3));
    let steps = w.steps(&s);
    // 45 working days from 2 Mar 2026, across 清明 (4–6 Apr) and 劳动节 (1–5 May).
    assert!(has_step(&steps, "procedure_extended", d(2026, 5, 8)), "{steps:?}");
    assert!(!steps.iter().any(|(k, _)| k == "procedure_devolved"));
    assert_eq!(w.refused(&s, Action::Extend { reason: "再延".into() }, &w.reviewer, d(2026, 3, 4)).code, "already_extended");
    let tekun = w.investigated(AssistanceType::Tekun, d(2026, 3, 2));
    assert_eq!(w.refused(&tekun, Action::Extend { reason: "难".into() }, &w.reviewer, d(2026, 3, 3)).code, "not_for_assistance_type");
}

#[test]
fn escalated_review_of_a_disputed_result_has_its_own_decision() {
    let w = World::new();
    let s = w.investigated(AssistanceType::Dibao, d(2026, 3, 2));
    let (s, closed) = w.published(&s, Some(100_000), d(2026, 3, 9));
    let s = w.ok(&s, Action::Confirm { amount_fen: Some(100_000), suggested_fen: None, override_reason: None }, &w.reviewer, closed);
    let s = w.ok(&s, Action::IssueNotice, &w.clerk, closed);
    assert_eq!(w.refused(&s, Action::Escalate { reason: "群众对结果有异议".into() }, &w.reviewer, closed).code, "forbidden_role");
    let s = w.ok(&s, Action::Escalate { reason: "群众对审核确认结果有异议".into() }, &w.district, d(2026, 3, 20));
    assert_eq!(s.stage, Stage::Escalated);
    let upheld =
        w.ok(&s, Action::DecideEscalation { outcome: EscalationOutcome::Uphold, reasons: "复核后符合条件".into() }, &w.district, d(2026, 3, 25));
    assert_eq!(upheld.stage, Stage::Active, "the township's result stands");
    let refused = w.ok(
        &s,
        Action::DecideEscalation {
            outcome: EscalationOutcome::Refuse { reasons: vec!["隐瞒经营收入".into()] },
            reasons: "提级复核查明隐瞒收入".into(),
        },
        &w.district,
        d(2026, 3, 25),
    );
    assert_eq!(refused.stage, Stage::Refused);
    assert!(refused.decision.as_ref().unwrap().district);
    assert_eq!(refused.escalations[0].decided_by, Some(w.district.user_id));
}

#[test]
fn separation_of_duties_is_enforced_from_the_rule_table() {
    let w = World::new();
    // Someone who holds both the reviewer and the investigator role.
    let both = person("兼任人员", &[Role::TownshipReviewer, Role::Investigator]);
    let s = CaseState::new(AssistanceType::Dibao, Area::Rural, d(2026, 3, 2));
    let s = w.ok(&s, Action::Accept, &w.clerk, d(2026, 3, 2));
    let s = w.ok(&s, Action::StartInvestigation { investigators: vec![both.user_id, w.inv2.user_id] }, &w.clerk, d(2026, 3, 2));
    let s = w.ok(
        &s,
        Action::RecordHomeVisit { investigators: vec![both.user_id, w.inv2.user_id], visited_on: d(2026, 3, 2), family_signed: true },
        &w.inv2,
        d(2026, 3, 2),
    );
    let s = w.ok(&s, Action::RecordNeighbourVisit { summary: "属实".into() }, &w.inv2, d(2026, 3, 2));
    let s = w.ok(&s, Action::RequestInformationCheck, &w.clerk, d(2026, 3, 2));
    let s = w.ok(&s, Action::RecordInformationCheck { summary: "无异常".into() }, &w.clerk, d(2026, 3, 3));
    let (s, closed) = w.published(&s, Some(100_000), d(2026, 3, 9));
    let e = w.refused(&s, Action::Confirm { amount_fen: Some(100_000), suggested_fen: None, override_reason: None }, &both, closed);
    assert_eq!(e.code, "investigator_cannot_decide");
    assert_eq!(w.refused(&s, Action::Refuse { reasons: vec!["x".into()] }, &both, closed).code, "investigator_cannot_decide");
    assert_eq!(
        w.refused(&s, Action::Confirm { amount_fen: Some(100_000), suggested_fen: None, override_reason: None }, &w.inv1, closed).code,
        "forbidden_role"
    );

    // Whoever confirms does not supervise the decision: not file it, not escalate it, not decide its escalation.
    let dual = person("兼任审核与监管", &[Role::TownshipReviewer, Role::DistrictSupervisor]);
    let s = w.ok(&s, Action::Confirm { amount_fen: Some(100_000), suggested_fen: None, override_reason: None }, &dual, closed);
    assert_eq!(w.refused(&s, Action::RecordFiling { remarks: None }, &dual, closed).code, "confirmer_cannot_supervise");
    assert_eq!(w.refused(&s, Action::Escalate { reason: "异议".into() }, &dual, closed).code, "confirmer_cannot_supervise");
    let filed = w.ok(&s, Action::RecordFiling { remarks: None }, &w.district, closed);
    assert_eq!(filed.filings[0].filed_by, w.district.user_id);
    assert_eq!(filed.filings[0].decided_by, dual.user_id);

    // Every action has a role list, and every rule names an action that has one.
    for kind in ActionKind::ALL {
        assert!(!duties::roles_for(*kind).is_empty(), "{kind:?}");
    }
    for rule in duties::SEPARATION_RULES {
        assert!(!duties::roles_for(rule.action).is_empty() && !rule.source.is_empty());
    }
}

#[test]
fn a_near_relative_can_neither_investigate_nor_decide_and_the_case_is_flagged() {
    let mut w = World::new();
    w.declarants = vec![w.reviewer.user_id, w.inv1.user_id];
    let s = CaseState::new(AssistanceType::Dibao, Area::Rural, d(2026, 3, 2));
    assert_eq!(w.refused(&s, Action::Accept, &w.reviewer, d(2026, 3, 2)).code, "near_relative_conflict");
    let t = w.try_do(&s, Action::Accept, &w.clerk, d(2026, 3, 2)).unwrap();
    assert!(t.events.iter().any(|e| matches!(e, Event::DistrictVisitRequired { .. })));
    let s = t.state;
    assert!(s.flags.near_relative);
    assert!(district_visit_outstanding(&s, &w.policy));
    let e = w.refused(&s, Action::StartInvestigation { investigators: w.team() }, &w.clerk, d(2026, 3, 2));
    assert_eq!((e.code, e.field), ("near_relative_investigator", Some("investigators")));
    let other = person("调查员三", &[Role::Investigator]);
    let s = w.ok(&s, Action::StartInvestigation { investigators: vec![w.inv2.user_id, other.user_id] }, &w.clerk, d(2026, 3, 2));
    assert_eq!(s.investigators.len(), 2);
    assert_eq!(
        w.refused(&s, Action::RecordDistrictVisit { visited_on: d(2026, 3, 3), finding: "属实".into() }, &w.clerk, d(2026, 3, 3)).code,
        "forbidden_role"
    );
    let s = w.ok(&s, Action::RecordDistrictVisit { visited_on: d(2026, 3, 3), finding: "入户核查属实".into() }, &w.district, d(2026, 3, 3));
    assert!(!district_visit_outstanding(&s, &w.policy));
}

#[test]
fn a_complaint_flags_a_full_visit_and_a_real_name_reporter_gets_feedback() {
    let w = World::new();
    let s = w.investigated(AssistanceType::Dibao, d(2026, 3, 2));
    let e = w.refused(&s, Action::RecordComplaint { received_on: d(2026, 3, 4), real_name: true, summary: "举报".into() }, &w.clerk, d(2026, 3, 3));
    assert_eq!(e.code, "invalid_date");
    let t = w
        .try_do(
            &s,
            Action::RecordComplaint { received_on: d(2026, 3, 3), real_name: true, summary: "反映其家中有经营性车辆".into() },
            &w.clerk,
            d(2026, 3, 3),
        )
        .unwrap();
    assert!(t.events.contains(&Event::ComplaintFeedbackDue { complaint: 0 }));
    let s = t.state;
    assert!(s.flags.complaint && district_visit_outstanding(&s, &w.policy));
    assert!(has_step(&w.steps(&s), "complaint_feedback", d(2026, 3, 24)), "{:?}", w.steps(&s));
    let s = w.ok(&s, Action::RecordComplaint { received_on: d(2026, 3, 3), real_name: false, summary: "匿名反映".into() }, &w.clerk, d(2026, 3, 3));
    assert_eq!(
        w.refused(&s, Action::GiveComplaintFeedback { complaint: 1, feedback: "已核查".into() }, &w.clerk, d(2026, 3, 5)).code,
        "anonymous_complaint"
    );
    assert_eq!(
        w.refused(&s, Action::GiveComplaintFeedback { complaint: 9, feedback: "已核查".into() }, &w.clerk, d(2026, 3, 5)).code,
        "unknown_complaint"
    );
    let s = w.ok(&s, Action::GiveComplaintFeedback { complaint: 0, feedback: "经核查车辆已于2025年转让".into() }, &w.clerk, d(2026, 3, 5));
    assert!(!w.steps(&s).iter().any(|(k, _)| k == "complaint_feedback"));
    assert_eq!(w.refused(&s, Action::GiveComplaintFeedback { complaint: 0, feedback: "再次".into() }, &w.clerk, d(2026, 3, 6)).code, "already_done");
}

#[test]
fn illegal_transitions_are_refused_with_a_stable_code_and_change_nothing() {
    let w = World::new();
    let s = CaseState::new(AssistanceType::Dibao, Area::Rural, d(2026, 3, 2));
    let before = s.clone();
    let e = w.refused(&s, Action::Confirm { amount_fen: Some(1), suggested_fen: None, override_reason: None }, &w.reviewer, d(2026, 3, 2));
    assert_eq!(e.code, "illegal_transition");
    assert!(e.message_zh.contains("已申请待受理") && e.message_zh.contains("审核确认"), "{}", e.message_zh);
    assert_eq!(s, before);
    assert_eq!(w.refused(&s, Action::StartPublicity, &w.clerk, d(2026, 3, 2)).code, "illegal_transition");
    assert_eq!(w.refused(&s, Action::IssueNotice, &w.clerk, d(2026, 3, 2)).code, "illegal_transition");
    let s = w.ok(&s, Action::Accept, &w.clerk, d(2026, 3, 2));
    let e = w.refused(&s, Action::StartInvestigation { investigators: vec![w.inv1.user_id, w.inv1.user_id] }, &w.clerk, d(2026, 3, 2));
    assert_eq!(e.code, "too_few_investigators");
    let s = w.ok(&s, Action::StartInvestigation { investigators: w.team() }, &w.clerk, d(2026, 3, 2));
    let e =
        w.refused(&s, Action::RecordHomeVisit { investigators: w.team(), visited_on: d(2026, 3, 2), family_signed: false }, &w.inv1, d(2026, 3, 2));
    assert_eq!(e.code, "signatures_missing");
    assert_eq!(w.refused(&s, Action::RecordInformationCheck { summary: "x".into() }, &w.clerk, d(2026, 3, 2)).code, "illegal_transition");
    // Actions round-trip as JSON with a stable tag (what the API accepts).
    let a: Action = serde_json::from_value(serde_json::json!({ "action": "refuse", "reasons": ["收入超标"] })).unwrap();
    assert_eq!(a.kind(), ActionKind::Refuse);
    let state_json = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<CaseState>(&state_json).unwrap(), s);
}

#[test]
fn deadlines_across_spring_festival_and_national_day_count_the_adjusted_working_weekends() {
    let w = World::new();
    let accepted_on = |day| w.ok(&CaseState::new(AssistanceType::Dibao, Area::Rural, day), Action::Accept, &w.clerk, day);
    let start_due = |day| w.steps(&accepted_on(day)).into_iter().find(|(k, _)| k == "investigation_start").unwrap().1;
    // 春节 2024: 10–17 Feb off, Sun 18 Feb worked.
    assert_eq!(start_due(d(2024, 2, 9)), d(2024, 2, 20));
    // 春节 2025: Sun 26 Jan worked, 28 Jan–4 Feb off.
    assert_eq!(start_due(d(2025, 1, 24)), d(2025, 2, 5));
    // 春节 2026: Sat 14 Feb worked, 15–23 Feb off.
    assert_eq!(start_due(d(2026, 2, 13)), d(2026, 2, 25));
    // 国庆 2024: Sun 29 Sep worked, 1–7 Oct off.
    assert_eq!(start_due(d(2024, 9, 27)), d(2024, 10, 8));
    // 国庆 2025: Sun 28 Sep worked, 1–8 Oct off, Sat 11 Oct worked.
    assert_eq!(start_due(d(2025, 9, 30)), d(2025, 10, 11));
    // 国庆 2026: Sun 20 Sep worked, 1–7 Oct off, Sat 10 Oct worked.
    assert_eq!(start_due(d(2026, 9, 30)), d(2026, 10, 10));
    // The 20-working-day procedure of a case accepted in mid-December 2026 runs into 2027, which is not loaded: on a
    // strict calendar that one step has no date (with the reason), and the steps inside 2026 keep theirs.
    let late = accepted_on(d(2026, 12, 15));
    let strict = open_steps(&late, &w.policy, &w.calendar);
    let undated: Vec<_> = strict.undated.iter().map(|u| (u.key.as_str(), u.code.as_str())).collect();
    assert_eq!(undated, [("procedure_devolved", "calendar_year_not_covered")]);
    assert!(strict.undated[0].reason_zh.contains("2027"), "{}", strict.undated[0].reason_zh);
    assert!(strict.dated.iter().any(|o| o.key == "investigation_start" && o.due == d(2026, 12, 18) && !o.provisional));
    // In provisional mode the date is given, marked provisional (元旦 2027 off, no make-up days); the others unchanged.
    let provisional = WorkCalendar::bundled().allow_provisional();
    let steps = open_steps(&late, &w.policy, &provisional);
    assert!(steps.undated.is_empty());
    assert!(steps.dated.iter().any(|o| o.key == "procedure_devolved" && o.provisional && o.due == d(2027, 1, 13)), "{:?}", steps.dated);
    assert_eq!(steps.dated.iter().filter(|o| !o.provisional).cloned().collect::<Vec<_>>(), strict.dated);
}

#[test]
fn overdue_and_due_soon_use_working_days_and_the_policy_window() {
    let w = World::new();
    let due = d(2026, 2, 25);
    assert_eq!(classify(due, d(2026, 2, 26), &w.policy, &w.calendar).unwrap(), Urgency::Overdue);
    assert_eq!(classify(due, due, &w.policy, &w.calendar).unwrap(), Urgency::DueSoon);
    // From Fri 13 Feb 2026: Sat 14 Feb (worked), Tue 24, Wed 25 = 3 working days left, inside the 3-day window.
    assert_eq!(classify(due, d(2026, 2, 13), &w.policy, &w.calendar).unwrap(), Urgency::DueSoon);
    assert_eq!(classify(due, d(2026, 2, 12), &w.policy, &w.calendar).unwrap(), Urgency::OnTime);
    // A due date far ahead needs no schedule for its year; a window reaching into 2027 is counted on the statutory
    // holidays (a reminder, not a legal date): from Wed 30 Dec 2026, Thu 31 Dec and Mon 4 Jan are left (元旦 off).
    assert_eq!(classify(d(2027, 11, 10), d(2026, 11, 27), &w.policy, &w.calendar).unwrap(), Urgency::OnTime);
    assert_eq!(classify(d(2027, 1, 4), d(2026, 12, 30), &w.policy, &w.calendar).unwrap(), Urgency::DueSoon);
    assert_eq!(classify(d(2027, 1, 7), d(2026, 12, 30), &w.policy, &w.calendar).unwrap(), Urgency::OnTime);
    // A step due in 2026 is judged on 2026 alone, however close to the year end.
    assert_eq!(classify(d(2026, 12, 31), d(2026, 12, 28), &w.policy, &w.calendar).unwrap(), Urgency::DueSoon);
    assert_eq!(crate::workflow::deadlines::due_soon_from(d(2026, 12, 31), &w.policy, &w.calendar).unwrap(), d(2026, 12, 28));
}

#[test]
fn the_phones_due_soon_day_gives_the_servers_verdict_on_every_day_of_the_covered_years() {
    let w = World::new();
    // Every due date of 2024–2026 (holiday weeks and adjusted working weekends included), each seen from the
    // 40 days before it to the day after: the phone's offline verdict equals `classify`.
    let mut due = d(2024, 2, 15);
    while due <= d(2026, 12, 10) {
        let from = crate::workflow::deadlines::due_soon_from(due, &w.policy, &w.calendar).unwrap();
        let step = crate::protocol::StepDue { key: "k".into(), label_zh: "步骤".into(), due, due_soon_from: from, provisional: false };
        let mut today = due - chrono::Duration::days(40);
        while today <= due + chrono::Duration::days(1) {
            assert_eq!(step.urgency(today), classify(due, today, &w.policy, &w.calendar).unwrap(), "due {due}, today {today}");
            today += chrono::Duration::days(1);
        }
        due += chrono::Duration::days(1);
    }
}

fn frame(township: &str, group: SpotCheckGroup, n: usize) -> Vec<FrameHousehold> {
    (0..n)
        .map(|i| FrameHousehold {
            household_id: Uuid::from_u128(township.parse::<u128>().unwrap() << 64 | (i as u128) << 8 | group as u128),
            township_code: township.into(),
            group: Some(group),
            triggers: vec![],
            original_investigators: vec![],
            declarants: vec![],
        })
        .collect()
}

#[test]
fn the_sampler_takes_at_least_twelve_percent_per_township_rounded_up() {
    let w = World::new();
    for (population, expected) in [(0, 0), (1, 1), (8, 1), (9, 2), (100, 12), (10_000, 1200)] {
        let f = frame("520111101", SpotCheckGroup::NewlyAdded, population);
        let s = draw(&f, &w.policy, 2026, "seed-2026").unwrap();
        assert_eq!(s.households.len() as u64, expected, "population {population}");
        if population > 0 {
            assert_eq!(s.strata[0].sample_size, expected);
            assert_eq!(s.strata[0].population, population as u64);
        }
    }
    // Stratified: each township and each group gets its own count.
    let mut f = frame("520111101", SpotCheckGroup::NewlyAdded, 9);
    f.extend(frame("520111102", SpotCheckGroup::NewlyAdded, 100));
    f.extend(frame("520111102", SpotCheckGroup::Exited, 8));
    let s = draw(&f, &w.policy, 2026, "seed").unwrap();
    let sizes: Vec<(String, SpotCheckGroup, u64)> = s.strata.iter().map(|x| (x.township_code.clone(), x.group, x.sample_size)).collect();
    assert_eq!(
        sizes,
        vec![
            ("520111101".into(), SpotCheckGroup::NewlyAdded, 2),
            ("520111102".into(), SpotCheckGroup::NewlyAdded, 12),
            ("520111102".into(), SpotCheckGroup::Exited, 1)
        ]
    );
    assert_eq!(s.households.len(), 15);
    assert!(s.rounding_zh.contains("向上取整"));
}

#[test]
fn tekun_confirmations_are_drawn_at_their_own_rate_of_at_least_thirty_percent() {
    let w = World::new();
    for (population, expected) in [(1, 1), (7, 3), (10, 3), (11, 4), (100, 30)] {
        let f = frame("520111101", SpotCheckGroup::TekunConfirmed, population);
        let s = draw(&f, &w.policy, 2026, "seed-tekun").unwrap();
        assert_eq!(s.households.len() as u64, expected, "population {population}");
        assert_eq!(s.strata[0].rate, "3/10");
    }
    // A 特困 household newly added this year is in both groups: drawn by each at its own rate, visited once.
    let tekun = frame("520111101", SpotCheckGroup::TekunConfirmed, 3);
    let mut f = tekun.clone();
    f.extend(tekun.iter().map(|h| FrameHousehold { group: Some(SpotCheckGroup::NewlyAdded), ..h.clone() }));
    let s = draw(&f, &w.policy, 2026, "seed-both").unwrap();
    let rates: Vec<(SpotCheckGroup, String, u64)> = s.strata.iter().map(|x| (x.group, x.rate.clone(), x.sample_size)).collect();
    assert_eq!(rates, vec![(SpotCheckGroup::NewlyAdded, "3/25".into(), 1), (SpotCheckGroup::TekunConfirmed, "3/10".into(), 1)]);
    assert!(s.households.len() <= 2, "each household appears once whatever the number of groups that drew it");
    assert!(s.households.iter().all(|h| !h.reasons.is_empty()));
    // The general scope cannot claim the 特困 group: its rate would be the wrong one.
    let text =
        include_str!("../../data/policy-huaxi.toml").replace(r#"value = ["newly_added", "exited"]"#, r#"value = ["newly_added", "tekun_confirmed"]"#);
    let err = crate::policy::Policy::from_toml(&text).unwrap_err().to_string();
    assert!(err.contains("supervision.spot_check_scope.value[1]"), "{err}");
}

#[test]
fn the_same_seed_gives_the_same_sample_and_full_visit_cases_are_always_in() {
    let w = World::new();
    let mut f = frame("520111101", SpotCheckGroup::NewlyAdded, 100);
    let a = draw(&f, &w.policy, 2026, "3f9a").unwrap();
    let mut shuffled = f.clone();
    shuffled.reverse();
    assert_eq!(draw(&shuffled, &w.policy, 2026, "3f9a").unwrap().households, a.households, "order of the frame does not matter");
    assert_ne!(draw(&f, &w.policy, 2026, "other").unwrap().households, a.households);
    assert_eq!(w.refused_seed(&f), "seed_required");

    let near = FrameHousehold {
        household_id: Uuid::from_u128(1),
        township_code: "520111105".into(),
        group: None,
        triggers: vec![VisitTrigger::NearRelativeFiling],
        original_investigators: vec![],
        declarants: vec![],
    };
    let complained = FrameHousehold { household_id: Uuid::from_u128(2), triggers: vec![VisitTrigger::Complaint], ..near.clone() };
    // A household drawn at random that also has a complaint is listed once with both reasons.
    let drawn = a.households[0].household_id;
    if let Some(h) = f.iter_mut().find(|h| h.household_id == drawn) {
        h.triggers.push(VisitTrigger::Complaint);
    }
    f.push(near);
    f.push(complained);
    let s = draw(&f, &w.policy, 2026, "3f9a").unwrap();
    assert_eq!(s.households.len(), 14);
    for id in [Uuid::from_u128(1), Uuid::from_u128(2)] {
        assert!(s.households.iter().any(|h| h.household_id == id && matches!(h.reasons[0], SampleReason::FullVisit { .. })));
    }
    let both = s.households.iter().find(|h| h.household_id == drawn).unwrap();
    assert_eq!(both.reasons.len(), 2);
}

impl World {
    fn refused_seed(&self, f: &[FrameHousehold]) -> &'static str {
        draw(f, &self.policy, 2026, " ").unwrap_err().code
    }
}

#[test]
fn a_revisit_never_goes_to_the_original_investigators_or_a_declarant() {
    let w = World::new();
    let staff: Vec<Uuid> = (0..6).map(|i| Uuid::from_u128(1000 + i)).collect();
    let mut f = frame("520111101", SpotCheckGroup::Exited, 30);
    for (i, h) in f.iter_mut().enumerate() {
        h.original_investigators = vec![staff[i % 6], staff[(i + 1) % 6]];
        h.declarants = vec![staff[(i + 2) % 6]];
    }
    let s = draw(&f, &w.policy, 2026, "seed").unwrap();
    let visits = assign_revisits(&s, &f, &staff, &w.policy).unwrap();
    assert_eq!(visits.len(), s.households.len());
    for v in &visits {
        let h = f.iter().find(|h| h.household_id == v.household_id).unwrap();
        assert_eq!(v.investigators.len(), 2);
        assert!(v.investigators.iter().all(|u| !h.original_investigators.contains(u) && !h.declarants.contains(u)), "{v:?}");
    }
    assert_eq!(assign_revisits(&s, &f, &staff, &w.policy).unwrap(), visits, "reproducible");
    let e = assign_revisits(&s, &f, &staff[..3], &w.policy).unwrap_err();
    assert_eq!(e.code, "not_enough_revisitors");
}

#[test]
fn revisit_findings_are_compared_with_the_original() {
    let a = [("household_size".to_string(), serde_json::json!(3)), ("has_vehicle".to_string(), serde_json::json!(false))].into_iter().collect();
    let b = [("household_size".to_string(), serde_json::json!(3)), ("has_vehicle".to_string(), serde_json::json!(true))].into_iter().collect();
    let diff = sampler::compare_findings(&a, &b);
    assert_eq!(diff.len(), 1);
    assert_eq!(diff[0].key, "has_vehicle");
}

#[test]
fn a_review_visits_recommendation_becomes_a_prefilled_outcome_never_a_decision() {
    use serde_json::json;
    use std::collections::BTreeMap;

    use crate::workflow::{
        Decision, DecisionKind, ReviewOutcome,
        review::{ReviewRecommendation, proposal},
    };
    let mut s = CaseState::new(AssistanceType::Dibao, Area::Rural, d(2025, 3, 3));
    s.decisions.push(Decision {
        kind: DecisionKind::Approve,
        amount_fen: Some(138000),
        suggested_fen: Some(138000),
        override_reason: None,
        reasons: vec![],
        by: Uuid::nil(),
        on: d(2025, 3, 20),
        district: false,
        effective_month: Some("2025-04".into()),
    });
    let facts = |rec: &str, reason: Option<&str>| {
        let mut f: BTreeMap<String, serde_json::Value> = BTreeMap::new();
        f.insert("review.recommendation".into(), json!(rec));
        f.insert("review.cadence".into(), json!("half_yearly"));
        f.insert("household.size".into(), json!(3));
        f.insert("income.monthly_total_fen".into(), json!(90000));
        if let Some(r) = reason {
            f.insert("review.reason".into(), json!(r));
        }
        f
    };
    assert_eq!(proposal(&s, &facts("keep", None), Some(66000)), None, "only a case under review has a proposal");
    s.stage = Stage::UnderReview;

    let keep = proposal(&s, &facts("keep", None), Some(66000)).unwrap();
    assert_eq!((keep.outcome, keep.cadence, keep.current_fen), (Some(ReviewOutcome::Keep), ReviewCadence::Irregular, Some(138000)));

    // Income rose: (660 − 300) × 3 = ¥1,080 a month instead of ¥1,380.
    let lower = proposal(&s, &facts("decrease", Some("子女就业，收入增加")), Some(66000)).unwrap();
    assert_eq!(lower.recommendation, ReviewRecommendation::Decrease);
    assert_eq!(lower.outcome, Some(ReviewOutcome::Adjust { amount_fen: 108000, reason: "子女就业，收入增加".into() }));
    assert!(lower.note_zh.contains("重新计算补差"), "{}", lower.note_zh);

    let stop = proposal(&s, &facts("stop", Some("家庭人均收入已超过低保标准")), Some(66000)).unwrap();
    assert_eq!(stop.outcome, Some(ReviewOutcome::Stop { reasons: vec!["家庭人均收入已超过低保标准".into()] }));

    // No standard (特困 has no 补差): an adjustment is left for the reviewer to fill in.
    let tekun = proposal(&s, &facts("increase", Some("护理需求增加")), None).unwrap();
    assert_eq!((tekun.outcome, tekun.suggestion), (None, None));
    assert!(tekun.note_zh.contains("请填写调整后的金额"));
    assert_eq!(proposal(&s, &facts("maybe", None), Some(66000)), None, "an unknown recommendation proposes nothing");
}

#[test]
fn an_application_is_registered_by_whoever_received_it_and_accepted_only_by_the_township() {
    let w = World::new();
    let village = person("示范村协理员", &[Role::VillageAssistant]);
    let received =
        Application { assistance_type: AssistanceType::Dibao, area: Area::Rural, received_on: d(2026, 3, 2), channel: ApplicationChannel::Counter };
    // The village committee applies on the applicant's behalf (代为申请), recorded as such whatever the form said.
    let t = register(&received, &village, &w.ctx(d(2026, 3, 3))).unwrap();
    assert_eq!((t.to, t.state.channel, t.state.received_by), (Stage::Applied, ApplicationChannel::VillageOnBehalf, Some(village.user_id)));
    assert_eq!((t.state.applied_on, t.state.accepted_on), (d(2026, 3, 2), None));
    assert_eq!(t.responsible.duty, Duty::Register);
    let at_counter = register(&received, &w.clerk, &w.ctx(d(2026, 3, 2))).unwrap();
    assert_eq!(at_counter.state.channel, ApplicationChannel::Counter);
    // An investigator does not register; nobody registers an application received tomorrow.
    assert_eq!(register(&received, &w.inv1, &w.ctx(d(2026, 3, 2))).unwrap_err().code, "forbidden_role");
    assert_eq!(register(&received, &w.clerk, &w.ctx(d(2026, 3, 1))).unwrap_err().code, "invalid_date");

    // Acceptance is the township's act: neither the village assistant nor an investigator may accept.
    let s = t.state;
    assert_eq!(w.refused(&s, Action::Accept, &village, d(2026, 3, 3)).code, "forbidden_role");
    assert_eq!(w.refused(&s, Action::Accept, &w.inv1, d(2026, 3, 3)).code, "forbidden_role");
    // Everything missing at once (一次性告知), then accepted when the materials arrive: the clocks start then.
    let missing = w.ok(&s, Action::NoticeMissing { items: vec!["户籍证明".into(), "家庭经济状况书面声明".into()] }, &w.clerk, d(2026, 3, 3));
    assert_eq!((missing.stage, missing.missing_items.len()), (Stage::MaterialsMissing, 2));
    assert!(w.steps(&missing).is_empty(), "no clock runs before acceptance");
    let accepted = w.ok(&missing, Action::Accept, &w.clerk, d(2026, 3, 9));
    assert_eq!((accepted.stage, accepted.accepted_on), (Stage::Accepted, Some(d(2026, 3, 9))));
    assert!(has_step(&w.steps(&accepted), "investigation_start", d(2026, 3, 12)), "{:?}", w.steps(&accepted));
}

#[test]
fn assigning_a_visit_starts_the_investigation_and_a_later_pair_joins_it() {
    let w = World::new();
    let lead = person("调查组长", &[Role::VisitSupervisor]);
    let s = CaseState::new(AssistanceType::Dibao, Area::Rural, d(2026, 3, 2));
    assert_eq!(
        w.refused(&s, Action::AssignVisit { investigators: w.team() }, &lead, d(2026, 3, 2)).code,
        "illegal_transition",
        "not before acceptance"
    );
    let s = w.ok(&s, Action::Accept, &w.clerk, d(2026, 3, 2));
    assert_eq!(w.refused(&s, Action::AssignVisit { investigators: w.team() }, &w.clerk, d(2026, 3, 2)).code, "forbidden_role");
    let s = w.ok(&s, Action::AssignVisit { investigators: w.team() }, &lead, d(2026, 3, 3));
    assert_eq!((s.stage, s.investigation_started_on), (Stage::Investigating, Some(d(2026, 3, 3))));
    let third = person("调查员三", &[Role::Investigator]);
    let s = w.ok(&s, Action::AssignVisit { investigators: vec![w.inv1.user_id, third.user_id] }, &lead, d(2026, 3, 4));
    assert_eq!(s.stage, Stage::Investigating);
    assert!(s.has_done(third.user_id, Duty::Investigate) && s.has_done(w.inv2.user_id, Duty::Investigate));
    assert_eq!(w.refused(&s, Action::AssignVisit { investigators: vec![third.user_id] }, &lead, d(2026, 3, 4)).code, "too_few_investigators");
}

#[test]
fn whoever_investigated_a_case_or_its_review_decides_nothing_about_who_is_paid_what() {
    let w = World::new();
    // A reviewer who also went on the visit.
    let visiting = person("兼任调查的审核员", &[Role::TownshipReviewer, Role::Investigator]);
    let team = vec![visiting.user_id, w.inv2.user_id];
    let accepted = w.ok(&CaseState::new(AssistanceType::Dibao, Area::Rural, d(2026, 3, 2)), Action::Accept, &w.clerk, d(2026, 3, 2));
    let s = w.ok(&accepted, Action::StartInvestigation { investigators: team.clone() }, &w.clerk, d(2026, 3, 2));
    let s = w.ok(&s, Action::RecordHomeVisit { investigators: team.clone(), visited_on: d(2026, 3, 2), family_signed: true }, &w.inv2, d(2026, 3, 2));
    let s = w.ok(&s, Action::RecordNeighbourVisit { summary: "邻居反映家庭确实困难".into() }, &w.inv2, d(2026, 3, 2));
    let s = w.ok(&s, Action::RequestInformationCheck, &w.clerk, d(2026, 3, 2));
    let s = w.ok(&s, Action::RecordInformationCheck { summary: "未发现车辆、房产".into() }, &w.clerk, d(2026, 3, 2));
    let (s, closed) = w.published(&s, Some(50_000), d(2026, 3, 3));
    assert_eq!(
        w.refused(&s, Action::Confirm { amount_fen: Some(50_000), suggested_fen: None, override_reason: None }, &visiting, closed).code,
        "investigator_cannot_decide"
    );
    let s = w.ok(&s, Action::Confirm { amount_fen: Some(50_000), suggested_fen: None, override_reason: None }, &w.reviewer, closed);
    let s = w.ok(&s, Action::IssueNotice, &w.clerk, closed);
    // The periodic review's outcome (keep / adjust / stop).
    let s = w.ok(&s, Action::StartReview, &w.clerk, d(2026, 9, 1));
    let outcome = Action::RecordReviewOutcome { outcome: ReviewOutcome::Keep, cadence: ReviewCadence::Stable };
    assert_eq!(w.refused(&s, outcome.clone(), &visiting, d(2026, 9, 2)).code, "investigator_cannot_decide");
    // Investigating the review alone also rules a person out.
    let lead = person("调查组长", &[Role::VisitSupervisor]);
    let review_visitor = person("核查员", &[Role::TownshipReviewer, Role::Investigator]);
    let reviewed = w.ok(&s, Action::AssignVisit { investigators: vec![review_visitor.user_id, w.inv1.user_id] }, &lead, d(2026, 9, 2));
    assert_eq!(w.refused(&reviewed, outcome.clone(), &review_visitor, d(2026, 9, 3)).code, "investigator_cannot_decide");
    w.ok(&reviewed, outcome, &w.reviewer, d(2026, 9, 3));

    // 临时救助 先行救助: the one-off amount.
    let linshi = w.ok(&CaseState::new(AssistanceType::Linshi, Area::Rural, d(2026, 3, 2)), Action::Accept, &w.clerk, d(2026, 3, 2));
    let linshi = w.ok(&linshi, Action::StartInvestigation { investigators: team.clone() }, &w.clerk, d(2026, 3, 2));
    let aid = Action::GrantEmergencyAid { amount_fen: 100_000, reason: "突发重病".into() };
    assert_eq!(w.refused(&linshi, aid, &visiting, d(2026, 3, 3)).code, "investigator_cannot_decide");

    // Every rule names its source.
    for rule in duties::SEPARATION_RULES {
        assert!(!rule.source.is_empty(), "{rule:?}");
    }
    for rule in duties::STAGE_ROLES {
        assert!(!rule.source.is_empty() && !rule.roles.is_empty(), "{rule:?}");
    }
}

#[test]
fn a_case_s_history_reads_alike_for_actions_and_events() {
    assert_eq!(case_event_label("wf.accept"), "受理申请");
    assert_eq!(case_event_label("wf.register_application"), "登记申请");
    assert_eq!(case_event_label("case_created"), "登记申请", "logs from before applications were registered");
    assert_eq!(case_event_label("visit_merged"), "入户调查结果并入案件");
    assert_eq!(case_event_label("something_else"), "其他");
}
