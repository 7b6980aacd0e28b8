//! A complete 低保 home visit on the published `dibao-home-visit` v2, for demo data and the test suites of every end
//! (core, server, e2e, bench), so they all fill the same form the same way. Media answers (photos, signatures) and
//! the location are the caller's: they come from the real pipeline of each end.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::resident_id::make_resident_id;

pub const DIBAO_FORM_ID: &str = "dibao-home-visit";
/// The published 低保 version a new visit fills.
pub const DIBAO_FORM_VERSION: u32 = 2;
/// The photo questions an in-person v2 visit must answer, one photo each at least.
pub const DIBAO_PHOTO_QUESTIONS: [&str; 3] = ["photos_outside", "photos_inside", "photos_kitchen"];
/// Monthly transfer income of the sample household (a pension), in fen.
pub const SAMPLE_TRANSFER_FEN: i64 = 30_000;
/// Monthly medical expenses of the sample household, in fen.
pub const SAMPLE_MEDICAL_FEN: i64 = 20_000;

/// One row of the `members` repeat group: the applicant first (born 1958, no work capacity), then relatives of
/// working age who farm. IDs are valid and deterministic.
pub fn dibao_member(position: usize) -> Value {
    const NAMES: [&str; 6] = ["王明德", "刘秀英", "王建国", "王建华", "王小梅", "王小军"];
    const RELATIONS: [&str; 6] = ["self", "spouse", "child", "child", "grandchild", "grandchild"];
    let i = position % NAMES.len();
    let born = NaiveDate::from_ymd_opt(if i == 0 { 1958 } else { 1980 + i as i32 }, 3, 1 + i as u32).unwrap_or_default();
    let id = make_resident_id("520111", born, 700 + position as u16);
    let mut row = json!({
        "member_name": NAMES[i], "relation": RELATIONS[i], "resident_id": id.as_str(),
        "health": if i == 0 { "serious" } else { "healthy" }, "disability_grade": "none",
        "work_capacity": if i == 0 { "none" } else { "full" },
    });
    if i != 0 {
        row["employment"] = json!("farming");
    }
    row
}

/// Every non-media answer of `dibao-home-visit` v2 for an in-person visit on `visit_date` ("YYYY-MM-DD") of a
/// household of `household_size` members (one row each) earning `wages_fen` a month in wages plus
/// `SAMPLE_TRANSFER_FEN`; the monthly total is their sum and the per-capita income that sum divided by the size.
pub fn dibao_v2_answers(visit_date: &str, household_size: usize, wages_fen: i64) -> BTreeMap<String, Value> {
    let members: Vec<Value> = (0..household_size).map(dibao_member).collect();
    let answers = json!({
        "visit_date": visit_date, "visit_mode": "in_person", "household_size": household_size, "members": members,
        "near_relative_of_staff": false,
        "income_wages_fen": wages_fen, "income_business_fen": 0, "income_property_fen": 0, "income_transfer_fen": SAMPLE_TRANSFER_FEN,
        "has_excluded_income": false,
        "bank_deposits_fen": 500_000, "securities_fen": 0, "has_vehicle": false, "house_count": 1, "house_area_m2": 60.0,
        "land_mu": 0.0, "has_business": false,
        "housing_condition": "own_safe", "living_conditions": "吃穿基本有保障，住房较旧", "high_spending_signs": false,
        "rigid_expenses": ["medical"], "expense_medical_fen": SAMPLE_MEDICAL_FEN,
        "neighbour_visited": true, "neighbour_findings": "邻居反映情况属实", "opinion_result": "consistent", "opinion": "情况属实",
    });
    answers.as_object().map(|o| o.clone().into_iter().collect()).unwrap_or_default()
}

/// The v1 photo question: at least three photos of the house.
pub const DIBAO_V1_PHOTO_QUESTION: &str = "photos_house";
/// Deposits of the v1 sample household, in fen.
pub const SAMPLE_V1_DEPOSITS_FEN: i64 = 120_000;

/// Every non-media answer of `dibao-home-visit` v1 (a visit assigned, or a draft begun, before v2 was published), for
/// the tests that hold the server and the phone to finishing such a visit.
pub fn dibao_v1_answers(visit_date: &str, household_size: i64, wages_fen: i64) -> BTreeMap<String, Value> {
    let answers = json!({
        "visit_date": visit_date, "household_size": household_size,
        "income_wages_fen": wages_fen, "income_business_fen": 0, "income_property_fen": 0, "income_transfer_fen": 0,
        "deposits_fen": SAMPLE_V1_DEPOSITS_FEN, "has_vehicle": false, "housing_condition": "own_safe",
        "living_conditions": "生活简朴", "opinion": "情况属实",
    });
    answers.as_object().map(|o| o.clone().into_iter().collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::{FormSession, builtin_forms};

    #[test]
    fn the_sample_with_media_is_a_complete_visit_with_the_facts_it_implies() {
        let def = builtin_forms().into_iter().find(|f| f.id == DIBAO_FORM_ID && f.version == DIBAO_FORM_VERSION).unwrap();
        let mut a = dibao_v2_answers("2026-03-14", 3, 60_000);
        let sha = |n: u8| format!("{n:02x}").repeat(32);
        for (i, q) in DIBAO_PHOTO_QUESTIONS.iter().enumerate() {
            a.insert((*q).into(), json!([sha(i as u8 + 1)]));
        }
        for (i, q) in ["sign_investigator_1", "sign_investigator_2", "sign_family"].iter().enumerate() {
            a.insert((*q).into(), json!(sha(i as u8 + 10)));
        }
        a.insert("location".into(), json!({ "lat": 26.33, "lon": 106.69 }));
        let state = FormSession::new(&def).unwrap().evaluate(&a);
        assert_eq!(state.errors, vec![]);
        let fact = |k: &str| state.facts().iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        assert_eq!(fact("income.monthly_total_fen"), Some(json!(90_000)));
        assert_eq!(fact("income.per_capita_fen"), Some(json!(30_000)));
        let members = fact("household.members").unwrap();
        assert_eq!(members.as_array().map(Vec::len), Some(3));
        assert_eq!(members[0]["age"], json!(68));
    }
}
