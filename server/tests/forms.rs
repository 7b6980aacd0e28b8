//! Publishing a form version at the district: from an XLSForm workbook or a JSON definition, checked by the same
//! engine as the phones, never changing a published version.
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is the test failing, with its location

mod common;

use common::{Reply, TestEnv, on_both};
use reqwest::StatusCode;
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const SAMPLE: &[u8] = include_bytes!("../../core/forms/xlsform/sample-dibao-members.xlsx");

async fn publish(env: &TestEnv, token: &str, content_type: &str, body: Vec<u8>) -> Reply {
    let res = env
        .client
        .post(env.url("/api/v1/forms"))
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .expect("request sent");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.json::<Value>().await.unwrap_or(Value::Null);
    Reply { status, headers, body }
}

/// A workbook whose third survey row has a question type no form knows.
fn workbook_with_unknown_type() -> Vec<u8> {
    let mut book = Workbook::new();
    let rows: [(&str, &[&[&str]]); 2] = [
        ("survey", &[&["type", "name", "label::Chinese (zh)"], &["integer", "household_size", "人数"], &["thermometer", "temperature", "体温"]]),
        ("settings", &[&["form_id", "version", "form_title"], &["broken", "1", "有误的表单"]]),
    ];
    for (name, table) in rows {
        let ws = book.add_worksheet();
        ws.set_name(name).unwrap();
        for (r, row) in table.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn the_district_publishes_an_xlsform_and_a_published_version_never_changes() {
    on_both("forms_publish", |env| async move {
        let investigator = env.login("qingyan.diaocha1").await;
        let r = publish(&env, &investigator.access, XLSX, SAMPLE.to_vec()).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden_role"), "{r:?}");

        let district = env.login("qu.jianguan").await;
        let r = publish(&env, &district.access, XLSX, SAMPLE.to_vec()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        assert_eq!(
            (r.body["id"].as_str(), r.body["version"].as_u64(), r.body["created"].as_bool()),
            (Some("dibao-members-sample"), Some(1), Some(true))
        );
        let listed = env.get(&investigator, "/api/v1/forms").await.body;
        assert!(listed.as_array().unwrap().iter().any(|f| f["id"] == "dibao-members-sample"), "{listed}");
        assert!(listed.as_array().unwrap().iter().any(|f| f["id"] == "periodic-review" && f["purpose"] == "periodic_review"), "{listed}");

        // The same workbook again changes nothing.
        let r = publish(&env, &district.access, XLSX, SAMPLE.to_vec()).await;
        assert_eq!((r.status, r.body["created"].as_bool()), (StatusCode::OK, Some(false)), "{r:?}");

        // Another definition under the same id and version is refused: phones may hold drafts of it.
        let mut changed: Value = serde_json::from_str(include_str!("../../core/forms/xlsform/sample-dibao-members.json")).unwrap();
        changed["title"] = json!("改过标题的表单");
        let r = publish(&env, &district.access, "application/json", changed.to_string().into_bytes()).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "form_version_exists"), "{r:?}");
        assert!(r.body["message"].as_str().unwrap().contains("请提高版本号"));
        changed["version"] = json!(2);
        let r = publish(&env, &district.access, "application/json", changed.to_string().into_bytes()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");

        assert_eq!(env.count("forms WHERE id = 'dibao-members-sample'").await, 2);
        assert_eq!(env.count("audit_events WHERE action = 'form_published'").await, 2);
    })
    .await;
}

#[tokio::test]
async fn a_broken_form_is_refused_with_its_place_and_nothing_is_stored() {
    on_both("forms_broken", |env| async move {
        let district = env.login("qu.jianguan").await;
        let before = env.count("forms").await;

        let r = publish(&env, &district.access, XLSX, workbook_with_unknown_type()).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_workbook"), "{r:?}");
        assert_eq!((r.body["details"]["sheet"].as_str(), r.body["details"]["row"].as_u64()), (Some("survey"), Some(3)), "{r:?}");
        assert!(r.body["message"].as_str().unwrap().contains("survey!A3"), "{r:?}");

        let r = publish(&env, &district.access, XLSX, b"not a workbook".to_vec()).await;
        assert_eq!(r.code(), "invalid_workbook", "{r:?}");

        let bad_expression = json!({ "id": "bad", "version": 1, "title": "有误", "questions": [
            { "id": "size", "kind": "integer", "label": "人数" },
            { "id": "note", "kind": "text", "label": "说明", "relevant": "size > 'three'" }
        ]});
        let r = publish(&env, &district.access, "application/json", bad_expression.to_string().into_bytes()).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_form_definition"), "{r:?}");
        assert_eq!(r.body["field"], "questions[1].relevant", "{r:?}");

        let r = publish(&env, &district.access, "text/csv", b"type,name".to_vec()).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"), "{r:?}");

        assert_eq!(env.count("forms").await, before, "nothing stored");
    })
    .await;
}
