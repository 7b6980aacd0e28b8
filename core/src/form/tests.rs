//! Behaviour of the forms engine as a form author and an investigator see it.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::*;

fn dibao() -> FormDefinition {
    builtin_forms().into_iter().find(|f| f.id == "dibao-home-visit").unwrap()
}

#[test]
fn empty_answers_list_every_required_question_in_chinese() {
    let errors = dibao().validate(&BTreeMap::new());
    assert!(errors.iter().any(|e| e.question_id == "photos_house" && e.code == "required"));
    assert!(errors.iter().all(|e| e.message.starts_with("请填写")));
}

#[test]
fn wrong_types_and_too_few_photos_are_named() {
    let form = dibao();
    let mut answers = BTreeMap::new();
    answers.insert("household_size".to_string(), json!("three"));
    answers.insert("photos_house".to_string(), json!(["ab"]));
    answers.insert("housing_condition".to_string(), json!("castle"));
    let errors = form.validate(&answers);
    let code = |id: &str| errors.iter().find(|e| e.question_id == id).map(|e| e.code.clone());
    assert_eq!(code("household_size").as_deref(), Some("wrong_type"));
    assert_eq!(code("photos_house").as_deref(), Some("wrong_type"));
    assert_eq!(code("housing_condition").as_deref(), Some("not_a_choice"));
}

