//! The policy at start-up (bundled, custom, broken) and the working-day calendar: listing, loading a new year.
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is the test failing, with its location

mod common;

use chrono::NaiveDate;
use common::{CALENDAR_2027_FIXTURE, on_both};
use reqwest::{Method, StatusCode};
use ruhu_server::{app::start::open_state, records::calendar};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[tokio::test]
async fn calendar_lists_the_bundled_years_and_an_administrator_loads_the_next() {
    on_both("calendar", |env| async move {
        let r = env.request(Method::GET, "/api/v1/calendar", None, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{r:?}");

        let user = env.login("qingyan.diaocha1").await;
        let r = env.get(&user, "/api/v1/calendar").await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        assert_eq!(r.body["covered_years"], serde_json::json!([2024, 2025, 2026]));
        let y2026 = &r.body["years"][2];
        assert_eq!(y2026["origin"], "bundled");
        let spring = y2026["holidays"].as_array().unwrap().iter().find(|h| h["name"] == "春节").unwrap();
        assert_eq!(spring["off_from"], "2026-02-15");
        assert_eq!(spring["working"], serde_json::json!(["2026-02-14", "2026-02-28"]));

        // Before 2027 is loaded, a deadline reaching into it is provisional (the statutory holidays only).
        let cal = calendar::work_calendar(&env.state()).await.unwrap();
        let due = cal.add_working_days(d(2026, 12, 14), 20).unwrap();
        assert_eq!((due.due, due.provisional), (d(2027, 1, 12), true));

        // A malformed schedule is refused with the path and stores nothing.
        let bad = CALENDAR_2027_FIXTURE.replace("working = []", "working = [2027-01-02]");
        let e = calendar::load_calendar_file(&env.state(), &bad, false, None).await.unwrap_err().message;
        assert!(e.contains("years[0].holidays[0].working[0]") && e.contains("既是放假日又是上班日"), "{e}");
        assert_eq!(env.count("work_calendar_years").await, 3);

        assert_eq!(calendar::load_calendar_file(&env.state(), CALENDAR_2027_FIXTURE, false, None).await.unwrap(), vec![2027]);
        let r = env.get(&user, "/api/v1/calendar").await;
        assert_eq!(r.body["covered_years"], serde_json::json!([2024, 2025, 2026, 2027]));
        assert_eq!(r.body["years"][3]["origin"], "admin");
        let cal = calendar::work_calendar(&env.state()).await.unwrap();
        // The fixture gives 4 January off as well: the same deadline is now exact, a day later.
        let due = cal.add_working_days(d(2026, 12, 14), 20).unwrap();
        assert_eq!((due.due, due.provisional), (d(2027, 1, 13), false));

        // Loading the year again needs --replace; both loads are audited.
        let e = calendar::load_calendar_file(&env.state(), CALENDAR_2027_FIXTURE, false, None).await.unwrap_err().message;
        assert!(e.contains("2027年的节假日安排已导入"), "{e}");
        assert_eq!(calendar::load_calendar_file(&env.state(), CALENDAR_2027_FIXTURE, true, None).await.unwrap(), vec![2027]);
        assert_eq!(env.count("audit_events WHERE action = 'calendar.load'").await, 2);
        assert_eq!(ruhu_server::verify_audit_chain(&env.db()).await.unwrap(), None);

        // A restart re-seeds the bundled years without touching the administrator's.
        env.restart().await;
        let r = env.get(&user, "/api/v1/calendar").await;
        assert_eq!(r.body["covered_years"], serde_json::json!([2024, 2025, 2026, 2027]));
        assert_eq!(r.body["years"][3]["origin"], "admin");

        let doc = env.request(Method::GET, "/api/v1/openapi.json", None, None).await;
        assert!(doc.body["paths"]["/api/v1/calendar"]["get"].is_object());
    })
    .await;
}

#[tokio::test]
async fn the_server_starts_with_the_bundled_policy_and_refuses_a_broken_policy_file() {
    on_both("policy_start", |env| async move {
        let state = env.state();
        assert_eq!(state.policy.district_code(), "520111");
        assert_eq!(state.policy.min_investigators(), 2);

        let dir = tempfile::tempdir().unwrap();
        let huaxi = ruhu_core::policy::Policy::huaxi_toml();

        // A district's own file is used instead of the bundled one.
        let custom = dir.path().join("policy-custom.toml");
        std::fs::write(&custom, huaxi.replacen("value = 2\nunit = \"persons\"", "value = 3\nunit = \"persons\"", 1)).unwrap();
        let mut config = env.config.clone();
        config.policy_file = Some(custom);
        let other = open_state(&config).await.expect("a valid custom policy starts");
        assert_eq!(other.policy.min_investigators(), 3);
        other.close().await;

        // A broken file stops the start with the key path, in English and Chinese.
        let broken = dir.path().join("policy-broken.toml");
        std::fs::write(
            &broken,
            huaxi.replacen(
                "value = 3\nunit = \"working_days\"\nfrom = \"acceptance\"",
                "value = 0\nunit = \"working_days\"\nfrom = \"acceptance\"",
                1,
            ),
        )
        .unwrap();
        config.policy_file = Some(broken.clone());
        let Err(e) = open_state(&config).await else { panic!("a broken policy was accepted") };
        let msg = e.to_string();
        assert!(msg.contains("policy-broken.toml"), "{msg}");
        assert!(msg.contains("deadlines.dibao.investigation_start: must be a positive number of working days"), "{msg}");
        assert!(msg.contains("须为正整数个工作日"), "{msg}");

        // A file that does not exist is refused too, rather than silently falling back to Huaxi's.
        config.policy_file = Some(dir.path().join("missing.toml"));
        assert!(open_state(&config).await.is_err());
    })
    .await;
}
