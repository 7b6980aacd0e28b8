//! The texts of a case's notices: the publicity notice (only name, household size and amount, ID masked — 57号
//! 第二十四条), the refusal notice and the adjustment / stop notice, each with its reasons. Printing and archives
//! come in their own issue; these are the records and texts.

use axum::{Json, extract::State};
use ruhu_core::{
    policy::DeadlineStep,
    protocol::Problem,
    workflow::{
        DecisionKind, Recommendation, Stage,
        notice::{PublicityEntry, PublicityNotice, publicity_notice, refusal_notice_text, stop_notice_text},
    },
};
use serde::Serialize;
use uuid::Uuid;

use super::case_state;
use crate::{
    access::caller::Caller,
    access::org,
    app::state::AppState,
    records::calendar,
    records::cases,
    records::households,
    store::error::{ApiError, ApiPath, ApiResult},
};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseNotices {
    pub case_id: Uuid,
    /// While the initial opinion (or a proposed 特困 termination) is published.
    pub publicity: Option<PublicityNotice>,
    /// 不予确认告知书, once refused.
    pub refusal_text: Option<String>,
    /// 调整/停发告知书, once adjusted or stopped.
    pub adjustment_or_stop_text: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/notices", tag = "workflow", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "case id")),
    description = "The publicity notice (name, household size, amount; ID masked) and the refusal or adjustment/stop notice texts with reasons.",
    responses((status = 200, body = CaseNotices), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn notices(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<CaseNotices>> {
    let mut conn = state.db.pool.acquire().await?;
    let case = cases::load(&mut conn, id).await?.ok_or_else(|| ApiError::not_found("案件"))?;
    drop(conn);
    caller.guard(&state, "case", &id.to_string(), &case.org_path).await?;
    let calendar = calendar::work_calendar(&state).await.map_err(ApiError::from)?;
    let mut conn = state.db.pool.acquire().await?;
    let (s, _) = case_state::load_state(&mut conn, &case).await?;
    let household = households::load(&mut conn, case.household_id).await?.ok_or_else(ApiError::internal)?;
    let head = household.members.first();
    let place = org::describe_path(&mut conn, &household.org_path).await?;
    let township = org::get(&mut conn, &case.township_code).await?.map(|u| u.name).unwrap_or_default();
    let authority = format!("{township}人民政府");
    let t = case.assistance_type;

    let publicity_step = match s.stage {
        Stage::Publicity => Some(DeadlineStep::Publicity),
        Stage::TerminationPublicity => Some(DeadlineStep::TerminationPublicity),
        _ => None,
    };
    let publicity = match (publicity_step, s.publicity_started_on, &s.opinion) {
        (Some(step), Some(from), Some(opinion)) => {
            let to = state
                .policy
                .deadline(t, step)
                .map(|r| r.due(&calendar, from))
                .transpose()
                .map_err(|e| ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.message_zh()))?;
            let amount = (opinion.recommendation == Recommendation::Approve).then_some(opinion.amount_fen).flatten();
            let entry = PublicityEntry::new(&household.head_name, head.map(|m| m.resident_id.as_str()), household.members.len() as u32, amount);
            Some(publicity_notice(t, &place, &authority, from, to.map(|d| d.due).unwrap_or(from), vec![entry]))
        }
        _ => None,
    };
    let last = |kind: DecisionKind| s.decisions.iter().rev().find(|d| d.kind == kind);
    let refusal_text = last(DecisionKind::Refuse).map(|d| refusal_notice_text(&household.head_name, t, s.applied_on, d.on, &authority, &d.reasons));
    let adjustment_or_stop_text = s.decisions.iter().rev().find(|d| matches!(d.kind, DecisionKind::Adjust | DecisionKind::Stop)).map(|d| {
        stop_notice_text(
            &household.head_name,
            t,
            d.kind == DecisionKind::Stop,
            d.amount_fen,
            d.effective_month.as_deref().unwrap_or(""),
            &authority,
            &d.reasons,
        )
    });
    Ok(Json(CaseNotices { case_id: case.id, publicity, refusal_text, adjustment_or_stop_text }))
}