#[test]
fn broken_definitions_fail_at_load_with_a_path() {
    let bad = r#"{"id":"x","version":1,"title":"t","questions":[{"id":"a","kind":"text","label":"A"},{"id":"a","kind":"text","label":"B"}]}"#;
    let err = FormDefinition::from_json(bad).unwrap_err();
    assert_eq!(err.path, "questions[1]");
    let no_choices = r#"{"id":"x","version":1,"title":"t","questions":[{"id":"a","kind":"select_one","label":"A"}]}"#;
    assert_eq!(FormDefinition::from_json(no_choices).unwrap_err().path, "questions[0]");
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

fn answers(v: Value) -> BTreeMap<String, Value> {
    v.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn form(questions: Value) -> FormDefinition {
    let json = json!({ "id": "t", "version": 1, "title": "测试", "questions": questions }).to_string();
    FormDefinition::from_json(&json).unwrap_or_else(|e| panic!("{e:?}"))
}

fn load_error(questions: Value) -> DefinitionError {
    let json = json!({ "id": "t", "version": 1, "title": "测试", "questions": questions }).to_string();
    FormDefinition::from_json(&json).unwrap_err()
}

fn sha(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

fn id_born(y: i32, m: u32, d: u32, seq: u16) -> String {
    crate::resident_id::make_resident_id("520111", chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap(), seq).as_str().to_string()
}

/// The one check both entry points must pass: `FormDefinition::validate` (what the server and the device's finalise
/// call) and `FormSession::evaluate` (what the phone calls after every answer) give the same errors, and those are
/// exactly the per-question errors of the state.
fn errors_both_ways(def: &FormDefinition, a: &BTreeMap<String, Value>) -> Vec<FieldError> {
    let via_definition = def.validate(a);
    let state = FormSession::new(def).unwrap().evaluate(a);
    assert_eq!(via_definition, state.errors, "validate and the evaluator disagree");
    let per_question: Vec<FieldError> = state.questions.iter().flat_map(|q| q.errors.clone()).collect();
    let unknown: Vec<FieldError> = state.errors.iter().filter(|e| e.code == "unknown_question").cloned().collect();
    let rest: Vec<FieldError> = state.errors.iter().filter(|e| e.code != "unknown_question").cloned().collect();
    assert_eq!(rest, per_question.into_iter().filter(|e| e.code != "unknown_question").collect::<Vec<_>>());
    let _ = unknown;
    via_definition
}

fn codes(errors: &[FieldError]) -> Vec<(String, String)> {
    errors.iter().map(|e| (e.question_id.clone(), e.code.clone())).collect()
}

// ---------------------------------------------------------------------------------------------------------------
// dibao-home-visit v1 behaves exactly as the first engine did

/// The first engine's `validate`, kept here as the reference the published v1 form is held to.
fn first_engine_validate(def: &FormDefinition, answers: &BTreeMap<String, Value>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for key in answers.keys() {
        if def.question(key).is_none() {
            errors.push(FieldError { question_id: key.clone(), code: "unknown_question".into(), message: "表单中没有此问题".into() });
        }
    }
    for q in &def.questions {
        match answers.get(&q.id) {
            None | Some(Value::Null) => {
                if q.required && q.kind != QuestionKind::Note {
                    errors.push(FieldError { question_id: q.id.clone(), code: "required".into(), message: format!("请填写：{}", q.label) });
                }
            }
            Some(v) => errors.extend(q.check_value(v)),
        }
    }
    errors
}

fn v1_complete() -> BTreeMap<String, Value> {
    answers(json!({
        "visit_date": "2024-09-02", "household_size": 3,
        "income_wages_fen": 120000, "income_business_fen": 0, "income_property_fen": 0, "income_transfer_fen": 30000,
        "deposits_fen": 500000, "has_vehicle": false, "housing_condition": "own_unsafe", "rigid_expenses": ["medical"],
        "living_conditions": "屋内陈设简陋", "location": { "lat": 26.41, "lon": 106.67 },
        "photos_house": [sha(1), sha(2), sha(3)], "opinion": "情况属实",
        "sign_investigator_1": sha(4), "sign_investigator_2": sha(5), "sign_family": sha(6)
    }))
}

#[test]
fn dibao_v1_validates_every_answer_set_as_the_first_engine_did() {
    let def = dibao();
    assert_eq!(def.version, 1);
    let mut cases = vec![BTreeMap::new(), v1_complete()];
    let variations = [
        ("household_size", json!("three")),
        ("household_size", json!(2.5)),
        ("income_wages_fen", json!(-1)),
        ("income_wages_fen", json!(12.5)),
        ("visit_date", json!("2024-02-30")),
        ("has_vehicle", json!("no")),
        ("housing_condition", json!("castle")),
        ("rigid_expenses", json!(["medical", "travel"])),
        ("location", json!({ "lat": 91.0, "lon": 0.0 })),
        ("photos_house", json!([sha(1)])),
        ("photos_house", json!(["ab"])),
        ("sign_family", json!("not-a-hash")),
        ("intro", json!("anything")),
        ("opinion", Value::Null),
        ("extra", json!(1)),
    ];
    for (key, value) in variations {
        let mut a = v1_complete();
        a.insert(key.to_string(), value);
        cases.push(a);
    }
    for a in &cases {
        assert_eq!(errors_both_ways(&def, a), first_engine_validate(&def, a), "answers {a:?}");
    }
    assert!(def.validate(&v1_complete()).is_empty());
    let complete = v1_complete();
    let facts: Vec<(&str, &Value)> = def.facts(&complete).collect();
    assert_eq!(facts.len(), 9);
    assert!(facts.contains(&("income.wages_fen", &json!(120000))));
}

#[test]
fn v1_serialises_as_it_did_so_published_copies_compare_equal() {
    let def = dibao();
    let again: FormDefinition = serde_json::from_value(serde_json::to_value(&def).unwrap()).unwrap();
    assert_eq!(again, def);
    let value = serde_json::to_value(&def).unwrap();
    for q in value["questions"].as_array().unwrap() {
        let keys: Vec<&String> = q.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["choices", "fact", "hint", "id", "kind", "label", "min_count", "required", "signer"], "new keys leaked into v1");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Question types

fn every_kind() -> FormDefinition {
    form(json!([
        { "id": "t_text", "kind": "text", "label": "文字" },
        { "id": "t_int", "kind": "integer", "label": "整数" },
        { "id": "t_dec", "kind": "decimal", "label": "小数" },
        { "id": "t_money", "kind": "money", "label": "金额" },
        { "id": "t_date", "kind": "date", "label": "日期" },
        { "id": "t_yes", "kind": "yes_no", "label": "是否" },
        { "id": "t_one", "kind": "select_one", "label": "单选", "choices": [{ "value": "a", "label": "甲" }, { "value": "b", "label": "乙" }] },
        { "id": "t_many", "kind": "select_multiple", "label": "多选", "choices": [{ "value": "a", "label": "甲" }, { "value": "b", "label": "乙" }] },
        { "id": "t_geo", "kind": "geopoint", "label": "位置" },
        { "id": "t_photo", "kind": "photo", "label": "照片", "min_count": 1, "max_count": 2 },
        { "id": "t_sign", "kind": "signature", "label": "签字", "signer": "investigator1" },
        { "id": "t_note", "kind": "note", "label": "说明" },
        { "id": "t_rows", "kind": "repeat", "label": "成员", "questions": [{ "id": "t_row_name", "kind": "text", "label": "姓名" }] }
    ]))
}

#[test]
fn every_question_type_accepts_its_values() {
    let def = every_kind();
    let good = answers(json!({
        "t_text": "文字", "t_int": 3, "t_dec": 2, "t_money": 150050, "t_date": "2024-02-29", "t_yes": true, "t_one": "b",
        "t_many": ["a", "b"], "t_geo": { "lat": 26.4, "lon": 106.6 }, "t_photo": [sha(1), sha(2)], "t_sign": sha(3),
        "t_rows": [{ "t_row_name": "张三" }, {}]
    }));
    assert_eq!(errors_both_ways(&def, &good), vec![]);
}

#[test]
fn every_question_type_refuses_wrong_values_in_chinese() {
    let def = every_kind();
    let cases = [
        ("t_text", json!(3), "wrong_type"),
        ("t_int", json!(2.5), "wrong_type"),
        ("t_dec", json!("2.5"), "wrong_type"),
        ("t_money", json!(-5), "negative_amount"),
        ("t_money", json!(1.5), "wrong_type"),
        ("t_date", json!("2023-02-29"), "wrong_type"),
        ("t_yes", json!(1), "wrong_type"),
        ("t_one", json!("c"), "not_a_choice"),
        ("t_many", json!("a"), "not_a_choice"),
        ("t_geo", json!({ "lat": 26.4 }), "wrong_type"),
        ("t_photo", json!([]), "too_few_photos"),
        ("t_photo", json!([sha(1), sha(2), sha(3)]), "too_many_photos"),
        ("t_sign", json!(sha(0xab).to_uppercase()), "wrong_type"),
        ("t_rows", json!({ "t_row_name": "张三" }), "wrong_type"),
    ];
    for (id, value, code) in cases {
        let errors = errors_both_ways(&def, &answers(json!({ id: value })));
        assert_eq!(codes(&errors), vec![(id.to_string(), code.to_string())], "{id} = {value}");
        assert!(errors[0].message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{}", errors[0].message);
    }
    let errors = errors_both_ways(&def, &answers(json!({ "t_rows": [{ "t_row_name": 5 }, { "nickname": "x" }] })));
    assert_eq!(
        codes(&errors),
        vec![("t_rows[0].t_row_name".to_string(), "wrong_type".to_string()), ("t_rows[1].nickname".to_string(), "unknown_question".to_string())]
    );
    assert_eq!(errors[0].message, "成员第1项的姓名：应为文字");
}

#[test]
fn check_value_checks_repeat_rows_for_the_device() {
    let def = every_kind();
    let rows = def.question("t_rows").unwrap();
    assert_eq!(rows.check_value(&json!([{ "t_row_name": "张三" }])), None);
    assert_eq!(rows.check_value(&json!([{ "t_row_name": 1 }])).unwrap().question_id, "t_rows[0].t_row_name");
}

// ---------------------------------------------------------------------------------------------------------------
// Expressions

#[test]
fn relevance_hides_required_questions_and_their_answers() {
    let def = form(json!([
        { "id": "has_vehicle", "kind": "yes_no", "label": "是否有车", "required": true },
        { "id": "vehicle_value_fen", "kind": "money", "label": "车辆估值", "required": true, "relevant": "has_vehicle", "fact": "assets.vehicle_value_fen" }
    ]));
    // Unanswered trigger: the follow-up is hidden, so not required.
    assert_eq!(codes(&errors_both_ways(&def, &BTreeMap::new())), vec![("has_vehicle".into(), "required".into())]);
    // No vehicle: a stale value is neither checked nor reported.
    let a = answers(json!({ "has_vehicle": false, "vehicle_value_fen": "stale" }));
    assert_eq!(errors_both_ways(&def, &a), vec![]);
    let state = FormSession::new(&def).unwrap().evaluate(&a);
    assert!(!state.state("vehicle_value_fen").unwrap().relevant);
    assert!(state.facts().is_empty());
    assert!(!state.submission_answers().contains_key("vehicle_value_fen"));
    assert_eq!(def.facts(&a).count(), 0);
    // A vehicle: now required.
    let a = answers(json!({ "has_vehicle": true }));
    assert_eq!(codes(&errors_both_ways(&def, &a)), vec![("vehicle_value_fen".into(), "required".into())]);
    let a = answers(json!({ "has_vehicle": true, "vehicle_value_fen": 3_000_000 }));
    let state = FormSession::new(&def).unwrap().evaluate(&a);
    assert_eq!(state.facts(), &[("assets.vehicle_value_fen".to_string(), json!(3_000_000))]);
    assert_eq!(def.facts(&a).count(), 1);
}

#[test]
fn required_if_and_constraints_with_chinese_messages() {
    let def = form(json!([
        { "id": "household_size", "kind": "integer", "label": "人数", "constraint": "household_size >= 1 && household_size <= 20", "constraint_message": "人数应在1至20之间" },
        { "id": "land_mu", "kind": "decimal", "label": "土地面积", "constraint": "land_mu >= 0.0" },
        { "id": "land_use", "kind": "text", "label": "土地用途", "required_if": "land_mu > 0.0" }
    ]));
    let errors = errors_both_ways(&def, &answers(json!({ "household_size": 0, "land_mu": -1 })));
    assert_eq!(codes(&errors), vec![("household_size".into(), "constraint_failed".into()), ("land_mu".into(), "constraint_failed".into())]);
    assert_eq!(errors[0].message, "人数：人数应在1至20之间");
    assert_eq!(errors[1].message, "土地面积：填写的内容不符合要求");
    let errors = errors_both_ways(&def, &answers(json!({ "household_size": 3, "land_mu": 2.5 })));
    assert_eq!(codes(&errors), vec![("land_use".into(), "required".into())]);
    assert_eq!(errors_both_ways(&def, &answers(json!({ "household_size": 3, "land_mu": 0 }))), vec![]);
}

#[test]
fn calculations_chain_in_dependency_order_and_count_money_in_fen() {
    // Written out of order on purpose: per capita is listed before the total it divides.
    let def = form(json!([
        { "id": "per_capita_fen", "kind": "money", "label": "人均", "calculate": "total_fen / household_size", "fact": "income.per_capita_fen" },
        { "id": "household_size", "kind": "integer", "label": "人数", "required": true },
        { "id": "wages_fen", "kind": "money", "label": "工资", "required": true },
        { "id": "pension_fen", "kind": "money", "label": "养老金" },
        { "id": "total_fen", "kind": "money", "label": "合计", "calculate": "wages_fen + (pension_fen == null ? 0 : pension_fen)", "fact": "income.total_fen" },
        { "id": "poor", "kind": "yes_no", "label": "人均低于1000元", "calculate": "per_capita_fen < 100000" },
        { "id": "why", "kind": "text", "label": "说明", "required": true, "relevant": "poor" }
    ]));
    let session = FormSession::new(&def).unwrap();
    let state = session.evaluate(&answers(json!({ "household_size": 3, "wages_fen": 200000 })));
    assert_eq!(state.state("total_fen").unwrap().value, Some(json!(200000)));
    assert_eq!(state.state("per_capita_fen").unwrap().value, Some(json!(66666)));
    assert_eq!(state.state("poor").unwrap().value, Some(json!(true)));
    assert_eq!(codes(&state.errors), vec![("why".into(), "required".into())]);
    assert_eq!(state.submission_answers().get("total_fen"), Some(&json!(200000)));
    assert!(state.facts().contains(&("income.per_capita_fen".to_string(), json!(66666))));
    // Inputs missing: no value yet, nothing hidden behind it is required.
    let state = session.evaluate(&answers(json!({ "wages_fen": 200000 })));
    assert_eq!(state.state("per_capita_fen").unwrap().value, None);
    assert!(!state.state("why").unwrap().relevant);
    // A value typed into a calculated question is replaced by the calculation.
    let state = session.evaluate(&answers(json!({ "household_size": 1, "wages_fen": 5, "total_fen": 999 })));
    assert_eq!(state.submission_answers().get("total_fen"), Some(&json!(5)));
}

#[test]
fn decimals_are_doubles_even_when_written_as_whole_numbers() {
    let def = form(json!([
        { "id": "area_m2", "kind": "decimal", "label": "面积" },
        { "id": "rooms", "kind": "integer", "label": "间数" },
        { "id": "per_room", "kind": "decimal", "label": "每间面积", "calculate": "area_m2 / double(rooms)" }
    ]));
    let state = FormSession::new(&def).unwrap().evaluate(&answers(json!({ "area_m2": 60, "rooms": 4 })));
    assert_eq!(state.state("per_room").unwrap().value, Some(json!(15.0)));
}

#[test]
fn select_multiple_and_lists_work_in_expressions() {
    let def = form(json!([
        { "id": "rigid", "kind": "select_multiple", "label": "刚性支出", "choices": [{ "value": "medical", "label": "医疗" }, { "value": "education", "label": "教育" }] },
        { "id": "medical_fen", "kind": "money", "label": "医疗支出", "required": true, "relevant": "'medical' in rigid" },
        { "id": "kinds", "kind": "integer", "label": "项数", "calculate": "size(rigid)" }
    ]));
    let s = FormSession::new(&def).unwrap();
    assert_eq!(s.evaluate(&BTreeMap::new()).state("kinds").unwrap().value, Some(json!(0)));
    let state = s.evaluate(&answers(json!({ "rigid": ["medical", "education"] })));
    assert_eq!(codes(&state.errors), vec![("medical_fen".into(), "required".into())]);
    assert_eq!(state.state("kinds").unwrap().value, Some(json!(2)));
}

// ---------------------------------------------------------------------------------------------------------------
// Repeat groups

fn household() -> FormDefinition {
    form(json!([
        { "id": "visit_date", "kind": "date", "label": "调查日期", "required": true },
        { "id": "household_size", "kind": "integer", "label": "人数", "required": true },
        { "id": "members", "kind": "repeat", "label": "家庭成员", "required": true, "repeat_count": "household_size", "max_count": 10, "fact": "household.members",
          "questions": [
            { "id": "member_name", "kind": "text", "label": "姓名", "required": true },
            { "id": "resident_id", "kind": "text", "label": "身份证号", "required": true, "constraint": "valid_id(resident_id)", "constraint_message": "身份证号无效，请核对" },
            { "id": "age", "kind": "integer", "label": "年龄", "calculate": "age_on(resident_id, visit_date)" },
            { "id": "work_capacity", "kind": "select_one", "label": "劳动能力", "required": true, "relevant": "age >= 16 && age < 60",
              "choices": [{ "value": "full", "label": "有" }, { "value": "none", "label": "无" }] }
          ] },
        { "id": "elderly", "kind": "integer", "label": "60岁以上人数", "calculate": "size(members.filter(m, m.age != null && m.age >= 60))" },
        { "id": "elderly_note", "kind": "text", "label": "老人照料情况", "required": true, "relevant": "elderly > 0" }
    ]))
}

#[test]
fn repeat_rows_compute_ages_hide_questions_per_row_and_feed_outer_expressions() {
    let def = household();
    let a = answers(json!({
        "visit_date": "2024-09-02", "household_size": 2,
        "members": [
            { "member_name": "王大爷", "resident_id": id_born(1950, 3, 1, 11) },
            { "member_name": "王小明", "resident_id": id_born(1990, 10, 1, 12), "work_capacity": "full" }
        ]
    }));
    let state = FormSession::new(&def).unwrap().evaluate(&a);
    assert_eq!(state.state("members[0].age").unwrap().value, Some(json!(74)));
    assert!(!state.state("members[0].work_capacity").unwrap().relevant, "over 60: not asked");
    assert_eq!(state.state("members[1].age").unwrap().value, Some(json!(33)));
    assert!(state.state("members[1].work_capacity").unwrap().required);
    assert_eq!(state.state("elderly").unwrap().value, Some(json!(1)));
    assert_eq!(codes(&errors_both_ways(&def, &a)), vec![("elderly_note".into(), "required".into())]);
    let rows = &state.facts().iter().find(|(k, _)| k == "household.members").unwrap().1;
    assert_eq!(rows[0]["age"], json!(74));
    assert_eq!(rows[1]["work_capacity"], json!("full"));
}

#[test]
fn repeat_row_errors_name_the_row_and_the_count_comes_from_an_expression() {
    let def = household();
    let a = answers(json!({
        "visit_date": "2024-09-02", "household_size": 3,
        "members": [
            { "member_name": "王大爷", "resident_id": "520111195003010110" },
            { "resident_id": id_born(1990, 10, 1, 12) }
        ]
    }));
    let errors = errors_both_ways(&def, &a);
    assert_eq!(
        codes(&errors),
        vec![
            ("members".into(), "row_count_mismatch".into()),
            ("members[0].resident_id".into(), "constraint_failed".into()),
            ("members[1].member_name".into(), "required".into()),
            ("members[1].work_capacity".into(), "required".into()),
        ]
    );
    assert_eq!(errors[0].message, "家庭成员：应填写3项，当前2项");
    assert_eq!(errors[1].message, "家庭成员第1项的身份证号：身份证号无效，请核对");
    assert_eq!(errors[2].message, "请填写：家庭成员第2项的姓名");
    let state = FormSession::new(&def).unwrap().evaluate(&a);
    assert_eq!(state.state("members").unwrap().expected_rows, Some(3));
    // No rows at all: the group is required.
    let errors = errors_both_ways(&def, &answers(json!({ "visit_date": "2024-09-02", "household_size": 1, "members": [] })));
    assert_eq!(codes(&errors), vec![("members".into(), "required".into())]);
}

#[test]
fn repeat_min_and_max_rows() {
    let def = form(json!([
        { "id": "rows", "kind": "repeat", "label": "义务人", "min_count": 2, "max_count": 3, "questions": [{ "id": "who", "kind": "text", "label": "姓名" }] }
    ]));
    let one = answers(json!({ "rows": [{ "who": "甲" }] }));
    assert_eq!(codes(&errors_both_ways(&def, &one)), vec![("rows".into(), "too_few_rows".into())]);
    let four = answers(json!({ "rows": [{}, {}, {}, {}] }));
    assert_eq!(codes(&errors_both_ways(&def, &four)), vec![("rows".into(), "too_many_rows".into())]);
}

// ---------------------------------------------------------------------------------------------------------------
// Definition errors, at load time, with the path of the field

#[test]
fn expression_mistakes_fail_at_load_with_the_field_path() {
    let q = |extra: Value| {
        let mut base = json!({ "id": "b", "kind": "integer", "label": "乙" });
        base.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        json!([{ "id": "a", "kind": "integer", "label": "甲" }, base])
    };
    let cases = [
        (json!({ "relevant": "c > 1" }), "questions[1].relevant", "不存在的题目"),
        (json!({ "constraint": "b >" }), "questions[1].constraint", "无法解析"),
        (json!({ "required_if": "shout(a)" }), "questions[1].required_if", "未知的函数"),
        (json!({ "relevant": "a + 1" }), "questions[1].relevant", "bool"),
        (json!({ "calculate": "a * 1.5" }), "questions[1].calculate", "double"),
        (json!({ "calculate": "'十'" }), "questions[1].calculate", "类型"),
        (json!({ "calculate": "b + 1" }), "questions[1]", "循环引用"),
        (json!({ "relevant": "${a} > 1" }), "questions[1].relevant", "${"),
    ];
    for (extra, path, words) in cases {
        let err = load_error(q(extra.clone()));
        assert_eq!(err.path, path, "{extra}: {err:?}");
        assert!(err.reason.contains(words), "{extra}: {}", err.reason);
    }
}

#[test]
fn mistakes_inside_repeat_groups_name_the_nested_path() {
    let err = load_error(json!([
        { "id": "n", "kind": "integer", "label": "人数" },
        { "id": "rows", "kind": "repeat", "label": "成员", "questions": [
            { "id": "x", "kind": "decimal", "label": "甲" },
            { "id": "y", "kind": "integer", "label": "乙", "relevant": "x + n > 1" }
        ] }
    ]));
    assert_eq!(err.path, "questions[1].questions[1].relevant");
    let err = load_error(
        json!([{ "id": "rows", "kind": "repeat", "label": "成员", "repeat_count": "'三'", "questions": [{ "id": "x", "kind": "text", "label": "甲" }] }]),
    );
    assert_eq!(err.path, "questions[0].repeat_count");
    let err = load_error(json!([{ "id": "rows", "kind": "repeat", "label": "成员", "questions": [
        { "id": "x", "kind": "integer", "label": "甲", "calculate": "y" },
        { "id": "y", "kind": "integer", "label": "乙", "calculate": "x" }
    ] }]));
    assert_eq!(err.path, "questions[0].questions[0]");
    // Outer expressions cannot see into a row.
    let err = load_error(json!([
        { "id": "rows", "kind": "repeat", "label": "成员", "questions": [{ "id": "x", "kind": "integer", "label": "甲" }] },
        { "id": "z", "kind": "integer", "label": "丙", "calculate": "x" }
    ]));
    assert_eq!(err.path, "questions[1].calculate");
}

#[test]
fn structural_mistakes_fail_at_load() {
    let cases = [
        (json!([{ "id": "in", "kind": "text", "label": "甲" }]), "questions[0]"),
        (json!([{ "id": "2a", "kind": "text", "label": "甲" }]), "questions[0]"),
        (json!([{ "id": "a", "kind": "text", "label": "" }]), "questions[0]"),
        (json!([{ "id": "a", "kind": "signature", "label": "甲" }]), "questions[0]"),
        (
            json!([{ "id": "a", "kind": "select_one", "label": "甲", "choices": [{ "value": "x", "label": "1" }, { "value": "x", "label": "2" }] }]),
            "questions[0]",
        ),
        (json!([{ "id": "a", "kind": "photo", "label": "甲", "min_count": 3, "max_count": 1 }]), "questions[0]"),
        (json!([{ "id": "a", "kind": "photo", "label": "甲", "calculate": "[]" }]), "questions[0]"),
        (json!([{ "id": "a", "kind": "repeat", "label": "甲" }]), "questions[0]"),
        (json!([{ "id": "a", "kind": "text", "label": "甲", "repeat_count": "1" }]), "questions[0]"),
        (
            json!([{ "id": "a", "kind": "repeat", "label": "甲", "questions": [{ "id": "b", "kind": "repeat", "label": "乙", "questions": [{ "id": "c", "kind": "text", "label": "丙" }] }] }]),
            "questions[0].questions[0]",
        ),
        (
            json!([{ "id": "a", "kind": "repeat", "label": "甲", "questions": [{ "id": "b", "kind": "text", "label": "乙", "fact": "x.y" }] }]),
            "questions[0].questions[0]",
        ),
        (
            json!([{ "id": "a", "kind": "repeat", "label": "甲", "questions": [{ "id": "a", "kind": "text", "label": "乙" }] }]),
            "questions[0].questions[0]",
        ),
        (
            json!([{ "id": "a", "kind": "repeat", "label": "甲", "questions": [{ "id": "b", "kind": "photo", "label": "乙" }] }]),
            "questions[0].questions[0]",
        ),
    ];
    for (questions, path) in cases {
        let err = load_error(questions.clone());
        assert_eq!(err.path, path, "{questions}: {err:?}");
        assert!(err.reason.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{}", err.reason);
    }
    let bad_json = FormDefinition::from_json("{").unwrap_err();
    assert_eq!(bad_json.path, "$");
}

#[test]
fn validate_on_an_unchecked_definition_reports_the_definition_not_a_panic() {
    let def: FormDefinition = serde_json::from_value(json!({ "id": "t", "version": 1, "title": "t", "questions": [
        { "id": "a", "kind": "integer", "label": "甲", "relevant": "nope > 1" }
    ] }))
    .unwrap();
    let errors = def.validate(&BTreeMap::new());
    assert_eq!(codes(&errors), vec![("questions[0].relevant".into(), "invalid_form_definition".into())]);
}

// ---------------------------------------------------------------------------------------------------------------
// The built-in forms

#[test]
fn every_shipped_form_loads_and_states_its_source() {
    let all = library_forms();
    let keys: Vec<(String, u32)> = all.iter().map(|f| (f.id.clone(), f.version)).collect();
    for key in [("dibao-home-visit", 1), ("dibao-home-visit", 2), ("tekun-home-visit", 1), ("linshi-home-visit", 1)] {
        assert!(keys.contains(&(key.0.to_string(), key.1)), "{key:?}");
    }
    for f in &all {
        assert!(f.source.contains("第") || f.source.contains("〔"), "{}", f.id);
        let signs = |role| f.questions.iter().any(|q| q.signer == Some(role));
        assert!(signs(crate::form::SignerRole::FamilyMember), "{} is signed by the family", f.id);
        // Every visit is made by two investigators (57号 art. 16); the declaration is signed at the desk.
        if f.purpose != FormPurpose::Declaration {
            assert!(signs(crate::form::SignerRole::Investigator2), "{} has two investigators", f.id);
        }
    }
    assert_eq!(library_forms(), builtin_forms(), "every shipped form is published");
    let newest_dibao = builtin_forms().into_iter().filter(|f| f.id == "dibao-home-visit").map(|f| f.version).max();
    assert_eq!(newest_dibao, Some(2), "a new 低保 visit fills v2");
}

fn dibao_v2() -> FormDefinition {
    builtin_forms().into_iter().find(|f| f.id == "dibao-home-visit" && f.version == 2).unwrap()
}

fn dibao_v2_complete() -> BTreeMap<String, Value> {
    answers(json!({
        "visit_date": "2024-09-02", "visit_mode": "in_person", "household_size": 2,
        "members": [
            { "member_name": "李桂芬", "relation": "self", "resident_id": id_born(1958, 5, 4, 21), "health": "serious", "disability_grade": "none", "work_capacity": "none" },
            { "member_name": "李强", "relation": "child", "resident_id": id_born(1985, 1, 9, 13), "health": "healthy", "disability_grade": "2",
              "disability_type": "physical", "work_capacity": "partial", "employment": "unemployed", "unemployment_registered": true }
        ],
        "near_relative_of_staff": false,
        "income_wages_fen": 80000, "income_business_fen": 0, "income_property_fen": 0, "income_transfer_fen": 20000,
        "has_excluded_income": true, "excluded_income_items": ["basic_pension"],
        "bank_deposits_fen": 300000, "securities_fen": 0, "has_vehicle": false, "house_count": 1, "house_area_m2": 62.5,
        "land_mu": 1.2, "land_use": "transferred", "has_business": false,
        "housing_condition": "own_unsafe", "living_conditions": "房屋漏雨，家电陈旧", "high_spending_signs": false,
        "rigid_expenses": ["medical"], "expense_medical_fen": 45000,
        "neighbour_visited": true, "neighbour_findings": "邻居反映情况属实", "opinion_result": "consistent", "opinion": "建议纳入",
        "location": { "lat": 26.41, "lon": 106.67 },
        "photos_outside": [sha(1)], "photos_inside": [sha(2)], "photos_kitchen": [sha(3)],
        "sign_investigator_1": sha(4), "sign_investigator_2": sha(5), "sign_family": sha(6)
    }))
}

#[test]
fn dibao_v2_complete_visit_validates_and_reports_calculated_facts() {
    let def = dibao_v2();
    let a = dibao_v2_complete();
    assert_eq!(errors_both_ways(&def, &a), vec![]);
    let state = FormSession::new(&def).unwrap().evaluate(&a);
    let fact = |k: &str| state.facts().iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    assert_eq!(fact("income.monthly_total_fen"), Some(json!(100000)));
    assert_eq!(fact("income.per_capita_fen"), Some(json!(50000)));
    assert_eq!(fact("assets.deposits_fen"), Some(json!(300000)), "same fact and meaning as v1");
    assert_eq!(fact("expenses.rigid_monthly_fen"), Some(json!(45000)));
    assert_eq!(fact("household.members").unwrap()[0]["age"], json!(66));
    // Remote visit: no location or house photos, a reason instead.
    let mut remote = a.clone();
    remote.insert("visit_mode".into(), json!("remote"));
    for k in ["location", "photos_outside", "photos_inside", "photos_kitchen"] {
        remote.remove(k);
    }
    assert_eq!(codes(&errors_both_ways(&def, &remote)), vec![("remote_reason".into(), "required".into())]);
}

fn tekun() -> FormDefinition {
    builtin_forms().into_iter().find(|f| f.id == "tekun-home-visit").unwrap()
}

#[test]
fn tekun_self_care_classification_follows_article_22() {
    let s = FormSession::new(&tekun()).unwrap();
    let items = ["selfcare_eating", "selfcare_dressing", "selfcare_bed", "selfcare_toilet", "selfcare_walking", "selfcare_bathing"];
    let class = |missing: usize| {
        let mut a = BTreeMap::new();
        for (i, k) in items.iter().enumerate() {
            a.insert(k.to_string(), json!(i >= missing));
        }
        s.evaluate(&a).state("selfcare_class").unwrap().value.clone()
    };
    assert_eq!(class(0), Some(json!("capable")));
    assert_eq!(class(1), Some(json!("partly_lost")));
    assert_eq!(class(3), Some(json!("partly_lost")));
    assert_eq!(class(4), Some(json!("fully_lost")));
    assert_eq!(class(6), Some(json!("fully_lost")));
    // Not all six assessed yet: no classification.
    let partial = answers(json!({ "selfcare_eating": false }));
    assert_eq!(s.evaluate(&partial).state("selfcare_class").unwrap().value, None);
}

#[test]
fn tekun_conditions_work_capacity_and_supporters() {
    let s = FormSession::new(&tekun()).unwrap();
    let base = json!({ "visit_date": "2024-09-02", "disability_type": "none", "other_incapacity": false });
    let with = |extra: Value| {
        let mut a = answers(base.clone());
        a.extend(answers(extra));
        s.evaluate(&a)
    };
    let value = |st: &FormState, k: &str| st.state(k).unwrap().value.clone();
    assert_eq!(value(&with(json!({ "resident_id": id_born(1950, 1, 1, 1) })), "no_work_capacity"), Some(json!(true)));
    assert_eq!(value(&with(json!({ "resident_id": id_born(1980, 1, 1, 1) })), "no_work_capacity"), Some(json!(false)));
    let st = with(json!({ "resident_id": id_born(1980, 1, 1, 1), "disability_type": "mental", "disability_grade": "3" }));
    assert_eq!(value(&st, "no_work_capacity"), Some(json!(true)));
    let st = with(json!({ "resident_id": id_born(1980, 1, 1, 1), "disability_type": "physical", "disability_grade": "3" }));
    assert_eq!(value(&st, "no_work_capacity"), Some(json!(false)));
    // Minor: the orphan option is asked.
    assert!(with(json!({ "resident_id": id_born(2012, 1, 1, 1) })).state("orphan_option").unwrap().relevant);
    // Supporters: none able → condition met; one able → not.
    assert_eq!(value(&with(json!({ "has_supporters": false })), "no_able_supporter"), Some(json!(true)));
    let st = with(json!({ "has_supporters": true, "supporters": [
        { "supporter_name": "子", "supporter_relation": "child", "supporter_ability": "dibao_60", "supporter_ability_note": "本人为低保对象" },
        { "supporter_name": "女", "supporter_relation": "child", "supporter_ability": "able" }
    ] }));
    assert_eq!(value(&st, "able_supporters"), Some(json!(1)));
    assert_eq!(value(&st, "no_able_supporter"), Some(json!(false)));
    assert_eq!(value(&with(json!({})), "no_able_supporter"), None, "unknown until asked");
}

#[test]
fn linshi_asks_by_assistance_kind() {
    let def = builtin_forms().into_iter().find(|f| f.id == "linshi-home-visit").unwrap();
    let s = FormSession::new(&def).unwrap();
    let st = s.evaluate(&answers(json!({ "assistance_kind": "emergency", "advance_help": true })));
    assert!(st.state("emergency_cause").unwrap().required);
    assert!(st.state("advance_amount_fen").unwrap().required);
    assert!(!st.state("expense_types").unwrap().relevant);
    let st = s.evaluate(&answers(json!({ "assistance_kind": "expenditure", "household_size": 4, "income_monthly_fen": 200000 })));
    assert!(!st.state("emergency_cause").unwrap().relevant);
    assert_eq!(st.state("income_per_capita_fen").unwrap().value, Some(json!(50000)));
    let st = s.evaluate(&answers(json!({ "visit_date": "2024-09-02", "assistance_kind": "emergency", "emergency_date": "2024-09-05" })));
    assert!(st.errors.iter().any(|e| e.question_id == "emergency_date" && e.message.contains("不能晚于")));
}

fn builtin(id: &str) -> FormDefinition {
    builtin_forms().into_iter().find(|f| f.id == id).unwrap()
}

#[test]
fn every_shipped_form_says_what_it_is_for() {
    let purpose = |id: &str| builtin(id).purpose;
    assert_eq!(purpose("dibao-home-visit"), FormPurpose::HomeVisit);
    assert_eq!(purpose("declaration"), FormPurpose::Declaration);
    assert_eq!(purpose("periodic-review"), FormPurpose::PeriodicReview);
    assert_eq!(purpose("district-revisit"), FormPurpose::Revisit);
    // A home-visit definition written before `purpose` existed reads and writes exactly as before.
    let v1 = include_str!("../../forms/dibao-home-visit-v1.json");
    assert!(!serde_json::to_string(&FormDefinition::from_json(v1).unwrap()).unwrap().contains("purpose"));
}

#[test]
fn declaration_cannot_be_completed_without_the_commitment_and_the_authorisation() {
    let s = FormSession::new(&builtin("declaration")).unwrap();
    let refused = s.evaluate(&answers(json!({ "truthful": false, "authorise_check": false })));
    let messages: Vec<&str> = refused.errors.iter().filter(|e| e.code == "constraint_failed").map(|e| e.message.as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("须承诺信息真实、完整后方可受理")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("未授权核对的，无法开展家庭经济状况调查")), "{messages:?}");
    let agreed = s.evaluate(&answers(json!({ "truthful": true, "authorise_check": true })));
    assert!(!agreed.errors.iter().any(|e| e.code == "constraint_failed"));
}

#[test]
fn periodic_review_sets_the_next_cadence_and_asks_reasons_for_a_change_of_amount() {
    let s = FormSession::new(&builtin("periodic-review")).unwrap();
    let base = json!({
        "household_size": 3, "income_wages_fen": 90_000, "income_business_fen": 0, "income_property_fen": 0,
        "income_transfer_fen": 10_001, "income_irregular": false, "members_can_work": false, "recommendation": "keep"
    });
    let stable = s.evaluate(&answers(base.clone()));
    assert_eq!(stable.state("next_cadence").unwrap().value, Some(json!("yearly")));
    assert_eq!(stable.state("per_capita_fen").unwrap().value, Some(json!(33_333)), "fen, rounded down");
    assert!(stable.state("recommendation_reason").is_some_and(|q| !q.required));

    let mut irregular = base.clone();
    irregular["members_can_work"] = json!(true);
    irregular["recommendation"] = json!("decrease");
    let state = s.evaluate(&answers(irregular));
    assert_eq!(state.state("next_cadence").unwrap().value, Some(json!("half_yearly")), "57号 art. 31: every six months");
    assert!(state.errors.iter().any(|e| e.question_id == "recommendation_reason" && e.code == "required"), "art. 32: reasons");
    assert!(state.facts().iter().any(|(k, v)| k == "review.cadence" && v == &json!("half_yearly")));
}

#[test]
fn district_revisit_asks_for_the_differences_when_the_household_does_not_match() {
    let s = FormSession::new(&builtin("district-revisit")).unwrap();
    let same = s.evaluate(&answers(json!({ "matches_original": true, "conclusion": "confirmed" })));
    assert!(same.state("differences").is_some_and(|q| !q.relevant));
    let differs = s.evaluate(&answers(json!({ "matches_original": false, "conclusion": "to_escalate" })));
    let required: Vec<&str> = differs.errors.iter().filter(|e| e.code == "required").map(|e| e.question_id.as_str()).collect();
    assert!(required.contains(&"differences") && required.contains(&"conclusion_note"), "{required:?}");
}
