//! Deadlines in a year whose holiday schedule is not loaded yet, through the API and the phone's pull: provisional
//! (暂定) by default and exact once an administrator loads the year; or, on a server set to refuse, no date for that
//! one step. The case's stage and its other steps are never hidden. The tests set the day: 14 December 2026, when a
//! newly accepted case's 20-working-day procedure runs into 2027.
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is the test failing, with its location

mod common;

use chrono::NaiveDate;
use common::{CALENDAR_2027_FIXTURE, Session, TestEnv, on_both_with};
use reqwest::StatusCode;
use ruhu_core::{resident_id::make_resident_id, time::Clock};
use ruhu_server::{ServerConfig, app::config::UnloadedYears};
use serde_json::{Value, json};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn on_14_december(config: &mut ServerConfig) {
    config.clock = Clock::starting_on(d(2026, 12, 14), 10, 0);
}

/// A new 青岩镇 household with a 低保 application, accepted today.
async fn new_case(env: &TestEnv, clerk: &Session, seq: u16) -> String {
    let id = make_resident_id("520111", d(1970, 3, 4), seq).as_str().to_string();
    let members = json!([{ "name": "期限测试户主（演示）", "resident_id": id, "relation": "户主" }]);
    let h = env
        .post(
            clerk,
            "/api/v1/households",
            json!({ "village_code": "520111101901", "head_name": "期限测试户主（演示）", "address": "示范一村（演示）", "members": members }),
        )
        .await;
    assert_eq!(h.status, StatusCode::CREATED, "{h:?}");
    let c =
        env.accepted_case(clerk, json!({ "household_id": h.body["id"], "assistance_type": "dibao", "facts": { "household.area": "rural" } })).await;
    c.body["id"].as_str().unwrap().to_string()
}

fn step<'a>(steps: &'a Value, key: &str) -> &'a Value {
    steps.as_array().unwrap().iter().find(|s| s["key"] == key).unwrap_or_else(|| panic!("no step {key} in {steps}"))
}

/// Assigns the case to 调查员一 and 二 and returns the assignment as 调查员一's phone pulls it, with the cursor.
async fn assign_and_pull(env: &TestEnv, case: &str) -> (Session, String, Value, i64) {
    let boss = env.login("qingyan.zuzhang").await;
    let ids = [env.user_id("qingyan.diaocha1").await, env.user_id("qingyan.diaocha2").await];
    let a = env.post(&boss, "/api/v1/assignments", json!({ "case_id": case, "investigator_ids": ids, "due_date": "2026-12-21" })).await;
    assert_eq!(a.status, StatusCode::CREATED, "{a:?}");
    let id = a.body["id"].as_str().unwrap().to_string();
    let phone = env.login("qingyan.diaocha1").await;
    let (snapshot, cursor) = pulled(env, &phone, &id, 0).await;
    (phone, id, snapshot, cursor)
}

/// The assignment `id` as it arrives in `phone`'s pull after `since`, and the cursor after the page.
async fn pulled(env: &TestEnv, phone: &Session, id: &str, since: i64) -> (Value, i64) {
    let page = env.get(phone, &format!("/api/v1/sync/pull?since={since}")).await;
    assert_eq!(page.status, StatusCode::OK, "{page:?}");
    let found = page.body["changes"].as_array().unwrap().iter().find(|c| c["type"] == "assignment_upsert" && c["assignment"]["id"] == id);
    let snapshot = found.unwrap_or_else(|| panic!("assignment {id} not in the pull: {}", page.body))["assignment"].clone();
    (snapshot, page.body["next_cursor"].as_i64().unwrap())
}

