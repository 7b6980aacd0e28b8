//! A published form version, for any signed-in user: the console needs the labels and choices to show a visit's
//! answers. Form definitions hold no personal data.

use axum::{Json, extract::State, http::StatusCode};
use ruhu_core::form::FormDefinition;

use crate::{
    auth::Caller,
    error::{ApiError, ApiPath, ApiResult},
    forms,
    state::AppState,
};

pub async fn get(State(state): State<AppState>, _caller: Caller, ApiPath((id, version)): ApiPath<(String, u32)>) -> ApiResult<Json<FormDefinition>> {
    let mut conn = state.db.pool.acquire().await?;
    forms::load(&mut conn, &id, version)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("调查表 {id} 第 {version} 版不存在或尚未发布")))
}
