//! Time to re-evaluate a large form after one answer changes (what the phone does on every tap).
//! `CARGO_TARGET_DIR=... cargo bench -p ruhu-core --bench form_eval`
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is the test failing, with its location

use std::collections::BTreeMap;

use criterion::{Criterion, criterion_group, criterion_main};
use ruhu_core::form::{FormDefinition, FormSession};
use serde_json::{Value, json};

const MEMBERS: usize = 10;

/// 300 questions: 279 top-level (money with facts and constraints, yes/no with a follow-up each, calculations over
/// them, selects, text) and a members group of 21 questions with per-row relevance and an age from the ID.
fn big_form() -> FormDefinition {
    let mut q: Vec<Value> = vec![
        json!({ "id": "visit_date", "kind": "date", "label": "调查日期", "required": true }),
        json!({ "id": "household_size", "kind": "integer", "label": "人数", "required": true, "constraint": "household_size >= 1" }),
    ];
    let mut children = vec![
        json!({ "id": "m_name", "kind": "text", "label": "姓名", "required": true }),
        json!({ "id": "m_id", "kind": "text", "label": "身份证号", "required": true, "constraint": "valid_id(m_id)" }),
        json!({ "id": "m_age", "kind": "integer", "label": "年龄", "calculate": "age_on(m_id, visit_date)" }),
        json!({ "id": "m_capacity", "kind": "select_one", "label": "劳动能力", "required": true,
                "choices": [{ "value": "full", "label": "有" }, { "value": "none", "label": "无" }] }),
        json!({ "id": "m_job", "kind": "text", "label": "就业", "required": true, "relevant": "m_capacity == 'full' && m_age >= 16" }),
    ];
    for k in 0..16 {
        children.push(json!({ "id": format!("m_income_{k}"), "kind": "money", "label": format!("成员收入{k}"), "constraint": format!("m_income_{k} < 10000000") }));
    }
    for i in 0..100 {
        q.push(
            json!({ "id": format!("money_{i}"), "kind": "money", "label": format!("金额{i}"), "required": true, "fact": format!("bench.money_{i}"),
                        "constraint": format!("money_{i} <= 100000000") }),
        );
    }
    for i in 0..50 {
        q.push(json!({ "id": format!("flag_{i}"), "kind": "yes_no", "label": format!("是否{i}"), "required": true }));
        q.push(
            json!({ "id": format!("detail_{i}"), "kind": "money", "label": format!("明细{i}"), "required": true, "relevant": format!("flag_{i}") }),
        );
    }
    for i in 0..40 {
        let terms: Vec<String> = (0..5).map(|k| format!("money_{}", (i * 5 + k) % 100)).collect();
        q.push(json!({ "id": format!("total_{i}"), "kind": "money", "label": format!("合计{i}"), "calculate": terms.join(" + "), "fact": format!("bench.total_{i}") }));
    }
    q.push(
        json!({ "id": "members", "kind": "repeat", "label": "家庭成员", "required": true, "repeat_count": "household_size", "questions": children }),
    );
    q.push(
        json!({ "id": "elderly", "kind": "integer", "label": "老人数", "calculate": "size(members.filter(m, m.m_age != null && m.m_age >= 60))" }),
    );
    q.push(json!({ "id": "per_capita", "kind": "money", "label": "人均", "calculate": "(total_0 + total_1) / household_size" }));
    for i in 0..20 {
        q.push(json!({ "id": format!("pick_{i}"), "kind": "select_one", "label": format!("选择{i}"), "required": true,
                        "choices": [{ "value": "a", "label": "甲" }, { "value": "b", "label": "乙" }] }));
    }
    while q.len() + 21 < 300 {
        let i = q.len();
        q.push(json!({ "id": format!("text_{i}"), "kind": "text", "label": format!("说明{i}"), "required": true }));
    }
    let def = json!({ "id": "bench", "version": 1, "title": "基准", "questions": q });
    FormDefinition::from_json(&def.to_string()).expect("bench form is valid")
}

fn answers(def: &FormDefinition) -> BTreeMap<String, Value> {
    let mut a = BTreeMap::new();
    a.insert("visit_date".to_string(), json!("2024-09-02"));
    a.insert("household_size".to_string(), json!(MEMBERS));
    let birth = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap();
    let rows: Vec<Value> = (0..MEMBERS)
        .map(|r| {
            let mut row = serde_json::Map::new();
            row.insert("m_name".into(), json!(format!("成员{r}")));
            let id = ruhu_core::resident_id::make_resident_id("520111", birth + chrono::Duration::days(3000 * r as i64), r as u16);
            row.insert("m_id".into(), json!(id.as_str()));
            row.insert("m_capacity".into(), json!(if r % 2 == 0 { "full" } else { "none" }));
            row.insert("m_job".into(), json!("务农"));
            for k in 0..16 {
                row.insert(format!("m_income_{k}"), json!(1000 * k));
            }
            Value::Object(row)
        })
        .collect();
    a.insert("members".to_string(), Value::Array(rows));
    for q in &def.questions {
        let v = match q.id.split('_').next().unwrap_or_default() {
            "money" | "detail" => json!(12_345),
            "flag" => json!(true),
            "pick" => json!("a"),
            "text" => json!("情况属实"),
            _ => continue,
        };
        a.insert(q.id.clone(), v);
    }
    a
}

fn bench(c: &mut Criterion) {
    let def = big_form();
    let session = FormSession::new(&def).unwrap();
    let mut a = answers(&def);
    let state = session.evaluate(&a);
    assert!(state.errors.is_empty(), "{:?}", &state.errors[..state.errors.len().min(3)]);
    assert_eq!(state.questions.len(), 279 + 21 * MEMBERS);

    let mut n: i64 = 0;
    c.bench_function("evaluate 300 questions, 10 members, after one change", |b| {
        b.iter(|| {
            n += 1;
            a.insert("money_7".to_string(), json!(n % 100_000));
            std::hint::black_box(session.evaluate(&a))
        })
    });
    c.bench_function("FormDefinition::validate (compile + evaluate)", |b| b.iter(|| std::hint::black_box(def.validate(&a))));
    c.bench_function("FormSession::new (compile 300 questions)", |b| b.iter(|| std::hint::black_box(FormSession::new(&def).unwrap())));
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
