//! The reviewer sees the eligibility pre-check of a 低保 case, computed from the case's facts (the application's,
//! then the visit's) and the year's local standard: advice with its inputs, never the decision.
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is the test failing, with its location

mod common;

use chrono::Datelike;
use common::{Visit, on_both, submission};
use reqwest::StatusCode;
use ruhu_core::policy::Area;

#[tokio::test]
async fn the_workflow_view_shows_the_precheck_from_the_visit() {
    on_both("eligibility", |env| async move {
        let d1 = env.login("qingyan.diaocha1").await;
        let assignment = env.demo_assignment(&d1).await;
        let case_id = assignment["case"]["id"].as_str().unwrap().to_string();
        let reviewer = env.login("qingyan.shenhe").await;

        let before = env.get(&reviewer, &format!("/api/v1/cases/{case_id}/workflow")).await;
        assert_eq!(before.status, StatusCode::OK, "{before:?}");
        // Before the visit, the advice rests on what the application declared (demo: ¥800 for 3 people).
        assert_eq!(before.body["eligibility"]["per_capita_income_fen"], 26_666, "{:?}", before.body["eligibility"]);

        let (files, visit) = Visit::hashes("eligibility");
        for (i, f) in files.iter().enumerate() {
            env.upload(&d1, f, if i < 3 { "image/jpeg" } else { "image/png" }).await;
        }
        // 3 members, ¥300 wages + ¥300 transfers a month: ¥200 per person.
        let pushed = env.post(&d1, "/api/v1/sync/submissions", serde_json::to_value(submission(&d1, &assignment, &visit, 3, 30_000)).unwrap()).await;
        assert_eq!(pushed.body["state"], "merged", "{pushed:?}");

        let view = env.get(&reviewer, &format!("/api/v1/cases/{case_id}/workflow")).await.body;
        let advice = &view["eligibility"];
        let standard = env.state().policy.local_standard(ruhu_core::time::process_clock().today().year()).unwrap().dibao_monthly_fen(Area::Rural);
        assert_eq!(advice["kind"], "dibao", "{advice}");
        assert_eq!(advice["per_capita_income_fen"], 20_000, "{advice}");
        assert_eq!(advice["outcome"], if standard > 20_000 { "dibao" } else { "not_eligible" }, "{advice}");
        if standard > 20_000 {
            assert_eq!(advice["gap_payment_fen"], (standard - 20_000) * 3, "{advice}");
        }
        assert!(advice["note"].as_str().unwrap().contains("不是审核确认结论"), "{advice}");
        let findings = advice["findings"].as_array().unwrap();
        assert!(findings.iter().any(|f| f["code"] == "income_below_standard"), "{advice}");

        // Another township's reviewer cannot read it.
        let other = env.login("shiban.shenhe").await;
        let r = env.get(&other, &format!("/api/v1/cases/{case_id}/workflow")).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "out_of_scope"), "{r:?}");
    })
    .await;
}
