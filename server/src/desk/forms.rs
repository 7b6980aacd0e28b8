//! Forms at the desk: publishing a form version (JSON or an XLSForm workbook; administrators), the list of published
//! forms, and one published version for any signed-in user (the console labels a visit's answers with it; form
//! definitions hold no personal data).

use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, header::CONTENT_TYPE},
};
use ruhu_core::{
    form::{FormDefinition, FormPurpose, xlsform},
    protocol::Problem,
    roles::Role,
};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::{
    access::caller::Caller,
    app::state::AppState,
    records::forms,
    store::{
        audit::{self, AuditEntry},
        db::parse_json,
        error::{ApiError, ApiPath, ApiResult},
    },
};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[utoipa::path(get, path = "/api/v1/forms/{id}/{version}", tag = "forms", security(("bearer" = [])),
    params(("id" = String, Path, description = "form id, e.g. dibao-home-visit"), ("version" = u32, Path, description = "published version")),
    description = "A published form definition (questions, labels, choices), e.g. to label a visit's answers.",
    responses((status = 200, body = FormDefinition), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, _caller: Caller, ApiPath((id, version)): ApiPath<(String, u32)>) -> ApiResult<Json<FormDefinition>> {
    let mut conn = state.db.pool.acquire().await?;
    forms::load(&mut conn, &id, version)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("调查表 {id} 第 {version} 版不存在或尚未发布")))
}

/// What was published.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublishedForm {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub purpose: FormPurpose,
    pub assistance_types: Vec<String>,
    pub question_count: usize,
    /// False when exactly this definition was already published (a repeated upload changes nothing).
    pub created: bool,
}

fn definition_from_body(headers: &HeaderMap, body: &[u8]) -> ApiResult<FormDefinition> {
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if content_type.starts_with(XLSX) {
        return xlsform::import(body).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_workbook",
                format!("工作簿有误：{}!{}（{}）：{}", e.sheet, e.cell, e.column, e.message),
            )
            .with_field(format!("{}!{}", e.sheet, e.cell))
            .with_details(json!({ "sheet": e.sheet, "row": e.row, "column": e.column, "cell": e.cell, "message": e.message }))
        });
    }
    if content_type.starts_with("application/json") {
        let text = std::str::from_utf8(body).map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", "表单定义不是有效的 UTF-8 文本"))?;
        return FormDefinition::from_json(text).map_err(|e| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_form_definition", format!("表单定义有误（{}）：{}", e.path, e.reason))
                .with_field(e.path)
        });
    }
    Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "请上传 XLSForm 工作簿（.xlsx）或 JSON 表单定义"))
}

#[utoipa::path(post, path = "/api/v1/forms", tag = "forms", security(("bearer" = [])),
    description = "Publishes a new form version, from an XLSForm workbook (.xlsx) or a JSON definition. Checked with the \
                   same engine as the phones before anything is stored. A published version never changes: the same \
                   definition again is accepted as is (200), another definition under the same id and version is \
                   refused (409). District supervisors and administrators only.",
    request_body(content = String, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 description = "the .xlsx workbook; or, with Content-Type application/json, the JSON definition (docs/forms.md)"),
    responses((status = 201, body = PublishedForm), (status = 200, body = PublishedForm, description = "already published, identical"),
              (status = 403, body = ruhu_core::protocol::Problem), (status = 409, body = ruhu_core::protocol::Problem, description = "form_version_exists"),
              (status = 415, body = ruhu_core::protocol::Problem),
              (status = 422, body = ruhu_core::protocol::Problem, description = "invalid_workbook (details: sheet, row, column, cell) or invalid_form_definition (field: the path)")))]
pub async fn publish(State(state): State<AppState>, caller: Caller, headers: HeaderMap, body: Bytes) -> ApiResult<(StatusCode, Json<PublishedForm>)> {
    caller.require(|r| matches!(r, Role::DistrictSupervisor | Role::Admin))?;
    let form = definition_from_body(&headers, &body)?;
    let mut tx = state.db.begin().await?;
    let created = match forms::load(tx.conn(), &form.id, form.version).await? {
        Some(stored) if stored == form => false,
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "form_version_exists",
                format!("表单“{}”第{}版已发布且内容不同；已发布的版本不能修改，请提高版本号后再发布", form.id, form.version),
            ));
        }
        None => {
            forms::insert(&mut tx, &form).await?;
            audit::record(
                &mut tx,
                AuditEntry {
                    actor_user_id: Some(caller.user_id),
                    device_id: Some(caller.installation_id.clone()),
                    action: "form_published".into(),
                    entity_kind: "form".into(),
                    entity_id: forms::feed_key(&form.id, form.version),
                    org_path: Some(caller.org_path.clone()),
                    detail: json!({ "title": form.title, "purpose": form.purpose, "questions": form.questions.len() }),
                },
            )
            .await?;
            true
        }
    };
    tx.commit().await?;
    let reply = PublishedForm {
        id: form.id,
        version: form.version,
        title: form.title,
        purpose: form.purpose,
        assistance_types: form.assistance_types,
        question_count: form.questions.len(),
        created,
    };
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(reply)))
}

#[utoipa::path(get, path = "/api/v1/forms", tag = "forms", security(("bearer" = [])),
    description = "Every published form version, newest version first within each form.",
    responses((status = 200, body = Vec<PublishedForm>)))]
pub async fn list(State(state): State<AppState>, _caller: Caller) -> ApiResult<Json<Vec<PublishedForm>>> {
    let mut conn = state.db.pool.acquire().await?;
    let rows = sqlx::query("SELECT definition FROM forms WHERE published = 1 ORDER BY id, version DESC").fetch_all(&mut *conn).await?;
    let mut forms = Vec::with_capacity(rows.len());
    for row in rows {
        let form: FormDefinition = parse_json(&row.try_get::<String, _>("definition")?)?;
        forms.push(PublishedForm {
            question_count: form.questions.len(),
            id: form.id,
            version: form.version,
            title: form.title,
            purpose: form.purpose,
            assistance_types: form.assistance_types,
            created: false,
        });
    }
    Ok(Json(forms))
}
