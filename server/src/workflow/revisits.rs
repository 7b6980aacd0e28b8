//! District re-visits from a spot-check run (抽查复核入户): for each sampled household, one assignment with the newest
//! published `revisit` form to the team the run planned (district staff who neither investigated the household nor
//! declared a relative in it). The team is checked again when the assignments are made, as investigators may have
//! joined the case since the draw.

use axum::{Json, extract::State, http::StatusCode};
use chrono::NaiveDate;
use ruhu_core::{
    form::{FormDefinition, FormPurpose},
    org::OrgLevel,
    protocol::Problem,
    roles::Role,
    time::china_day,
    workflow::{Action, Actor, deadlines, relatives::declarants},
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::{
    actions::{self, Acting},
    case_state,
};
use crate::{
    access::caller::Caller,
    access::users,
    app::state::AppState,
    records::assignments,
    records::cases::{self, CaseRow},
    records::submissions::StoredSubmission,
    store::audit,
    store::db::{Tx, parse_json, parse_uuid},
    store::error::{ApiError, ApiJson, ApiPath, ApiResult},
};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewRevisits {
    pub due_date: NaiveDate,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RevisitAssigned {
    pub household_id: Uuid,
    pub case_id: Uuid,
    pub case_no: String,
    pub assignment_id: Uuid,
    pub investigators: Vec<Uuid>,
}

fn conflict(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, code, message)
}

/// Everyone who investigated the case (named in the workflow or ever on one of its own visit assignments).
pub async fn original_investigators(conn: &mut AnyConnection, case: &CaseRow) -> ApiResult<Vec<Uuid>> {
    let (s, _) = case_state::load_state(conn, case).await?;
    let mut out = s.investigators.clone();
    let rows = sqlx::query(
        "SELECT h.user_id FROM assignment_history h JOIN assignments a ON a.id = h.assignment_id WHERE a.case_id = $1 AND a.purpose <> 'revisit'",
    )
    .bind(case.id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let u = parse_uuid(&r.try_get::<String, _>("user_id")?)?;
        if !out.contains(&u) {
            out.push(u);
        }
    }
    Ok(out)
}

/// The household's newest case (the one the sample drew it for).
async fn case_of_household(conn: &mut AnyConnection, household_id: Uuid) -> ApiResult<Option<CaseRow>> {
    let row = sqlx::query("SELECT id FROM cases WHERE household_id = $1 ORDER BY created_at DESC, id LIMIT 1")
        .bind(household_id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => Ok(cases::load(conn, parse_uuid(&r.try_get::<String, _>("id")?)?).await?),
        None => Ok(None),
    }
}

#[utoipa::path(post, path = "/api/v1/spot-checks/{id}/revisits", tag = "workflow", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "spot-check run id")), request_body = NewRevisits,
    description = "District supervisors: creates the run's re-visit assignments (newest published district-revisit form), one per \
        sampled household, to the planned district teams. Never an original investigator of the case nor a declared near relative; \
        all or nothing.",
    responses((status = 201, body = Vec<RevisitAssigned>),
              (status = 403, body = Problem, description = "forbidden_role, out_of_scope"),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "revisit_teams_missing, revisits_already_assigned, revisitor_was_investigator, assignment_exists"),
              (status = 422, body = Problem, description = "revisitor_not_district, near_relative_investigator, invalid_due_date, unknown_form")))]
pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<NewRevisits>,
) -> ApiResult<(StatusCode, Json<Vec<RevisitAssigned>>)> {
    caller.require(|r| r == Role::DistrictSupervisor)?;
    if caller.org_level != OrgLevel::District {
        return Err(ApiError::forbidden_role());
    }
    let mut conn = state.db.pool.acquire().await?;
    let run = sqlx::query("SELECT org_path, revisit_error FROM spot_check_runs WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| ApiError::not_found("抽查复核记录"))?;
    let org_path: String = run.try_get("org_path")?;
    let revisit_error: Option<String> = run.try_get("revisit_error")?;
    drop(conn);
    caller.guard(&state, "spot_check_run", &id.to_string(), &org_path).await?;
    if let Some(e) = revisit_error {
        return Err(conflict("revisit_teams_missing", format!("本次抽查未能安排复核人员：{e}")));
    }

    let calendar = crate::records::calendar::work_calendar(&state).await.map_err(ApiError::from)?;
    let mut tx = state.db.begin().await?;
    let rows = sqlx::query(
        "SELECT household_id, revisitors, revisit_assignment FROM spot_check_samples WHERE run_id = $1 ORDER BY township_code, household_id",
    )
    .bind(id.to_string())
    .fetch_all(tx.conn())
    .await?;
    if rows.iter().any(|r| r.try_get::<Option<String>, _>("revisit_assignment").ok().flatten().is_some()) {
        return Err(conflict("revisits_already_assigned", "本次抽查的复核入户已经安排，不能重复安排"));
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let household_id = parse_uuid(&r.try_get::<String, _>("household_id")?)?;
        let team: Vec<Uuid> = match r.try_get::<Option<String>, _>("revisitors")? {
            Some(j) => parse_json(&j)?,
            None => return Err(conflict("revisit_teams_missing", "本次抽查有家庭未安排复核人员，请重新抽查")),
        };
        let case = case_of_household(tx.conn(), household_id).await?.ok_or_else(|| ApiError::not_found("被抽查家庭的案件"))?;
        let originals = original_investigators(tx.conn(), &case).await?;
        let related = declarants(&case_state::relative_matches(tx.conn(), case.household_id, &state.policy).await?);
        if team.iter().any(|u| originals.contains(u) || related.contains(u)) {
            return Err(conflict(
                "revisitor_was_investigator",
                format!("案件{}的复核人员中有原调查人员或申报了近亲属关系的人员，须回避；请重新抽查以安排复核人员", case.case_no),
            ));
        }
        let new = super::assign::NewAssignment {
            case_id: case.id,
            investigator_ids: team.clone(),
            due_date: req.due_date,
            form_id: None,
            form_version: None,
        };
        let assignment_id =
            super::assign::insert_for(&mut tx, &state.policy, &calendar, &case, &new, &Acting::of(&caller), FormPurpose::Revisit).await?;
        sqlx::query("UPDATE spot_check_samples SET revisit_assignment = $1 WHERE run_id = $2 AND household_id = $3")
            .bind(assignment_id.to_string())
            .bind(id.to_string())
            .bind(household_id.to_string())
            .execute(tx.conn())
            .await?;
        let entry = caller.audit("assignment.create", "assignment", assignment_id, Some(&case.org_path)).with_detail(json!({
            "case_id": case.id, "purpose": FormPurpose::Revisit, "spot_check_run": id, "investigators": team, "due_date": req.due_date,
        }));
        audit::record(&mut tx, entry).await?;
        out.push(RevisitAssigned { household_id, case_id: case.id, case_no: case.case_no.clone(), assignment_id, investigators: team });
    }
    let entry = caller
        .audit("spot_check.revisits", "spot_check_run", id, Some(&org_path))
        .with_detail(json!({ "assignments": out.len(), "due_date": req.due_date }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// A merged re-visit of a household the district must visit in full (a declared near relative, a complaint) is that
/// visit: the workflow records it (`record_district_visit`) in the name of the district supervisor who assigned the
/// re-visit (谁抽查谁负责), naming the re-visitors and their conclusion. When the rules refuse it (the supervisor has
/// since declared a relative in the household, say), the merge goes on and the visit stays outstanding for a person
/// to record: an accepted visit is never held back by a bookkeeping step.
pub async fn record_district_visit(
    tx: &mut Tx,
    state: &AppState,
    case: &CaseRow,
    s: &StoredSubmission,
    form: &FormDefinition,
    facts: &[(String, serde_json::Value)],
) -> ApiResult<()> {
    let policy = &state.policy;
    let (current, _) = case_state::load_state(tx.conn(), case).await?;
    let related = declarants(&case_state::relative_matches(tx.conn(), case.household_id, policy).await?);
    if !deadlines::district_visit_owed(&current, policy, !related.is_empty()) {
        return Ok(());
    }
    let Some(assignment) = assignments::load(tx.conn(), s.assignment_id).await? else { return Ok(()) };
    let supervisor = users::user_info(tx.conn(), assignment.assigned_by).await?;
    let mut names = Vec::new();
    for u in &s.investigators {
        names.push(users::person(tx.conn(), *u).await?.display_name);
    }
    let conclusion = answer_label(form, "revisit.conclusion", facts).map(|c| format!("，复核结论：{c}")).unwrap_or_default();
    let finding = format!("区级抽查复核入户（{}）已完成并同步{conclusion}", names.join("、"));
    let action = Action::RecordDistrictVisit { visited_on: china_day(s.body.finalized_at), finding };
    let acting = Acting { actor: Actor { user_id: supervisor.id, name: supervisor.display_name, roles: supervisor.roles }, device_id: None };
    let calendar = crate::records::calendar::work_calendar_on(tx.conn(), state.config.unloaded_years).await.map_err(ApiError::from)?;
    match actions::apply_as(tx, policy, &calendar, &acting, case, action, None).await {
        Ok(_) => Ok(()),
        Err(e) if e.status.is_client_error() => {
            tracing::warn!(case = %case.id, code = e.code, "a merged re-visit could not record the district's 100 % visit");
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// The label of the answer the form records as the fact `key` (a choice's label, or the plain value).
fn answer_label(form: &FormDefinition, key: &str, facts: &[(String, serde_json::Value)]) -> Option<String> {
    let value = facts.iter().find(|(k, _)| k == key)?.1.as_str()?;
    let question = form.questions.iter().find(|q| q.fact.as_deref() == Some(key));
    let label = question.and_then(|q| q.choices.iter().find(|c| c.value == value)).map(|c| c.label.clone());
    Some(label.unwrap_or_else(|| value.to_string()))
}
