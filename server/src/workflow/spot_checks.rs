//! The district's yearly spot-check run (抽查复核): the frame from the year's decisions, the sample drawn by the core
//! sampler from a recorded seed, and planned re-visit teams that never include an original investigator.

use std::collections::BTreeMap;

use axum::{Json, extract::State, http::StatusCode};
use chrono::Datelike;
use ruhu_core::{
    assistance::AssistanceType,
    org::OrgLevel,
    policy::{SpotCheckGroup, VisitTrigger},
    protocol::Problem,
    roles::Role,
    workflow::{
        DecisionKind,
        relatives::declarants,
        sampler::{self, FrameHousehold, SampleReason, Stratum},
    },
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use uuid::Uuid;

use super::{api_error, case_state};
use crate::{
    access::caller::Caller,
    app::state::AppState,
    records::cases,
    store::audit,
    store::db::{parse_uuid, to_json, ts},
    store::error::{ApiError, ApiJson, ApiResult},
};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewSpotCheck {
    pub year: i32,
    /// Reuse a recorded seed to redraw a sample; default: a fresh random seed (recorded with the run).
    pub seed: Option<String>,
    /// District staff available for re-visits; default: the district's enabled supervisors and investigators.
    pub staff_ids: Option<Vec<Uuid>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SampledHousehold {
    pub household_id: Uuid,
    pub township_code: String,
    pub reasons: Vec<SampleReason>,
    /// The planned re-visit team (never an original investigator or a declared near relative).
    pub revisitors: Option<Vec<Uuid>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SpotCheckRun {
    pub id: Uuid,
    pub year: i32,
    pub seed: String,
    pub rate: String,
    pub rounding_zh: String,
    pub strata: Vec<Stratum>,
    pub households: Vec<SampledHousehold>,
    /// Why re-visit teams could not be planned (too few eligible staff), if so.
    pub revisit_error: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/spot-checks", tag = "workflow", security(("bearer" = [])), request_body = NewSpotCheck,
    description = "District only. Draws the year's spot-check sample: the policy's rate of newly added and of exited households per \
        township (rounded up), the 特困 rate (at least 30 %) of the year's 特困 confirmations, plus every near-relative and complaint \
        case; reproducible from the recorded seed.",
    responses((status = 201, body = SpotCheckRun), (status = 403, body = Problem, description = "forbidden_role"),
              (status = 422, body = Problem, description = "invalid_year, seed_required")))]
pub async fn run(State(state): State<AppState>, caller: Caller, ApiJson(req): ApiJson<NewSpotCheck>) -> ApiResult<(StatusCode, Json<SpotCheckRun>)> {
    caller.require(|r| r == Role::DistrictSupervisor)?;
    if caller.org_level != OrgLevel::District {
        return Err(ApiError::forbidden_role());
    }
    if !(2000..=2100).contains(&req.year) {
        return Err(ApiError::invalid_field("year", "年份须在2000到2100之间"));
    }
    let seed = req.seed.clone().unwrap_or_else(sampler::fresh_seed);
    let mut tx = state.db.begin().await?;

    // The frame: households with a decision of the year, and every flagged household.
    let scope = caller.scope();
    let sql = format!("SELECT id FROM cases WHERE {} ORDER BY id", scope.condition("org_path", 1));
    let ids: Vec<String> = scope.bind(sqlx::query(&sql)).fetch_all(tx.conn()).await?.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
    let mut frame: Vec<FrameHousehold> = Vec::new();
    for id in ids {
        let Some(case) = cases::load(tx.conn(), parse_uuid(&id)?).await? else { continue };
        let (s, _) = case_state::load_state(tx.conn(), &case).await?;
        let mut investigators = s.investigators.clone();
        let history = sqlx::query("SELECT h.user_id FROM assignment_history h JOIN assignments a ON a.id = h.assignment_id WHERE a.case_id = $1")
            .bind(case.id.to_string())
            .fetch_all(tx.conn())
            .await?;
        for r in history {
            let u = parse_uuid(&r.try_get::<String, _>("user_id")?)?;
            if !investigators.contains(&u) {
                investigators.push(u);
            }
        }
        let related = declarants(&case_state::relative_matches(tx.conn(), case.household_id, &state.policy).await?);
        let mut triggers = Vec::new();
        if s.flags.near_relative || !related.is_empty() {
            triggers.push(VisitTrigger::NearRelativeFiling);
        }
        if s.flags.complaint {
            triggers.push(VisitTrigger::Complaint);
        }
        let recipient_type = case.assistance_type != AssistanceType::Linshi;
        let in_year = |k: DecisionKind| s.decisions.iter().any(|d| d.kind == k && d.on.year() == req.year);
        let mut groups = Vec::new();
        if recipient_type && in_year(DecisionKind::Approve) {
            groups.push(SpotCheckGroup::NewlyAdded);
        }
        if recipient_type && in_year(DecisionKind::Stop) {
            groups.push(SpotCheckGroup::Exited);
        }
        if case.assistance_type == AssistanceType::Tekun && in_year(DecisionKind::Approve) {
            groups.push(SpotCheckGroup::TekunConfirmed);
        }
        let base = FrameHousehold {
            household_id: case.household_id,
            township_code: case.township_code.clone(),
            group: None,
            triggers: triggers.clone(),
            original_investigators: investigators,
            declarants: related,
        };
        if groups.is_empty() {
            if !triggers.is_empty() {
                frame.push(base);
            }
        } else {
            for g in groups {
                if !frame.iter().any(|f| f.household_id == base.household_id && f.group == Some(g)) {
                    frame.push(FrameHousehold { group: Some(g), ..base.clone() });
                }
            }
        }
    }
    let sample = sampler::draw(&frame, &state.policy, req.year, &seed).map_err(api_error)?;

    let staff = match &req.staff_ids {
        Some(ids) => ids.clone(),
        None => {
            let rows = sqlx::query(
                "SELECT DISTINCT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE u.org_code = $1 AND u.enabled = 1 \
                 AND r.role IN ('district_supervisor', 'investigator') ORDER BY u.id",
            )
            .bind(&caller.org_code)
            .fetch_all(tx.conn())
            .await?;
            rows.iter()
                .map(|r| r.try_get::<String, _>("id").map_err(ApiError::from).and_then(|s| parse_uuid(&s).map_err(ApiError::from)))
                .collect::<Result<_, _>>()?
        }
    };
    let (revisits, revisit_error) = match sampler::assign_revisits(&sample, &frame, &staff, &state.policy) {
        Ok(v) => (v.into_iter().map(|r| (r.household_id, r.investigators)).collect::<BTreeMap<_, _>>(), None),
        Err(e) => (BTreeMap::new(), Some(e.message_zh)),
    };

    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO spot_check_runs (id, year, seed, rate, rounding, strata, org_path, run_by, created_at, revisit_error) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.to_string())
    .bind(i64::from(req.year))
    .bind(&seed)
    .bind(&sample.rate)
    .bind(&sample.rounding_zh)
    .bind(to_json(&sample.strata))
    .bind(&caller.org_path)
    .bind(caller.user_id.to_string())
    .bind(ts(tx.now()))
    .bind(revisit_error.clone())
    .execute(tx.conn())
    .await?;
    let mut households = Vec::new();
    for h in &sample.households {
        let team = revisits.get(&h.household_id).cloned();
        sqlx::query("INSERT INTO spot_check_samples (run_id, household_id, township_code, reasons, revisitors) VALUES ($1, $2, $3, $4, $5)")
            .bind(id.to_string())
            .bind(h.household_id.to_string())
            .bind(&h.township_code)
            .bind(to_json(&h.reasons))
            .bind(team.as_ref().map(to_json))
            .execute(tx.conn())
            .await?;
        households.push(SampledHousehold {
            household_id: h.household_id,
            township_code: h.township_code.clone(),
            reasons: h.reasons.clone(),
            revisitors: team,
        });
    }
    let entry = caller.audit("spot_check.run", "spot_check_run", id, Some(&caller.org_path)).with_detail(json!({
        "year": req.year, "seed": seed, "sampled": households.len(), "frame": frame.len(), "revisit_error": revisit_error,
    }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(SpotCheckRun {
            id,
            year: req.year,
            seed,
            rate: sample.rate,
            rounding_zh: sample.rounding_zh,
            strata: sample.strata,
            households,
            revisit_error,
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/spot-checks/{id}", tag = "workflow", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "spot-check run id")),
    description = "A recorded spot-check run: its seed (to redraw it), strata and sampled households.",
    responses((status = 200, body = SpotCheckRun), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    crate::store::error::ApiPath(id): crate::store::error::ApiPath<Uuid>,
) -> ApiResult<Json<SpotCheckRun>> {
    let mut conn = state.db.pool.acquire().await?;
    let run = sqlx::query("SELECT year, seed, rate, rounding, strata, org_path, revisit_error FROM spot_check_runs WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| ApiError::not_found("抽查复核记录"))?;
    let org_path: String = run.try_get("org_path")?;
    drop(conn);
    caller.guard(&state, "spot_check_run", &id.to_string(), &org_path).await?;
    let mut conn = state.db.pool.acquire().await?;
    let rows = sqlx::query(
        "SELECT household_id, township_code, reasons, revisitors FROM spot_check_samples WHERE run_id = $1 ORDER BY township_code, household_id",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut households = Vec::with_capacity(rows.len());
    for r in rows {
        let revisitors: Option<String> = r.try_get("revisitors")?;
        households.push(SampledHousehold {
            household_id: parse_uuid(&r.try_get::<String, _>("household_id")?)?,
            township_code: r.try_get("township_code")?,
            reasons: crate::store::db::parse_json(&r.try_get::<String, _>("reasons")?)?,
            revisitors: revisitors.as_deref().map(crate::store::db::parse_json).transpose()?,
        });
    }
    Ok(Json(SpotCheckRun {
        id,
        year: i32::try_from(run.try_get::<i64, _>("year")?).unwrap_or_default(),
        seed: run.try_get("seed")?,
        rate: run.try_get("rate")?,
        rounding_zh: run.try_get("rounding")?,
        strata: crate::store::db::parse_json(&run.try_get::<String, _>("strata")?)?,
        households,
        revisit_error: run.try_get("revisit_error")?,
    }))
}
