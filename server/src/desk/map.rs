//! The console's map: which tile provider (if any) the server was configured with, and the positions to draw in the
//! provider's datum. Positions are stored as WGS-84; only what is drawn is converted.

use axum::{Json, extract::State};
use ruhu_core::{gcj02, geo::LatLon, protocol::Problem, workflow::Stage};
use serde::{Deserialize, Serialize};

use crate::{
    access::caller::Caller,
    app::config::MapDatum,
    app::state::AppState,
    store::error::{ApiError, ApiJson, ApiResult},
};

/// Positions converted per request, at most (a visit has a handful of GPS fixes and one household).
const MAX_POINTS: usize = 200;

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MapSettings {
    /// XYZ template with {z}, {x}, {y}; absent: draw a schematic.
    pub tiles_url_template: Option<String>,
    pub datum: MapDatum,
}

/// A visit farther than this from the household is flagged (district policy `visit_review.far_from_household`).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FarFromHousehold {
    pub metres: u32,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsoleSettings {
    pub map: MapSettings,
    pub far_from_household: FarFromHousehold,
    /// The server's time: the console dates its forms and judges "overdue" by it, not by the browser's clock.
    pub now: chrono::DateTime<chrono::Utc>,
    /// Today in China on the server's clock.
    pub today: chrono::NaiveDate,
    /// Every stage of the procedure in order, for the lists' filters.
    pub stages: Vec<StageLabel>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StageLabel {
    pub key: String,
    pub label: String,
}

#[utoipa::path(get, path = "/api/v1/console/settings", tag = "console", security(("bearer" = [])),
    description = "Settings the web console needs: the map tile provider, if one is configured, the policy's \
                   far-from-household threshold with its source, and the server's time.",
    responses((status = 200, body = ConsoleSettings)))]
pub async fn settings(State(state): State<AppState>, _caller: Caller) -> Json<ConsoleSettings> {
    let map = match &state.config.map_tiles {
        Some(t) => MapSettings { tiles_url_template: Some(t.url_template.clone()), datum: t.datum },
        None => MapSettings { tiles_url_template: None, datum: MapDatum::Wgs84 },
    };
    let policy = &state.policy;
    let source = policy.source_note("visit_review.far_from_household").map(|n| n.source.clone()).unwrap_or_default();
    let now = state.db.now();
    Json(ConsoleSettings {
        map,
        far_from_household: FarFromHousehold { metres: policy.far_from_household_m(), source },
        now,
        today: ruhu_core::time::china_day(now),
        stages: Stage::ALL.iter().map(|s| StageLabel { key: s.as_str().into(), label: s.label_zh().into() }).collect(),
    })
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProjectRequest {
    /// WGS-84 positions.
    pub points: Vec<LatLon>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProjectedPoints {
    pub datum: MapDatum,
    /// The same positions, in order, in the tile provider's datum.
    pub points: Vec<LatLon>,
}

/// `points` in `datum`.
pub fn to_datum(points: &[LatLon], datum: MapDatum) -> Vec<LatLon> {
    match datum {
        MapDatum::Wgs84 => points.to_vec(),
        MapDatum::Gcj02 => points.iter().map(|p| gcj02::from_wgs84(*p)).collect(),
    }
}

#[utoipa::path(post, path = "/api/v1/console/map/points", tag = "console", security(("bearer" = [])), request_body = ProjectRequest,
    description = "Converts WGS-84 positions into the configured tile provider's datum (GCJ-02 where it needs it).",
    responses((status = 200, body = ProjectedPoints), (status = 422, body = Problem, description = "invalid_field")))]
pub async fn points(State(state): State<AppState>, _caller: Caller, ApiJson(req): ApiJson<ProjectRequest>) -> ApiResult<Json<ProjectedPoints>> {
    if req.points.len() > MAX_POINTS {
        return Err(ApiError::invalid_field("points", format!("一次最多换算{MAX_POINTS}个位置")));
    }
    if let Some(i) = req.points.iter().position(|p| !p.is_valid()) {
        return Err(ApiError::invalid_field("points", format!("第{}个位置的经纬度无效", i + 1)));
    }
    let datum = state.config.map_tiles.as_ref().map_or(MapDatum::Wgs84, |t| t.datum);
    Ok(Json(ProjectedPoints { datum, points: to_datum(&req.points, datum) }))
}
