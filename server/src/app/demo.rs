//! Demo data (`--demo`): villages, households and accounts that are unmistakably invented. Every org unit and
//! household name carries “演示” and the `demo` flag; ID numbers are generated with valid check digits.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use ruhu_core::{
    assistance::AssistanceType,
    geo::LatLon,
    policy::Area,
    resident_id::make_resident_id,
    roles::Role,
    workflow::{Action, Actor, ApplicationChannel, Ctx, Recommendation, Stage, apply},
};
use serde_json::{Value, json};
use sqlx::Row;

use super::state::AppState;
use crate::{
    access::{
        accounts::{self, NewUser},
        org, password,
    },
    records::{
        calendar,
        cases::{self, CaseRow},
        households::{self, CheckedHousehold},
    },
    store::{
        audit::{self, AuditEntry},
        db::parse_uuid,
        error::{ApiError, Error, Result},
    },
    workflow::{
        actions::{self, Acting},
        assign::{self, NewAssignment},
        case_state,
        intake::{self, NewApplication},
    },
};

pub const DEMO_PASSWORD: &str = "Ruhu#demo2026";
pub const DISTRICT: &str = "520111";
pub const QINGYAN: &str = "520111101";
pub const SHIBAN: &str = "520111102";
pub const QINGYAN_VILLAGE_1: &str = "520111101901";
pub const QINGYAN_VILLAGE_2: &str = "520111101902";
pub const SHIBAN_VILLAGE_1: &str = "520111102901";

#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    pub org_code: &'static str,
    pub org_name: &'static str,
}

pub fn demo_accounts() -> Vec<DemoAccount> {
    let a = |username, display_name, role, org_code, org_name| DemoAccount { username, display_name, role, org_code, org_name };
    vec![
        a("admin", "系统管理员（演示）", Role::Admin, DISTRICT, "花溪区"),
        a("qu.jianguan", "区监管员（演示）", Role::DistrictSupervisor, DISTRICT, "花溪区"),
        a("qu.fuhe", "区复核员（演示）", Role::DistrictSupervisor, DISTRICT, "花溪区"),
        // District staff for spot-check re-visits (抽查复核): investigators at the district level.
        a("qu.diaocha1", "区复核调查员一（演示）", Role::Investigator, DISTRICT, "花溪区"),
        a("qu.diaocha2", "区复核调查员二（演示）", Role::Investigator, DISTRICT, "花溪区"),
        a("qingyan.shenhe", "青岩审核员（演示）", Role::TownshipReviewer, QINGYAN, "青岩镇"),
        a("qingyan.jingban", "青岩经办员（演示）", Role::TownshipCaseworker, QINGYAN, "青岩镇"),
        a("qingyan.zuzhang", "青岩调查组长（演示）", Role::VisitSupervisor, QINGYAN, "青岩镇"),
        a("qingyan.diaocha1", "青岩调查员一（演示）", Role::Investigator, QINGYAN, "青岩镇"),
        a("qingyan.diaocha2", "青岩调查员二（演示）", Role::Investigator, QINGYAN, "青岩镇"),
        a("qingyan.diaocha3", "青岩调查员三（演示）", Role::Investigator, QINGYAN, "青岩镇"),
        a("qingyan.cunwei", "示范一村协理员（演示）", Role::VillageAssistant, QINGYAN_VILLAGE_1, "青岩镇示范一村（演示）"),
        a("shiban.shenhe", "石板审核员（演示）", Role::TownshipReviewer, SHIBAN, "石板镇"),
        a("shiban.diaocha1", "石板调查员一（演示）", Role::Investigator, SHIBAN, "石板镇"),
    ]
}

/// The accounts table printed at start with `--demo`.
pub fn accounts_table() -> String {
    let mut out = format!("演示账号（密码均为 {DEMO_PASSWORD}；仅供演示，切勿用于真实数据）\n");
    for a in demo_accounts() {
        out.push_str(&format!("  {:<18} {:<12} {:<10} {}\n", a.username, a.role.label_zh(), a.org_name, a.display_name));
    }
    out
}

