//! Form definitions are data, answers are data keyed by question id. This is the first, small engine the foundation
//! needs (types, required, choices, photo counts, signers, facts); the full forms engine replaces its internals.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::protocol::SignerRole;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormDefinition {
    pub id: String,
    pub version: u32,
    pub title: String,
    /// Assistance types (codes) this form serves.
    #[serde(default)]
    pub assistance_types: Vec<String>,
    /// Where the questions come from (rule, article).
    #[serde(default)]
    pub source: String,
    pub questions: Vec<Question>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub label: String,
    #[serde(default)]
    pub hint: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub choices: Vec<Choice>,
    /// photo: how many are needed at least.
    #[serde(default)]
    pub min_count: Option<u32>,
    /// signature: who signs.
    #[serde(default)]
    pub signer: Option<SignerRole>,
    /// The case fact this answer reports (e.g. "income.monthly_total_fen"); merged into the case on the server.
    #[serde(default)]
    pub fact: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    Text,
    Integer,
    Decimal,
    /// Whole fen (分) as an integer; shown in yuan.
    Money,
    /// "YYYY-MM-DD"
    Date,
    YesNo,
    SelectOne,
    SelectMultiple,
    Geopoint,
    Photo,
    Signature,
    Note,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// One problem with one answer; `message` is zh-CN for the person filling the form.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub question_id: String,
    pub code: String,
    pub message: String,
}

/// Problems in a definition itself, found when it is loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("form definition error at {path}: {reason}")]
pub struct DefinitionError {
    pub path: String,
    pub reason: String,
}

impl FormDefinition {
    pub fn from_json(json: &str) -> Result<Self, DefinitionError> {
        let def: Self = serde_json::from_str(json).map_err(|e| DefinitionError { path: "$".into(), reason: e.to_string() })?;
        def.check()?;
        Ok(def)
    }

    /// Structural checks, so a broken definition fails at load time, never in a house.
    pub fn check(&self) -> Result<(), DefinitionError> {
        let err = |i: usize, reason: &str| DefinitionError { path: format!("questions[{i}]"), reason: reason.into() };
        if self.id.trim().is_empty() || self.version == 0 {
            return Err(DefinitionError { path: "$".into(), reason: "id and version (>= 1) are required".into() });
        }
        let mut seen = HashSet::new();
        for (i, q) in self.questions.iter().enumerate() {
            if q.id.trim().is_empty() || !seen.insert(q.id.as_str()) {
                return Err(err(i, "question id is empty or repeated"));
            }
            match q.kind {
                QuestionKind::SelectOne | QuestionKind::SelectMultiple if q.choices.is_empty() => {
                    return Err(err(i, "select question without choices"));
                }
                QuestionKind::Signature if q.signer.is_none() => return Err(err(i, "signature question without signer")),
                _ => {}
            }
        }
        Ok(())
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// Validates a full set of answers; an empty list means the visit may be finalised.
    pub fn validate(&self, answers: &BTreeMap<String, Value>) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for key in answers.keys() {
            if self.question(key).is_none() {
                errors.push(FieldError { question_id: key.clone(), code: "unknown_question".into(), message: "表单中没有此问题".into() });
            }
        }
        for q in &self.questions {
            match answers.get(&q.id) {
                None | Some(Value::Null) => {
                    if q.required && q.kind != QuestionKind::Note {
                        errors.push(q.error("required", format!("请填写：{}", q.label)));
                    }
                }
                Some(v) => {
                    if let Some(e) = q.check_value(v) {
                        errors.push(e);
                    }
                }
            }
        }
        errors
    }

    /// (fact key, value) for every answered question that reports a case fact.
    pub fn facts<'a>(&'a self, answers: &'a BTreeMap<String, Value>) -> impl Iterator<Item = (&'a str, &'a Value)> {
        self.questions.iter().filter_map(move |q| {
            let fact = q.fact.as_deref()?;
            answers.get(&q.id).filter(|v| !v.is_null()).map(|v| (fact, v))
        })
    }
}

impl Question {
    fn error(&self, code: &str, message: String) -> FieldError {
        FieldError { question_id: self.id.clone(), code: code.into(), message }
    }

    /// Checks one answer against its question's type.
    pub fn check_value(&self, v: &Value) -> Option<FieldError> {
        let wrong = |what: &str| Some(self.error("wrong_type", format!("{}：{what}", self.label)));
        match self.kind {
            QuestionKind::Text => (!v.is_string()).then(|| wrong("应为文字")).flatten(),
            QuestionKind::Integer => (!(v.is_i64() || v.is_u64())).then(|| wrong("应为整数")).flatten(),
            QuestionKind::Decimal => (!v.is_number()).then(|| wrong("应为数字")).flatten(),
            QuestionKind::Money => match v.as_i64() {
                Some(n) if n >= 0 => None,
                Some(_) => Some(self.error("negative_amount", format!("{}：金额不能为负数", self.label))),
                None => wrong("金额应以分为单位的整数保存"),
            },
            QuestionKind::Date => match v.as_str().map(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")) {
                Some(Ok(_)) => None,
                _ => wrong("日期格式应为 年-月-日"),
            },
            QuestionKind::YesNo => (!v.is_boolean()).then(|| wrong("应为“是”或“否”")).flatten(),
            QuestionKind::SelectOne => match v.as_str() {
                Some(s) if self.choices.iter().any(|c| c.value == s) => None,
                _ => Some(self.error("not_a_choice", format!("{}：请从选项中选择", self.label))),
            },
            QuestionKind::SelectMultiple => match v.as_array() {
                Some(items) if items.iter().all(|i| i.as_str().is_some_and(|s| self.choices.iter().any(|c| c.value == s))) => None,
                _ => Some(self.error("not_a_choice", format!("{}：请从选项中选择", self.label))),
            },
            QuestionKind::Geopoint => {
                let ok = v.get("lat").and_then(Value::as_f64).is_some_and(|la| (-90.0..=90.0).contains(&la))
                    && v.get("lon").and_then(Value::as_f64).is_some_and(|lo| (-180.0..=180.0).contains(&lo));
                (!ok).then(|| wrong("位置无效")).flatten()
            }
            QuestionKind::Photo => match v.as_array() {
                Some(items) if items.iter().all(|i| i.as_str().is_some_and(is_sha256_hex)) => {
                    let need = self.min_count.unwrap_or(if self.required { 1 } else { 0 });
                    ((items.len() as u32) < need)
                        .then(|| self.error("too_few_photos", format!("{}：至少需要{need}张照片，当前{}张", self.label, items.len())))
                }
                _ => wrong("照片引用无效"),
            },
            QuestionKind::Signature => (!v.as_str().is_some_and(is_sha256_hex)).then(|| wrong("签名无效")).flatten(),
            QuestionKind::Note => None,
        }
    }
}

pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The forms shipped with Ruhu, as data.
pub fn builtin_forms() -> Vec<FormDefinition> {
    [include_str!("../forms/dibao-home-visit-v1.json")]
        .into_iter()
        .map(|json| FormDefinition::from_json(json).expect("built-in form is valid"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
}
