//! Actions on a case: one transaction loads the state, applies the core rules, stores the new state, appends the
//! case step, writes the projections and the audit event. A refused action writes nothing but (for scope) the
//! refusal audit.

use std::collections::BTreeMap;

use axum::{Json, extract::State};
use chrono::Datelike;
use ruhu_core::{
    assistance::AssistanceType,
    eligibility::{self, Advice},
    policy::Policy,
    protocol::{PrecheckPolicy, Problem},
    workflow::{
        Action, Actor, CaseState, Ctx, Event, Stage, Transition, amount,
        deadlines::{OpenStep, UndatedStep, district_visit_owed, open_steps},
        relatives::{self, RelativeMatch},
        review::{self, ReviewProposal},
    },
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{api_error, case_state};
use crate::{
    access::caller::Caller,
    app::state::AppState,
    records::calendar,
    records::cases::{self, CaseRow},
    store::audit,
    store::db::{Tx, flag, to_json, ts},
    store::error::{ApiError, ApiJson, ApiPath, ApiResult},
};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActionResult {
    pub case_id: Uuid,
    pub stage: Stage,
    pub stage_label: String,
    pub transition: Transition,
    /// Open steps with a due date, earliest first (a provisional one is marked).
    pub open_steps: Vec<OpenStep>,
    /// Open steps whose due date cannot be given yet, with the reason (a holiday schedule not loaded and the server
    /// set to refuse provisional dates).
    pub undated_steps: Vec<UndatedStep>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkflowView {
    pub case_id: Uuid,
    pub case_no: String,
    pub stage: Stage,
    pub stage_label: String,
    pub state: CaseState,
    pub open_steps: Vec<OpenStep>,
    pub undated_steps: Vec<UndatedStep>,
    /// The district still owes the household a 100 % visit (near relative or complaint).
    pub district_visit_outstanding: bool,
    /// Declared near relatives among the co-resident members (IDs masked); the declarants must stay out of the case.
    pub near_relatives: Vec<RelativeMatch>,
    /// The 补差 suggestion from the visit's facts (低保), when the facts and the year's standard allow one.
    pub gap_suggestion: Option<amount::GapSuggestion>,
    /// 低保 / 低保边缘 / 特困: the eligibility pre-check from the visit's facts (advice for the reviewer, never the
    /// decision): `kind` (`dibao` or `tekun`), outcome, for 低保 the per-capita income and 补差, and each finding with
    /// its inputs and a zh-CN explanation.
    #[schema(value_type = Option<Object>)]
    pub eligibility: Option<Advice>,
    /// While the application waits for acceptance: the materials an applicant hands in, to list what is missing at
    /// once (一次性告知).
    pub application_materials: Vec<String>,
    /// Under periodic review, once the review visit has merged: its recommendation as the outcome to record,
    /// pre-filled (keep; adjust to the recomputed 补差; stop with the visit's reason). The reviewer decides.
    pub review_proposal: Option<ReviewProposal>,
}

async fn load_case(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<CaseRow> {
    let mut conn = state.db.pool.acquire().await?;
    let case = cases::load(&mut conn, id).await?.ok_or_else(|| ApiError::not_found("案件"))?;
    drop(conn);
    caller.guard(state, "case", &id.to_string(), &case.org_path).await?;
    Ok(case)
}

/// The case's facts as plain values (what the suggestion and the pre-check read).
async fn plain_facts(conn: &mut sqlx::AnyConnection, case: &CaseRow) -> ApiResult<BTreeMap<String, Value>> {
    Ok(cases::facts(conn, case.id).await?.into_iter().map(|(k, f)| (k, f.value)).collect())
}

fn suggestion(facts: &BTreeMap<String, Value>, policy: &Policy, case: &CaseRow, s: &CaseState, year: i32) -> Option<amount::GapSuggestion> {
    if case.assistance_type != AssistanceType::Dibao {
        return None;
    }
    let (income, size) = amount::income_from_facts(facts)?;
    let standard = policy.local_standard(year).ok()?;
    amount::gap_suggestion(standard.dibao_monthly_fen(s.area), income, size)
}

/// The pre-check of a 低保, 低保边缘 or 特困 case from its facts and the year's policy figures (the same figures the
/// phone gets with the assignment).
fn advice(facts: &BTreeMap<String, Value>, state: &AppState, case: &CaseRow, year: i32) -> Option<Advice> {
    let figures = PrecheckPolicy::for_case(&state.policy, case.assistance_type, facts, year)?;
    eligibility::precheck(case.assistance_type, facts, &figures)
}

/// Applies `action` to the case for `caller`, stores everything in one transaction, and returns the result.
pub async fn run_action(state: &AppState, caller: &Caller, case: CaseRow, action: Action, reporter_name: Option<String>) -> ApiResult<ActionResult> {
    let calendar = calendar::work_calendar(state).await.map_err(ApiError::from)?;
    let mut tx = state.db.begin().await?;
    let out = apply_in(&mut tx, state, &calendar, caller, &case, action, reporter_name).await?;
    tx.commit().await?;
    Ok(out)
}

/// Who takes an action: the signed-in person, or, for a step the server records when a visit merges, the person
/// accountable for that visit (with no device).
pub struct Acting {
    pub actor: Actor,
    pub device_id: Option<String>,
}

impl Acting {
    pub fn of(caller: &Caller) -> Self {
        Self {
            actor: Actor { user_id: caller.user_id, name: caller.display_name.clone(), roles: caller.roles.clone() },
            device_id: Some(caller.device_id.to_string()),
        }
    }

    /// A user acting through something they sent earlier (a pushed visit), from `device_id` if known.
    pub async fn user(conn: &mut sqlx::AnyConnection, user_id: Uuid, device_id: Option<String>) -> ApiResult<Self> {
        let u = crate::access::users::user_info(conn, user_id).await?;
        Ok(Self { actor: Actor { user_id, name: u.display_name, roles: u.roles }, device_id })
    }

    pub fn audit(&self, action: &str, case: &CaseRow) -> audit::AuditEntry {
        let mut entry = audit::AuditEntry::system(action, "case", case.id, Some(&case.org_path));
        entry.actor_user_id = Some(self.actor.user_id);
        entry.device_id = self.device_id.clone();
        entry
    }
}

/// Applies `action` inside `tx` (the caller commits): for endpoints that take a workflow step together with other
/// writes (a periodic-review assignment starts the review).
pub async fn apply_in(
    tx: &mut Tx,
    state: &AppState,
    calendar: &ruhu_core::calendar::WorkCalendar,
    caller: &Caller,
    case: &CaseRow,
    action: Action,
    reporter_name: Option<String>,
) -> ApiResult<ActionResult> {
    apply_as(tx, &state.policy, calendar, &Acting::of(caller), case, action, reporter_name).await
}

/// `apply_in` for whoever `acting` is.
pub async fn apply_as(
    tx: &mut Tx,
    policy: &Policy,
    calendar: &ruhu_core::calendar::WorkCalendar,
    acting: &Acting,
    case: &CaseRow,
    action: Action,
    reporter_name: Option<String>,
) -> ApiResult<ActionResult> {
    apply_with(tx, policy, calendar, acting, case, action, reporter_name, Value::Null).await
}

/// `apply_as`, with `about` (what the step concerns: an assignment, a submission) kept in the case step's detail.
#[allow(clippy::too_many_arguments)]
pub async fn apply_with(
    tx: &mut Tx,
    policy: &Policy,
    calendar: &ruhu_core::calendar::WorkCalendar,
    acting: &Acting,
    case: &CaseRow,
    mut action: Action,
    reporter_name: Option<String>,
    about: Value,
) -> ApiResult<ActionResult> {
    let today = tx.today();
    let (current, version) = case_state::load_state(tx.conn(), case).await?;
    let matches = case_state::relative_matches(tx.conn(), case.household_id, policy).await?;
    let declarants = relatives::declarants(&matches);
    // The suggestion is the server's, never the client's.
    if let Action::Confirm { suggested_fen, .. } = &mut action {
        let facts = plain_facts(tx.conn(), case).await?;
        *suggested_fen = suggestion(&facts, policy, case, &current, today.year()).map(|g| g.suggested_fen);
    }
    if let Action::StartInvestigation { investigators } | Action::AssignVisit { investigators } | Action::RecordHomeVisit { investigators, .. } =
        &action
    {
        check_investigators(tx.conn(), investigators).await?;
    }
    let ctx = Ctx { policy, calendar, today, near_relative_declarants: &declarants };
    let t = ruhu_core::workflow::apply(&current, &action, &acting.actor, &ctx).map_err(api_error)?;
    let steps = open_steps(&t.state, policy, calendar);
    let next_due = steps.first_due().map(|d| d.to_string());

    let done = sqlx::query(
        "UPDATE cases SET workflow = $1, workflow_version = workflow_version + 1, step = $2, next_due_date = $3, updated_at = $4 \
         WHERE id = $5 AND workflow_version = $6",
    )
    .bind(to_json(&t.state))
    .bind(t.to.as_str())
    .bind(next_due)
    .bind(ts(tx.now()))
    .bind(case.id.to_string())
    .bind(version)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(ApiError::new(axum::http::StatusCode::CONFLICT, "conflict", "案件已被他人同时办理，请刷新后重试"));
    }
    let detail = json!({
        "action": t.action,
        "from": t.from,
        "to": t.to,
        "responsible": t.responsible,
        "events": t.events,
        "input": action,
        "about": about,
    });
    let due = steps.first_due();
    cases::add_step(tx, case.id, &format!("wf.{}", t.action.as_str()), Some(acting.actor.user_id), due, detail.clone()).await?;
    project(tx, case, &t, &action, reporter_name).await?;
    crate::records::assignments::resend_open(tx, case.id).await?;
    let entry = acting.audit(&format!("case.{}", t.action.as_str()), case).with_detail(json!({
        "from": t.from, "to": t.to, "responsible": t.responsible, "events": t.events,
    }));
    audit::record(tx, entry).await?;
    Ok(ActionResult {
        case_id: case.id,
        stage: t.to,
        stage_label: t.to.label_zh().into(),
        transition: t,
        open_steps: steps.dated,
        undated_steps: steps.undated,
    })
}

/// Named investigators must be enabled users with an investigating role.
async fn check_investigators(conn: &mut sqlx::AnyConnection, ids: &[Uuid]) -> ApiResult<()> {
    for id in ids {
        let row = sqlx::query("SELECT display_name, enabled FROM users WHERE id = $1").bind(id.to_string()).fetch_optional(&mut *conn).await?;
        let Some(row) = row else {
            return Err(ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "unknown_user", "所选调查人员不存在").with_field("investigators"));
        };
        let name: String = sqlx::Row::try_get(&row, "display_name")?;
        let enabled: i64 = sqlx::Row::try_get(&row, "enabled")?;
        if enabled == 0 || !crate::access::users::roles_of(conn, *id).await?.iter().any(|r| r.may_investigate()) {
            return Err(ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "not_investigator",
                format!("{name}不具有入户调查的角色或账号已停用"),
            )
            .with_field("investigators"));
        }
    }
    Ok(())
}