#[tokio::test]
async fn a_deadline_in_a_year_not_loaded_is_provisional_until_an_administrator_loads_the_year() {
    on_both_with("deadlines_provisional", on_14_december, |env| async move {
        let clerk = env.login("qingyan.jingban").await;
        let admin = env.login("admin").await;
        let case = new_case(&env, &clerk, 501).await;

        // The case record: the 3-working-day start of the investigation is exact, the 20-working-day procedure
        // reaches into 2027 and is provisional (元旦 from the statutory holidays, no make-up days).
        let view = env.get(&clerk, &format!("/api/v1/cases/{case}/workflow")).await;
        assert_eq!(view.status, StatusCode::OK, "{view:?}");
        let start = step(&view.body["open_steps"], "investigation_start");
        assert_eq!((start["due"].as_str(), start["provisional"].as_bool()), (Some("2026-12-17"), Some(false)));
        let procedure = step(&view.body["open_steps"], "procedure_devolved");
        assert_eq!((procedure["due"].as_str(), procedure["provisional"].as_bool()), (Some("2027-01-12"), Some(true)));
        assert_eq!(view.body["undated_steps"], json!([]));

        // The deadline list keeps both, each with its urgency, and has nothing it could not compute.
        let list = env.get(&clerk, "/api/v1/deadlines").await;
        let mine: Vec<(String, String, bool)> = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["case_id"] == case.as_str())
            .map(|i| (i["step"]["key"].as_str().unwrap().into(), i["urgency"].as_str().unwrap().into(), i["step"]["provisional"].as_bool().unwrap()))
            .collect();
        assert_eq!(mine, [("investigation_start".into(), "due_soon".into(), false), ("procedure_devolved".into(), "on_time".into(), true)]);
        assert_eq!(list.body["problems"], json!([]));

        // The phone gets the stage and the provisional date with its due-soon day.
        let (phone, assignment, snapshot, cursor) = assign_and_pull(&env, &case).await;
        let progress = &snapshot["case"]["progress"];
        assert_eq!((progress["stage"].as_str(), progress["stage_label"].as_str()), (Some("investigating"), Some("调查核实中")));
        let on_phone = step(&progress["open_steps"], "procedure_devolved");
        assert_eq!((on_phone["due"].as_str(), on_phone["provisional"].as_bool()), (Some("2027-01-12"), Some(true)));
        assert_eq!(on_phone["due_soon_from"], "2027-01-07");

        // From November the console reminds administrators and the district that 2027 is missing.
        let calendar = env.get(&admin, "/api/v1/calendar").await;
        assert_eq!(calendar.body["reminder"]["year"], 2027, "{calendar:?}");
        assert!(calendar.body["reminder"]["message"].as_str().unwrap().contains("暂定"), "{calendar:?}");

        // Only an administrator loads a year; a broken file or a year loaded twice changes nothing.
        let r = env.post(&clerk, "/api/v1/calendar", json!({ "file": CALENDAR_2027_FIXTURE })).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden_role"), "{r:?}");
        let r =
            env.post(&admin, "/api/v1/calendar", json!({ "file": CALENDAR_2027_FIXTURE.replace("working = []", "working = [2027-01-02]") })).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_calendar"), "{r:?}");
        assert!(r.body["message"].as_str().unwrap().contains("years[0].holidays[0].working[0]"), "{r:?}");
        assert_eq!(env.count("work_calendar_years").await, 3);
        let r = env.post(&admin, "/api/v1/calendar", json!({ "file": CALENDAR_2027_FIXTURE })).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        assert_eq!(r.body["covered_years"], json!([2024, 2025, 2026, 2027]));
        assert_eq!(r.body["reminder"], Value::Null);
        let again = env.post(&admin, "/api/v1/calendar", json!({ "file": CALENDAR_2027_FIXTURE })).await;
        assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "calendar_year_exists"), "{again:?}");
        let admin_id = env.user_id("admin").await;
        assert_eq!(env.count(&format!("audit_events WHERE action = 'calendar.load' AND actor_user_id = '{admin_id}'")).await, 1);

        // Recomputed on the loaded schedule (4 January off too): exact, a day later, at the desk and on the phone.
        let view = env.get(&clerk, &format!("/api/v1/cases/{case}/workflow")).await;
        let procedure = step(&view.body["open_steps"], "procedure_devolved");
        assert_eq!((procedure["due"].as_str(), procedure["provisional"].as_bool()), (Some("2027-01-13"), Some(false)));
        let (snapshot, _) = pulled(&env, &phone, &assignment, cursor).await;
        let on_phone = step(&snapshot["case"]["progress"]["open_steps"], "procedure_devolved");
        assert_eq!((on_phone["due"].as_str(), on_phone["provisional"].as_bool()), (Some("2027-01-13"), Some(false)));
    })
    .await;
}

#[tokio::test]
async fn a_server_set_to_refuse_gives_that_one_step_no_date_and_keeps_the_stage_and_every_other_step() {
    let refuse = |config: &mut ServerConfig| {
        on_14_december(config);
        config.unloaded_years = UnloadedYears::Refuse;
    };
    on_both_with("deadlines_refused", refuse, |env| async move {
        let clerk = env.login("qingyan.jingban").await;
        let case = new_case(&env, &clerk, 502).await;

        let view = env.get(&clerk, &format!("/api/v1/cases/{case}/workflow")).await;
        let start = step(&view.body["open_steps"], "investigation_start");
        assert_eq!((start["due"].as_str(), start["provisional"].as_bool()), (Some("2026-12-17"), Some(false)));
        let undated = view.body["undated_steps"].as_array().unwrap();
        assert_eq!(undated.len(), 1, "{undated:?}");
        assert_eq!((undated[0]["key"].as_str(), undated[0]["code"].as_str()), (Some("procedure_devolved"), Some("calendar_year_not_covered")));
        assert!(undated[0]["reason_zh"].as_str().unwrap().contains("2027年的法定节假日安排尚未导入"), "{undated:?}");

        let list = env.get(&clerk, "/api/v1/deadlines").await;
        let items: Vec<&Value> = list.body["items"].as_array().unwrap().iter().filter(|i| i["case_id"] == case.as_str()).collect();
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!((items[0]["step"]["key"].as_str(), items[0]["urgency"].as_str()), (Some("investigation_start"), Some("due_soon")));
        let problems: Vec<&Value> = list.body["problems"].as_array().unwrap().iter().filter(|p| p["case_id"] == case.as_str()).collect();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0]["step"]["key"], "procedure_devolved");

        let (_, _, snapshot, _) = assign_and_pull(&env, &case).await;
        let progress = &snapshot["case"]["progress"];
        assert_eq!(progress["stage_label"], "调查核实中", "the phone always gets the stage");
        assert!(progress["open_steps"].as_array().unwrap().iter().all(|s| s["key"] != "procedure_devolved"), "{progress}");
        assert_eq!(step(&progress["undated_steps"], "procedure_devolved")["label_zh"], "审核确认办理时限（权限下放）");

        let admin = env.login("admin").await;
        let calendar = env.get(&admin, "/api/v1/calendar").await;
        assert_eq!(calendar.body["unloaded_years"], "refuse");
        assert!(calendar.body["reminder"]["message"].as_str().unwrap().contains("无法计算"), "{calendar:?}");
    })
    .await;
}

#[tokio::test]
async fn before_november_nobody_is_reminded_of_next_years_schedule() {
    let on_31_october = |config: &mut ServerConfig| config.clock = Clock::starting_on(d(2026, 10, 31), 10, 0);
    on_both_with("deadlines_reminder", on_31_october, |env| async move {
        let admin = env.login("admin").await;
        let calendar = env.get(&admin, "/api/v1/calendar").await;
        assert_eq!(calendar.status, StatusCode::OK, "{calendar:?}");
        assert_eq!(calendar.body["reminder"], Value::Null);
    })
    .await;
}
