//! The district policy the server runs with, read-only: every setting with its value, source and demo mark.

use axum::{Json, extract::State};
use serde::Serialize;

use crate::{access::caller::Caller, app::state::AppState, store::error::ApiResult};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PolicySettingView {
    /// The key path in the policy file, e.g. `supervision.spot_check_rate`.
    pub key: String,
    /// The value with its unit, as a person reads it.
    pub value_zh: Option<String>,
    pub source: String,
    pub note: Option<String>,
    /// A demonstration value, not the district's real figure.
    pub demo: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PolicyView {
    pub district_code: String,
    pub district_name: String,
    /// Years with local standards.
    pub standard_years: Vec<i32>,
    pub settings: Vec<PolicySettingView>,
}

#[utoipa::path(get, path = "/api/v1/policy", tag = "calendar", security(("bearer" = [])),
    description = "The district policy the server runs with: every setting with its value, source and note; demonstration values \
        are marked. Read-only: the policy is a file given at start-up.",
    responses((status = 200, body = PolicyView)))]
pub async fn view(State(state): State<AppState>, _caller: Caller) -> ApiResult<Json<PolicyView>> {
    let p = &state.policy;
    Ok(Json(PolicyView {
        district_code: p.district_code().into(),
        district_name: p.district_name().into(),
        standard_years: p.local_standard_years(),
        settings: p
            .source_notes()
            .map(|(key, n)| PolicySettingView {
                key: key.into(),
                value_zh: n.value_zh.clone(),
                source: n.source.clone(),
                note: n.note.clone(),
                demo: n.demo,
            })
            .collect(),
    }))
}
