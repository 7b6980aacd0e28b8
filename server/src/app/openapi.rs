//! The routes, registered through utoipa-axum so the OpenAPI document is generated from the handlers themselves.

use axum::{
    Json,
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
    middleware,
};
use serde::Serialize;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::state::AppState;
use crate::{
    access::{devices, login, org},
    desk::{administration, assignments, calendar, cases, conflicts, forms, households, map, media, org_units, policy, progress},
    sync::{pull, push, uploads},
    workflow,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Ruhu (入户) API", description = "Sync server for township home visits. Errors are application/problem+json \
        bodies (`Problem`) with a stable `code` and a zh-CN `message`.", version = "1"),
    modifiers(&BearerAuth),
    components(schemas(ruhu_core::protocol::Problem, ruhu_core::form::FieldError))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()));
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
}

#[utoipa::path(get, path = "/healthz", tag = "health",
    description = "Liveness and database reachability.",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, Json(Health { status: "ok", database: "ok" })),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "degraded", database: "unreachable" }))
        }
    }
}

pub fn router(upload_chunk_limit: usize) -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(uploads::options, uploads::create))
        .routes(routes!(uploads::head, uploads::patch, uploads::terminate))
        .layer(DefaultBodyLimit::max(upload_chunk_limit))
        .layer(middleware::map_response(uploads::add_tus_header));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(healthz))
        .routes(routes!(login::login))
        .routes(routes!(login::refresh_tokens))
        .routes(routes!(login::logout))
        .routes(routes!(devices::list))
        .routes(routes!(devices::revoke))
        .routes(routes!(org::list, org_units::create))
        .routes(routes!(org_units::rename))
        .routes(routes!(org_units::retire))
        .routes(routes!(administration::list, administration::create))
        .routes(routes!(administration::disable))
        .routes(routes!(administration::enable))
        .routes(routes!(administration::update))
        .routes(routes!(calendar::calendar, calendar::load))
        .routes(routes!(policy::view))
        .routes(routes!(households::create, households::list))
        .routes(routes!(households::get))
        .routes(routes!(cases::create, cases::list))
        .routes(routes!(cases::get))
        .routes(routes!(cases::intake))
        .routes(routes!(assignments::create, assignments::list))
        .routes(routes!(assignments::reassign))
        .routes(routes!(assignments::cancel))
        .routes(routes!(pull::pull))
        .routes(routes!(push::push))
        .routes(routes!(media::get))
        .routes(routes!(forms::publish, forms::list))
        .routes(routes!(workflow::actions::act))
        .routes(routes!(workflow::actions::view))
        .routes(routes!(workflow::actions::complain))
        .routes(routes!(workflow::notices::notices))
        .routes(routes!(workflow::lists::deadlines))
        .routes(routes!(workflow::lists::filings))
        .routes(routes!(workflow::relatives::declare, workflow::relatives::list))
        .routes(routes!(workflow::spot_checks::run))
        .routes(routes!(workflow::spot_checks::get))
        .routes(routes!(forms::get))
        .routes(routes!(conflicts::resolve))
        .routes(routes!(progress::list))
        .routes(routes!(map::settings))
        .routes(routes!(map::points))
        .routes(routes!(workflow::periodic_reviews::assign))
        .routes(routes!(workflow::revisits::assign))
        .routes(routes!(workflow::revisit_comparison::compare))
        .merge(uploads)
}
