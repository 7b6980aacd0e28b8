//! Households and their members. A resident ID number belongs to one household in the whole district; lists
//! show it masked, the full record (an audited read) shows it whole.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use ruhu_core::{
    geo::LatLon,
    protocol::{HouseholdSnapshot, MemberSnapshot, PersonRef},
    resident_id::{ResidentId, mask},
};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::{
    access::{org, users},
    store::{
        db::{Tx, flag, parse_ts, parse_uuid, ts},
        error::{ApiError, ApiResult},
    },
};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewHousehold {
    /// The village (or community) the household lives in.
    pub village_code: String,
    pub head_name: String,
    pub address: String,
    /// The household's known location, WGS-84.
    #[serde(default)]
    pub location: Option<LatLon>,
    pub members: Vec<NewMember>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewMember {
    pub name: String,
    pub resident_id: String,
    /// e.g. 户主, 配偶, 子女, 父母.
    pub relation: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MemberRecord {
    pub id: Uuid,
    pub name: String,
    /// Full number (full records only).
    pub resident_id: String,
    pub relation: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HouseholdRecord {
    pub id: Uuid,
    pub village_code: String,
    /// e.g. 青岩镇龙井村（演示）
    pub location_name: String,
    pub org_path: String,
    pub head_name: String,
    pub address: String,
    pub location: Option<LatLon>,
    pub demo: bool,
    pub members: Vec<MemberRecord>,
    pub created_by: PersonRef,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MaskedMember {
    pub id: Uuid,
    pub name: String,
    /// e.g. 5201**********123X
    pub resident_id_masked: String,
    pub relation: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HouseholdSummary {
    pub id: Uuid,
    pub village_code: String,
    pub org_path: String,
    pub head_name: String,
    pub address: String,
    pub demo: bool,
    pub members: Vec<MaskedMember>,
    pub created_at: DateTime<Utc>,
}

/// Household row plus members, as stored.
pub struct Household {
    pub id: Uuid,
    pub village_code: String,
    pub org_path: String,
    pub head_name: String,
    pub address: String,
    pub location: Option<LatLon>,
    pub demo: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub members: Vec<MemberRecord>,
}

impl Household {
    pub fn snapshot(&self) -> HouseholdSnapshot {
        HouseholdSnapshot {
            id: self.id,
            head_name: self.head_name.clone(),
            address: self.address.clone(),
            village_code: self.village_code.clone(),
            location: self.location,
            members: self
                .members
                .iter()
                .map(|m| MemberSnapshot { id: m.id, name: m.name.clone(), resident_id: m.resident_id.clone(), relation: m.relation.clone() })
                .collect(),
        }
    }

    pub async fn record(&self, conn: &mut AnyConnection) -> Result<HouseholdRecord, sqlx::Error> {
        Ok(HouseholdRecord {
            id: self.id,
            village_code: self.village_code.clone(),
            location_name: org::describe_path(conn, &self.org_path).await?,
            org_path: self.org_path.clone(),
            head_name: self.head_name.clone(),
            address: self.address.clone(),
            location: self.location,
            demo: self.demo,
            members: self.members.clone(),
            created_by: users::person_str(conn, &self.created_by).await?,
            created_at: self.created_at,
        })
    }

    pub fn summary(&self) -> HouseholdSummary {
        HouseholdSummary {
            id: self.id,
            village_code: self.village_code.clone(),
            org_path: self.org_path.clone(),
            head_name: self.head_name.clone(),
            address: self.address.clone(),
            demo: self.demo,
            members: self
                .members
                .iter()
                .map(|m| MaskedMember { id: m.id, name: m.name.clone(), resident_id_masked: mask(&m.resident_id), relation: m.relation.clone() })
                .collect(),
            created_at: self.created_at,
        }
    }
}

pub const SELECT: &str = "SELECT id, village_code, org_path, head_name, address, lat, lon, demo, created_by, created_at FROM households";

pub async fn from_row(conn: &mut AnyConnection, row: &sqlx::any::AnyRow) -> Result<Household, sqlx::Error> {
    let id = parse_uuid(&row.try_get::<String, _>("id")?)?;
    let (lat, lon): (Option<f64>, Option<f64>) = (row.try_get("lat")?, row.try_get("lon")?);
    let members = sqlx::query("SELECT id, name, resident_id, relation FROM members WHERE household_id = $1 ORDER BY position")
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|m| {
            Ok(MemberRecord {
                id: parse_uuid(&m.try_get::<String, _>("id")?)?,
                name: m.try_get("name")?,
                resident_id: m.try_get("resident_id")?,
                relation: m.try_get("relation")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Household {
        id,
        village_code: row.try_get("village_code")?,
        org_path: row.try_get("org_path")?,
        head_name: row.try_get("head_name")?,
        address: row.try_get("address")?,
        location: lat.zip(lon).map(|(lat, lon)| LatLon { lat, lon }),
        demo: row.try_get::<i64, _>("demo")? != 0,
        created_by: row.try_get("created_by")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        members,
    })
}

pub async fn load(conn: &mut AnyConnection, id: Uuid) -> Result<Option<Household>, sqlx::Error> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1")).bind(id.to_string()).fetch_optional(&mut *conn).await?;
    match row {
        Some(row) => Ok(Some(from_row(conn, &row).await?)),
        None => Ok(None),
    }
}

fn non_empty(field: &str, value: &str, label: &str) -> ApiResult<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > 200 {
        return Err(ApiError::invalid_field(field, format!("请填写{label}（不超过200字）")));
    }
    Ok(v.to_string())
}

/// Everything the creation checks, in the order a clerk fixes them. Nothing is stored unless all pass.
pub struct CheckedHousehold {
    pub head_name: String,
    pub address: String,
    pub location: Option<LatLon>,
    pub members: Vec<(String, ResidentId, String)>,
}

pub fn check(req: &NewHousehold) -> ApiResult<CheckedHousehold> {
    let head_name = non_empty("head_name", &req.head_name, "户主姓名")?;
    let address = non_empty("address", &req.address, "家庭住址")?;
    if let Some(loc) = req.location
        && !loc.is_valid()
    {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_location", "位置坐标无效").with_field("location"));
    }
    if req.members.is_empty() {
        return Err(ApiError::invalid_field("members", "请至少登记一名家庭成员"));
    }
    let mut members = Vec::with_capacity(req.members.len());
    for (i, m) in req.members.iter().enumerate() {
        let name = non_empty(&format!("members[{i}].name"), &m.name, "成员姓名")?;
        let relation = non_empty(&format!("members[{i}].relation"), &m.relation, "与户主关系")?;
        let id = ResidentId::parse(&m.resident_id).map_err(|e| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), format!("第{}位成员（{}）：{}", i + 1, name, e.message_zh()))
                .with_field(format!("members[{i}].resident_id"))
        })?;
        if let Some(j) = members.iter().position(|(_, other, _): &(String, ResidentId, String)| other == &id) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "duplicate_resident_id",
                format!("第{}位与第{}位成员的身份证号相同（{}）", j + 1, i + 1, id.masked()),
            )
            .with_field(format!("members[{i}].resident_id")));
        }
        members.push((name, id, relation));
    }
    Ok(CheckedHousehold { head_name, address, location: req.location, members })
}

