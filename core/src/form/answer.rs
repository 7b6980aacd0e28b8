//! One answer against its question's type, and the typed value expressions see. Numbers are typed by the question,
//! not by how the JSON happens to spell them: integer and money are CEL `int`, decimal is CEL `double`, so `3` given
//! to a decimal question is `3.0` and never meets an `int` in arithmetic (CEL refuses to mix them).

use std::{collections::HashMap, sync::Arc};

use serde_json::Value;

use super::{FieldError, Question, QuestionKind, is_sha256_hex};

fn error(id: &str, code: &str, message: String) -> FieldError {
    FieldError { question_id: id.to_string(), code: code.into(), message }
}

/// `id` is the question's path (`members[1].age` inside a repeat), `label` what the person sees.
pub(super) fn check_value(q: &Question, id: &str, label: &str, v: &Value) -> Option<FieldError> {
    let wrong = |what: &str| Some(error(id, "wrong_type", format!("{label}：{what}")));
    match q.kind {
        QuestionKind::Text => (!v.is_string()).then(|| wrong("应为文字")).flatten(),
        QuestionKind::Integer => (!(v.is_i64() || v.is_u64())).then(|| wrong("应为整数")).flatten(),
        QuestionKind::Decimal => (!v.as_f64().is_some_and(f64::is_finite)).then(|| wrong("应为数字")).flatten(),
        QuestionKind::Money => match v.as_i64() {
            Some(n) if n >= 0 => None,
            Some(_) => Some(error(id, "negative_amount", format!("{label}：金额不能为负数"))),
            None => wrong("金额应以分为单位的整数保存"),
        },
        QuestionKind::Date => match v.as_str().map(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")) {
            Some(Ok(_)) => None,
            _ => wrong("日期格式应为 年-月-日"),
        },
        QuestionKind::YesNo => (!v.is_boolean()).then(|| wrong("应为“是”或“否”")).flatten(),
        QuestionKind::SelectOne => match v.as_str() {
            Some(s) if q.choices.iter().any(|c| c.value == s) => None,
            _ => Some(error(id, "not_a_choice", format!("{label}：请从选项中选择"))),
        },
        QuestionKind::SelectMultiple => match v.as_array() {
            Some(items) if items.iter().all(|i| i.as_str().is_some_and(|s| q.choices.iter().any(|c| c.value == s))) => None,
            _ => Some(error(id, "not_a_choice", format!("{label}：请从选项中选择"))),
        },
        QuestionKind::Geopoint => {
            let ok = v.get("lat").and_then(Value::as_f64).is_some_and(|la| (-90.0..=90.0).contains(&la))
                && v.get("lon").and_then(Value::as_f64).is_some_and(|lo| (-180.0..=180.0).contains(&lo));
            (!ok).then(|| wrong("位置无效")).flatten()
        }
        QuestionKind::Photo => match v.as_array() {
            Some(items) if items.iter().all(|i| i.as_str().is_some_and(is_sha256_hex)) => {
                let n = items.len();
                let need = q.min_count.unwrap_or(if q.required { 1 } else { 0 });
                if (n as u64) < u64::from(need) {
                    return Some(error(id, "too_few_photos", format!("{label}：至少需要{need}张照片，当前{n}张")));
                }
                q.max_count
                    .filter(|max| (n as u64) > u64::from(*max))
                    .map(|max| error(id, "too_many_photos", format!("{label}：最多{max}张照片，当前{n}张")))
            }
            _ => wrong("照片引用无效"),
        },
        QuestionKind::Signature => (!v.as_str().is_some_and(is_sha256_hex)).then(|| wrong("签名无效")).flatten(),
        QuestionKind::Note => None,
        QuestionKind::Repeat => check_rows(q, id, label, v),
    }
}

/// Shape of a repeat group's answer: an array of objects whose keys are the group's question ids.
fn check_rows(q: &Question, id: &str, label: &str, v: &Value) -> Option<FieldError> {
    let Some(rows) = v.as_array() else {
        return Some(error(id, "wrong_type", format!("{label}：应为多项记录")));
    };
    if let Some(max) = q.max_count.filter(|max| rows.len() as u64 > u64::from(*max)) {
        return Some(error(id, "too_many_rows", format!("{label}：最多{max}项，当前{}项", rows.len())));
    }
    for (i, row) in rows.iter().enumerate() {
        let Some(fields) = row.as_object() else {
            return Some(error(&format!("{id}[{i}]"), "wrong_type", format!("{}：应为一项记录", row_label(label, i))));
        };
        for (key, value) in fields {
            let path = format!("{id}[{i}].{key}");
            let Some(child) = q.questions.iter().find(|c| &c.id == key) else {
                return Some(error(&path, "unknown_question", format!("{}：表单中没有此问题", row_label(label, i))));
            };
            if value.is_null() || child.is_calculated() {
                continue;
            }
            let child_label = child_label(label, i, &child.label);
            if let Some(e) = check_value(child, &path, &child_label, value) {
                return Some(e);
            }
        }
    }
    None
}

/// "家庭成员第2项"
pub(super) fn row_label(group_label: &str, index: usize) -> String {
    format!("{group_label}第{}项", index + 1)
}