struct DemoHousehold {
    village: &'static str,
    head_name: &'static str,
    address: &'static str,
    location: LatLon,
    members: Vec<(&'static str, NaiveDate, u16, &'static str)>,
    case_facts: Vec<(&'static str, Value)>,
    /// The application was received this many days before the demo was seeded.
    received_days_ago: u64,
    /// The township accepted it when the demo was seeded.
    accepted: bool,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn demo_households() -> Vec<DemoHousehold> {
    vec![
        DemoHousehold {
            village: QINGYAN_VILLAGE_1,
            head_name: "王明德（演示）",
            address: "青岩镇示范一村（演示）1组12号",
            location: LatLon { lat: 26.3312, lon: 106.6921 },
            members: vec![
                ("王明德（演示）", date(1962, 3, 14), 11, "户主"),
                ("李秀英（演示）", date(1965, 8, 2), 22, "配偶"),
                ("王小军（演示）", date(2008, 11, 30), 31, "子女"),
            ],
            case_facts: vec![("household.size", json!(3)), ("income.wages_fen", json!(80000))],
            received_days_ago: 0,
            accepted: true,
        },
        DemoHousehold {
            village: QINGYAN_VILLAGE_2,
            head_name: "陈桂兰（演示）",
            address: "青岩镇示范二村（演示）3组5号",
            location: LatLon { lat: 26.3275, lon: 106.6874 },
            members: vec![("陈桂兰（演示）", date(1951, 6, 9), 42, "户主")],
            case_facts: vec![("household.size", json!(1))],
            received_days_ago: 7,
            accepted: false,
        },
        DemoHousehold {
            village: SHIBAN_VILLAGE_1,
            head_name: "杨国富（演示）",
            address: "石板镇示范三村（演示）2组8号",
            location: LatLon { lat: 26.4032, lon: 106.5745 },
            members: vec![("杨国富（演示）", date(1970, 1, 21), 51, "户主"), ("杨丽（演示）", date(1998, 4, 17), 62, "子女")],
            case_facts: vec![("household.size", json!(2))],
            received_days_ago: 1,
            accepted: false,
        },
        DemoHousehold {
            village: QINGYAN_VILLAGE_2,
            head_name: "赵德华（演示）",
            address: "青岩镇示范二村（演示）1组9号",
            location: LatLon { lat: 26.3281, lon: 106.6890 },
            members: vec![("赵德华（演示）", date(1958, 10, 3), 73, "户主")],
            case_facts: vec![("household.size", json!(1))],
            received_days_ago: 2,
            accepted: true,
        },
    ]
}

fn seed_err(e: ApiError) -> Error {
    Error::Invalid(format!("demo seed: {} {}", e.code, e.message))
}

/// Seeds the demo villages, accounts, households, cases and one visit assignment. Idempotent: what exists is kept.
pub async fn seed_demo(state: &AppState) -> Result<()> {
    let hash = password::hash(DEMO_PASSWORD.to_string()).await?;
    let calendar = calendar::work_calendar(state).await?;
    let mut tx = state.db.begin().await?;
    org::ensure_village(tx.conn(), QINGYAN, QINGYAN_VILLAGE_1, "示范一村（演示）", true).await?;
    org::ensure_village(tx.conn(), QINGYAN, QINGYAN_VILLAGE_2, "示范二村（演示）", true).await?;
    org::ensure_village(tx.conn(), SHIBAN, SHIBAN_VILLAGE_1, "示范三村（演示）", true).await?;

    for a in demo_accounts() {
        let exists = sqlx::query("SELECT id FROM users WHERE username = $1").bind(a.username).fetch_optional(tx.conn()).await?.is_some();
        if !exists {
            let user = NewUser {
                username: a.username.into(),
                password: String::new(),
                display_name: a.display_name.into(),
                org_code: a.org_code.into(),
                roles: vec![a.role],
            };
            accounts::insert_user(&mut tx, &user, &hash, true).await?;
        }
    }
    let caseworker = user_id(&mut tx, "qingyan.jingban").await?;
    let shiban_reviewer = user_id(&mut tx, "shiban.shenhe").await?;
    let mut case_ids = Vec::new();
    for h in demo_households() {
        let existing = sqlx::query("SELECT id FROM households WHERE village_code = $1 AND head_name = $2")
            .bind(h.village)
            .bind(h.head_name)
            .fetch_optional(tx.conn())
            .await?;
        let household_id = match existing {
            Some(row) => parse_uuid(&row.try_get::<String, _>("id")?)?,
            None => {
                let village = org::get(tx.conn(), h.village).await?.ok_or_else(|| Error::Invalid("demo village missing".into()))?;
                let checked = CheckedHousehold {
                    head_name: h.head_name.into(),
                    address: h.address.into(),
                    location: Some(h.location),
                    members: h.members.iter().map(|(n, b, s, r)| ((*n).to_string(), make_resident_id(DISTRICT, *b, *s), (*r).to_string())).collect(),
                };
                let creator = if h.village == SHIBAN_VILLAGE_1 { shiban_reviewer } else { caseworker };
                let id = households::insert(&mut tx, &village, &checked, creator, true).await.map_err(seed_err)?;
                audit::record(
                    &mut tx,
                    AuditEntry::system("household.create", "household", id, Some(&village.path)).with_detail(json!({ "demo": true })),
                )
                .await?;
                id
            }
        };
        let household = households::load(tx.conn(), household_id).await?.ok_or_else(|| Error::Invalid("demo household missing".into()))?;
        let existing_case =
            sqlx::query("SELECT id FROM cases WHERE household_id = $1").bind(household_id.to_string()).fetch_optional(tx.conn()).await?;
        let case_id = match existing_case {
            Some(row) => parse_uuid(&row.try_get::<String, _>("id")?)?,
            None => {
                // Every demo case starts as an application received at the township's counter, a week ago for the
                // case that is further along.
                let facts: BTreeMap<String, Value> = h.case_facts.iter().map(|(k, v)| ((*k).to_string(), v.clone())).collect();
                let receiver = if h.village == SHIBAN_VILLAGE_1 {
                    demo_actor(&mut tx, "shiban.shenhe", "石板审核员（演示）", Role::TownshipReviewer).await?
                } else {
                    demo_actor(&mut tx, "qingyan.jingban", "青岩经办员（演示）", Role::TownshipCaseworker).await?
                };
                let received_on = tx.today().checked_sub_days(chrono::Days::new(h.received_days_ago)).unwrap_or(tx.today());
                let application = NewApplication {
                    assistance_type: AssistanceType::Dibao,
                    received_on: Some(received_on),
                    channel: Some(ApplicationChannel::Counter),
                    area: Some(Area::Rural),
                    facts,
                };
                let acting = Acting { actor: receiver, device_id: None };
                let (case, _) = intake::register_application(&mut tx, state, &calendar, &acting, &household, &application).await.map_err(seed_err)?;
                if h.accepted {
                    actions::apply_as(&mut tx, &state.policy, &calendar, &acting, &case, Action::Accept, None).await.map_err(seed_err)?;
                }
                case.id
            }
        };
        case_ids.push(case_id);
    }

    // The first demo case accepted today, with one visit for 青岩调查员一 and 二; 石板's stays an application
    // waiting for acceptance.
    if let Some(first) = case_ids.first() {
        let has_assignment =
            sqlx::query("SELECT id FROM assignments WHERE case_id = $1").bind(first.to_string()).fetch_optional(tx.conn()).await?.is_some();
        if !has_assignment {
            let case = cases::load(tx.conn(), *first).await?.ok_or_else(|| Error::Invalid("demo case missing".into()))?;
            let req = NewAssignment {
                case_id: *first,
                investigator_ids: vec![user_id(&mut tx, "qingyan.diaocha1").await?, user_id(&mut tx, "qingyan.diaocha2").await?],
                due_date: tx.today() + chrono::Days::new(14),
                form_id: None,
                form_version: None,
            };
            let lead = demo_actor(&mut tx, "qingyan.zuzhang", "青岩调查组长（演示）", Role::VisitSupervisor).await?;
            let id =
                assign::insert(&mut tx, &state.policy, &calendar, &case, &req, &Acting { actor: lead, device_id: None }).await.map_err(seed_err)?;
            audit::record(
                &mut tx,
                AuditEntry::system("assignment.create", "assignment", id, Some(&case.org_path)).with_detail(json!({ "demo": true })),
            )
            .await?;
        }
    }
    // The second demo case further along the procedure, in publicity; the village assistant declared its head of
    // household as a near relative, so it is flagged for a 100 % district visit.
    if let Some(second) = case_ids.get(1) {
        let case = cases::load(tx.conn(), *second).await?.ok_or_else(|| Error::Invalid("demo case missing".into()))?;
        if case.step == Stage::Applied.as_str() {
            advance_demo_case(state, &mut tx, &case).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

async fn demo_actor(tx: &mut crate::store::db::Tx, username: &str, display_name: &str, role: Role) -> Result<Actor> {
    Ok(Actor { user_id: user_id(tx, username).await?, name: display_name.into(), roles: vec![role] })
}

/// Takes the application through the procedure to publicity, each step on its own (past) day, through the workflow's
/// rules: the demo shows a case as a real one would be.
async fn advance_demo_case(state: &AppState, tx: &mut crate::store::db::Tx, case: &CaseRow) -> Result<()> {
    let village = demo_actor(tx, "qingyan.cunwei", "示范一村协理员（演示）", Role::VillageAssistant).await?;
    let relative = make_resident_id(DISTRICT, date(1951, 6, 9), 42);
    let declared = sqlx::query("SELECT id FROM near_relative_declarations WHERE declarant_user_id = $1")
        .bind(village.user_id.to_string())
        .fetch_optional(tx.conn())
        .await?;
    if declared.is_none() {
        let path = org::get(tx.conn(), QINGYAN_VILLAGE_1).await?.map(|u| u.path).unwrap_or_default();
        sqlx::query(
            "INSERT INTO near_relative_declarations (id, declarant_user_id, relative_resident_id, relation, org_path, declared_by, declared_at) \
             VALUES ($1, $2, $3, 'parents', $4, $2, $5)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(village.user_id.to_string())
        .bind(relative.as_str())
        .bind(path)
        .bind(crate::store::db::ts(tx.now()))
        .execute(tx.conn())
        .await?;
    }
    let clerk = demo_actor(tx, "qingyan.jingban", "青岩经办员（演示）", Role::TownshipCaseworker).await?;
    let lead = demo_actor(tx, "qingyan.zuzhang", "青岩调查组长（演示）", Role::VisitSupervisor).await?;
    let inv2 = demo_actor(tx, "qingyan.diaocha2", "青岩调查员二（演示）", Role::Investigator).await?;
    let inv3 = demo_actor(tx, "qingyan.diaocha3", "青岩调查员三（演示）", Role::Investigator).await?;
    let reviewer = demo_actor(tx, "qingyan.shenhe", "青岩审核员（演示）", Role::TownshipReviewer).await?;
    let today = tx.today();
    let day = |back: u64| today.checked_sub_days(chrono::Days::new(back)).unwrap_or(today);
    let team = vec![inv2.user_id, inv3.user_id];
    let steps: Vec<(Action, &Actor, NaiveDate)> = vec![
        (Action::Accept, &clerk, day(6)),
        (Action::StartInvestigation { investigators: team.clone() }, &lead, day(6)),
        (Action::RecordHomeVisit { investigators: team, visited_on: day(5), family_signed: true }, &inv2, day(5)),
        (Action::RecordNeighbourVisit { summary: "邻居反映老人独居，无固定收入（演示）".into() }, &inv3, day(5)),
        (Action::RequestInformationCheck, &clerk, day(5)),
        (Action::RecordInformationCheck { summary: "未发现车辆、房产、工商登记（演示）".into() }, &clerk, day(4)),
        (
            Action::SubmitInitialOpinion {
                recommendation: Recommendation::Approve,
                amount_fen: Some(40_000),
                reasons: vec!["家庭月人均收入低于当地低保标准（演示）".into()],
            },
            &reviewer,
            day(3),
        ),
        (Action::StartPublicity, &clerk, day(2)),
    ];
    let calendar = calendar::work_calendar(state).await?;
    let declarants = vec![village.user_id];
    let (mut s, _) = case_state::load_state(tx.conn(), case).await.map_err(seed_err)?;
    for (action, actor, on) in steps {
        let ctx = Ctx { policy: &state.policy, calendar: &calendar, today: on, near_relative_declarants: &declarants };
        let t = apply(&s, &action, actor, &ctx).map_err(|e| Error::Invalid(format!("demo workflow: {e}")))?;
        let detail = json!({ "action": t.action, "from": t.from, "to": t.to, "responsible": t.responsible, "events": t.events, "demo": true });
        cases::add_step(tx, case.id, &format!("wf.{}", t.action.as_str()), Some(actor.user_id), None, detail).await?;
        s = t.state;
    }
    sqlx::query("UPDATE cases SET workflow = $1, workflow_version = workflow_version + 1, step = $2 WHERE id = $3")
        .bind(crate::store::db::to_json(&s))
        .bind(s.stage.as_str())
        .bind(case.id.to_string())
        .execute(tx.conn())
        .await?;
    audit::record(
        tx,
        AuditEntry::system("case.demo_workflow", "case", case.id, Some(&case.org_path)).with_detail(json!({ "demo": true, "stage": s.stage })),
    )
    .await?;
    Ok(())
}

async fn user_id(tx: &mut crate::store::db::Tx, username: &str) -> Result<uuid::Uuid> {
    let row = sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(tx.conn())
        .await?
        .ok_or_else(|| Error::Invalid(format!("demo user {username} missing")))?;
    Ok(parse_uuid(&row.try_get::<String, _>("id")?)?)
}