/// Inserts a checked household inside `conn`'s transaction; refuses resident IDs already registered anywhere.
pub async fn insert(tx: &mut Tx, village: &ruhu_core::org::OrgUnit, h: &CheckedHousehold, created_by: Uuid, demo: bool) -> ApiResult<Uuid> {
    let now = ts(tx.now());
    let conn = tx.conn();
    for (i, (_, rid, _)) in h.members.iter().enumerate() {
        let existing = sqlx::query("SELECT h.org_path FROM members m JOIN households h ON h.id = m.household_id WHERE m.resident_id = $1")
            .bind(rid.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(row) = existing {
            let place = org::describe_path(conn, &row.try_get::<String, _>("org_path")?).await?;
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "duplicate_resident_id",
                format!("身份证号 {} 已登记在{}的家庭中，同一人不能重复登记", rid.masked(), place),
            )
            .with_field(format!("members[{i}].resident_id")));
        }
    }
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO households (id, village_code, org_path, head_name, address, lat, lon, demo, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(id.to_string())
    .bind(&village.code)
    .bind(&village.path)
    .bind(&h.head_name)
    .bind(&h.address)
    .bind(h.location.map(|l| l.lat))
    .bind(h.location.map(|l| l.lon))
    .bind(flag(demo))
    .bind(created_by.to_string())
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    for (pos, (name, rid, relation)) in h.members.iter().enumerate() {
        sqlx::query("INSERT INTO members (id, household_id, position, name, resident_id, relation) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(Uuid::new_v4().to_string())
            .bind(id.to_string())
            .bind(pos as i64)
            .bind(name)
            .bind(rid.as_str())
            .bind(relation)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}