/// "家庭成员第2项的身份证号"
pub(super) fn child_label(group_label: &str, index: usize, label: &str) -> String {
    format!("{}的{label}", row_label(group_label, index))
}

/// The value an expression sees for a well-typed answer (call only after `check_value` accepted it).
pub(super) fn to_cel(kind: QuestionKind, v: &Value) -> cel::Value {
    match kind {
        QuestionKind::Integer | QuestionKind::Money => v.as_i64().map_or(cel::Value::Null, cel::Value::Int),
        QuestionKind::Decimal => v.as_f64().map_or(cel::Value::Null, cel::Value::Float),
        _ => json_to_cel(v),
    }
}

/// Plain JSON → CEL: integral numbers become `int`, others `double`.
pub(super) fn json_to_cel(v: &Value) -> cel::Value {
    match v {
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => cel::Value::Int(i),
            None => n.as_f64().map_or(cel::Value::Null, cel::Value::Float),
        },
        Value::String(s) => cel::Value::String(Arc::new(s.clone())),
        Value::Array(items) => cel::Value::List(Arc::new(items.iter().map(json_to_cel).collect())),
        Value::Object(fields) => {
            let map: HashMap<String, cel::Value> = fields.iter().map(|(k, v)| (k.clone(), json_to_cel(v))).collect();
            map.into()
        }
    }
}

/// A calculation's result as the answer of a question of `kind`; None when the result does not fit the kind.
pub(super) fn from_cel(kind: QuestionKind, v: &cel::Value) -> Option<Value> {
    match (kind, v) {
        (_, cel::Value::Null) => None,
        (QuestionKind::Integer | QuestionKind::Money, cel::Value::Int(i)) => Some(Value::from(*i)),
        (QuestionKind::Integer | QuestionKind::Money, cel::Value::UInt(u)) => i64::try_from(*u).ok().map(Value::from),
        (QuestionKind::Decimal, cel::Value::Int(i)) => serde_json::Number::from_f64(*i as f64).map(Value::Number),
        (QuestionKind::Decimal, cel::Value::Float(f)) => serde_json::Number::from_f64(*f).map(Value::Number),
        (QuestionKind::Text | QuestionKind::Date | QuestionKind::SelectOne, cel::Value::String(s)) => Some(Value::String(s.to_string())),
        (QuestionKind::YesNo, cel::Value::Bool(b)) => Some(Value::Bool(*b)),
        (QuestionKind::SelectMultiple, cel::Value::List(items)) => items
            .iter()
            .map(|i| if let cel::Value::String(s) = i { Some(Value::String(s.to_string())) } else { None })
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        _ => None,
    }
}

/// Whether a calculation's CEL type suits a question of `kind` (the value itself is checked by `from_cel`).
pub(super) fn fits(kind: QuestionKind, v: &cel::Value) -> bool {
    match (kind, v) {
        (QuestionKind::Decimal, cel::Value::Float(_)) => true,
        (QuestionKind::SelectMultiple, cel::Value::List(_)) => true,
        _ => from_cel(kind, v).is_some(),
    }
}

/// Kinds a calculation may produce.
pub(super) fn calculable(kind: QuestionKind) -> bool {
    matches!(
        kind,
        QuestionKind::Text
            | QuestionKind::Integer
            | QuestionKind::Decimal
            | QuestionKind::Money
            | QuestionKind::Date
            | QuestionKind::YesNo
            | QuestionKind::SelectOne
            | QuestionKind::SelectMultiple
    )
}

/// A well-typed stand-in answer, used at load time to try every expression once and catch type mistakes then.
pub(super) fn sample(q: &Question, flip: bool) -> cel::Value {
    let s = |x: &str| cel::Value::String(Arc::new(x.to_string()));
    match q.kind {
        QuestionKind::Text => s(if flip { "" } else { "示例" }),
        QuestionKind::Integer | QuestionKind::Money => cel::Value::Int(if flip { 0 } else { 3 }),
        QuestionKind::Decimal => cel::Value::Float(if flip { 0.0 } else { 1.5 }),
        QuestionKind::Date => s("2024-01-01"),
        QuestionKind::YesNo => cel::Value::Bool(!flip),
        QuestionKind::SelectOne => q.choices.first().map_or(cel::Value::Null, |c| s(&c.value)),
        QuestionKind::SelectMultiple => {
            cel::Value::List(Arc::new(if flip { Vec::new() } else { q.choices.iter().take(1).map(|c| s(&c.value)).collect() }))
        }
        QuestionKind::Geopoint => {
            let map: HashMap<String, cel::Value> =
                [("lat".to_string(), cel::Value::Float(26.4)), ("lon".to_string(), cel::Value::Float(106.6))].into();
            map.into()
        }
        QuestionKind::Photo => cel::Value::List(Arc::new(vec![s(&"0".repeat(64))])),
        QuestionKind::Signature => s(&"0".repeat(64)),
        QuestionKind::Note => cel::Value::Null,
        QuestionKind::Repeat => {
            let row: HashMap<String, cel::Value> = q.questions.iter().map(|c| (c.id.clone(), sample(c, flip))).collect();
            cel::Value::List(Arc::new(vec![row.into()]))
        }
    }
}