/// Keeps the filings, escalations and complaints tables in step with the transition.
async fn project(tx: &mut Tx, case: &CaseRow, t: &Transition, action: &Action, reporter_name: Option<String>) -> ApiResult<()> {
    let now = ts(tx.now());
    let s = &t.state;
    for e in &t.events {
        if let Event::FilingDue { kind } = e
            && let Some(p) = &s.pending_filing
        {
            sqlx::query("INSERT INTO filings (id, case_id, kind, decided_by, decided_on, org_path, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(Uuid::new_v4().to_string())
                .bind(case.id.to_string())
                .bind(serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default())
                .bind(p.decided_by.to_string())
                .bind(p.decided_on.to_string())
                .bind(&case.org_path)
                .bind(&now)
                .execute(tx.conn())
                .await?;
        }
    }
    match action {
        Action::RecordFiling { .. } => {
            if let Some(f) = s.filings.last() {
                sqlx::query("UPDATE filings SET filed_by = $1, filed_on = $2, remarks = $3 WHERE case_id = $4 AND filed_on IS NULL")
                    .bind(f.filed_by.to_string())
                    .bind(f.filed_on.to_string())
                    .bind(f.remarks.clone())
                    .bind(case.id.to_string())
                    .execute(tx.conn())
                    .await?;
            }
        }
        Action::DecideEscalation { .. } => {
            if let Some(e) = s.escalations.last() {
                sqlx::query("UPDATE escalations SET decided_by = $1, decided_on = $2, decision = $3 WHERE case_id = $4 AND decided_on IS NULL")
                    .bind(e.decided_by.map(|u| u.to_string()))
                    .bind(e.decided_on.map(|d| d.to_string()))
                    .bind(e.decision_zh.clone())
                    .bind(case.id.to_string())
                    .execute(tx.conn())
                    .await?;
            }
        }
        Action::RecordComplaint { .. } => {
            if let Some(c) = s.complaints.last() {
                sqlx::query(
                    "INSERT INTO complaints (id, case_id, seq, received_on, real_name, reporter_name, summary, recorded_by, org_path, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(Uuid::new_v4().to_string())
                .bind(case.id.to_string())
                .bind((s.complaints.len() - 1) as i64)
                .bind(c.received_on.to_string())
                .bind(flag(c.real_name))
                .bind(reporter_name)
                .bind(&c.summary)
                .bind(c.recorded_by.to_string())
                .bind(&case.org_path)
                .bind(&now)
                .execute(tx.conn())
                .await?;
            }
        }
        Action::GiveComplaintFeedback { complaint, .. } => {
            sqlx::query("UPDATE complaints SET feedback_on = $1 WHERE case_id = $2 AND seq = $3")
                .bind(t.on.to_string())
                .bind(case.id.to_string())
                .bind(*complaint as i64)
                .execute(tx.conn())
                .await?;
        }
        _ => {}
    }
    if t.to == Stage::Escalated
        && t.from != Stage::Escalated
        && let Some(e) = &s.escalation
    {
        sqlx::query("INSERT INTO escalations (id, case_id, reason, automatic, raised_by, raised_on, org_path) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(Uuid::new_v4().to_string())
            .bind(case.id.to_string())
            .bind(&e.reason)
            .bind(flag(e.automatic))
            .bind(e.raised_by.to_string())
            .bind(e.raised_on.to_string())
            .bind(&case.org_path)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", tag = "workflow", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "case id")), request_body = Action,
    description = "Takes one step of the procedure (受理, 调查, 初审, 公示, 确认, 告知, 备案, 提级复核, 定期核查 …). The acting \
        user is recorded as the responsible person. Refused actions change nothing.",
    responses((status = 200, body = ActionResult),
              (status = 403, body = Problem, description = "forbidden_role, near_relative_conflict, investigator_cannot_decide, confirmer_cannot_supervise, out_of_scope"),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "illegal_transition, publicity_not_over, nothing_to_file, already_done, conflict"),
              (status = 422, body = Problem, description = "reason_required, invalid_amount, override_reason_required, too_few_investigators, near_relative_investigator, investigation_incomplete, calendar_year_not_covered, local_standard_missing")))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(action): ApiJson<Action>,
) -> ApiResult<Json<ActionResult>> {
    let case = load_case(&state, &caller, id).await?;
    Ok(Json(run_action(&state, &caller, case, action, None).await?))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/workflow", tag = "workflow", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "case id")),
    description = "The case's workflow state: stage, who did what, decisions, filings, escalations, complaints, open steps with due dates.",
    responses((status = 200, body = WorkflowView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn view(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<WorkflowView>> {
    let case = load_case(&state, &caller, id).await?;
    let calendar = calendar::work_calendar(&state).await.map_err(ApiError::from)?;
    let mut conn = state.db.pool.acquire().await?;
    let (s, _) = case_state::load_state(&mut conn, &case).await?;
    let near_relatives = case_state::relative_matches(&mut conn, case.household_id, &state.policy).await?;
    let recorded = cases::facts(&mut conn, case.id).await?;
    let facts: BTreeMap<String, Value> = recorded.iter().map(|(k, f)| (k.clone(), f.value.clone())).collect();
    let gap_suggestion = suggestion(&facts, &state.policy, &case, &s, state.db.today().year());
    let review_proposal = match recorded.get(review::RECOMMENDATION_FACT).and_then(|f| f.source_submission) {
        Some(source) if case_state::from_current_review(&mut conn, source, &s).await? => {
            let standard = (case.assistance_type == AssistanceType::Dibao)
                .then(|| state.policy.local_standard(state.db.today().year()).ok().map(|l| l.dibao_monthly_fen(s.area)))
                .flatten();
            review::proposal(&s, &facts, standard)
        }
        _ => None,
    };
    let eligibility = advice(&facts, &state, &case, state.db.today().year());
    let steps = open_steps(&s, &state.policy, &calendar);
    let s_stage = s.stage;
    Ok(Json(WorkflowView {
        case_id: case.id,
        case_no: case.case_no,
        stage: s.stage,
        stage_label: s.stage.label_zh().into(),
        district_visit_outstanding: district_visit_owed(&s, &state.policy, !near_relatives.is_empty()),
        state: s,
        application_materials: if matches!(s_stage, Stage::Applied | Stage::MaterialsMissing) {
            ruhu_core::workflow::materials::APPLICATION_MATERIALS.iter().map(|m| (*m).to_string()).collect()
        } else {
            Vec::new()
        },
        open_steps: steps.dated,
        undated_steps: steps.undated,
        near_relatives,
        gap_suggestion,
        eligibility,
        review_proposal,
    }))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewComplaint {
    /// Default: today.
    pub received_on: Option<chrono::NaiveDate>,
    /// A real-name reporter gets feedback on the result (57号 第三十七条).
    pub real_name: bool,
    pub reporter_name: Option<String>,
    pub summary: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/complaints", tag = "workflow", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "case id")), request_body = NewComplaint,
    description = "Records a complaint or report (举报、反映) against a case: the household gets a 100 % district visit; a real-name \
        reporter is owed feedback.",
    responses((status = 200, body = ActionResult), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn complain(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<NewComplaint>,
) -> ApiResult<Json<ActionResult>> {
    let case = load_case(&state, &caller, id).await?;
    let reporter = req.reporter_name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if req.real_name && reporter.is_none() {
        return Err(ApiError::invalid_field("reporter_name", "实名举报请填写举报人姓名"));
    }
    let action =
        Action::RecordComplaint { received_on: req.received_on.unwrap_or_else(|| state.db.today()), real_name: req.real_name, summary: req.summary };
    Ok(Json(run_action(&state, &caller, case, action, reporter).await?))
}
