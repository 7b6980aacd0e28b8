//! Form definitions are data, answers are data keyed by question id. One engine decides on the phone and on the
//! server: `FormSession` compiles a definition's expressions once (relevance, constraints, conditional requirement,
//! calculations, CEL) and turns a set of answers into per-question state and zh-CN errors. `FormDefinition::validate`
//! is that same evaluation. The JSON format is documented in docs/forms.md.

mod answer;
mod definition;
mod expr;
pub mod sample;
mod session;
#[cfg(feature = "xlsform")]
pub mod xlsform;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use session::{FormSession, FormState, QuestionState};

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
    /// What the form is for; a new visit of a case takes the newest published home-visit form of its type.
    #[serde(default, skip_serializing_if = "FormPurpose::is_home_visit")]
    pub purpose: FormPurpose,
    pub questions: Vec<Question>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormPurpose {
    /// 入户调查表: the household economic-status investigation of an application.
    #[default]
    HomeVisit,
    /// 家庭经济状况书面声明及授权核对书: signed at application.
    Declaration,
    /// 定期核查表: the periodic review of a recipient household.
    PeriodicReview,
    /// 抽查复核入户核查表: the district's re-visit, shown next to the original record.
    Revisit,
}

impl FormPurpose {
    pub fn is_home_visit(&self) -> bool {
        *self == FormPurpose::HomeVisit
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            FormPurpose::HomeVisit => "入户调查",
            FormPurpose::Declaration => "书面声明及授权核对",
            FormPurpose::PeriodicReview => "定期核查",
            FormPurpose::Revisit => "抽查复核",
        }
    }
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
    /// photo: how many are needed at least; repeat: how many rows at least.
    #[serde(default)]
    pub min_count: Option<u32>,
    /// signature: who signs.
    #[serde(default)]
    pub signer: Option<SignerRole>,
    /// The case fact this answer reports (e.g. "income.monthly_total_fen"); merged into the case on the server.
    #[serde(default)]
    pub fact: Option<String>,
    /// photo: how many at most; repeat: how many rows at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_count: Option<u32>,
    /// CEL, bool: the question is asked only when true. An irrelevant question is neither required nor checked, and
    /// its answer is left out of expressions, facts and the submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    /// CEL, bool: the question becomes required when true (in addition to `required`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_if: Option<String>,
    /// CEL, bool: an answer is accepted only when true; the answer itself is the variable named by the question id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    /// zh-CN message shown when `constraint` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint_message: Option<String>,
    /// CEL: the question's value is computed, never typed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calculate: Option<String>,
    /// repeat: CEL, int: how many rows there must be (e.g. `household_size`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_count: Option<String>,
    /// repeat: the questions of one row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub questions: Vec<Question>,
}

/// Who signs a signature question (`Question::signer`) and, on the wire, a visit's signature (`protocol::SignatureRef`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerRole {
    Investigator1,
    Investigator2,
    FamilyMember,
}

impl SignerRole {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Investigator1 => "调查人员一",
            Self::Investigator2 => "调查人员二",
            Self::FamilyMember => "在场家庭成员",
        }
    }
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
    /// A group of questions answered once per row (e.g. per household member): an array of objects keyed by the
    /// group's question ids.
    Repeat,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// One problem with one answer; `message` is zh-CN for the person filling the form. `question_id` is the question's
/// id, or its path inside a repeat group (`members[1].resident_id`, rows counted from 0).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub question_id: String,
    pub code: String,
    pub message: String,
}

/// Problems in a definition itself, found when it is loaded. `path` names the field (`questions[3].questions[1]
/// .relevant`); `reason` is zh-CN for the person who wrote the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("form definition error at {path}: {reason}")]
pub struct DefinitionError {
    pub path: String,
    pub reason: String,
}

impl FormDefinition {
    pub fn from_json(json: &str) -> Result<Self, DefinitionError> {
        let def: Self = serde_json::from_str(json).map_err(|e| DefinitionError { path: "$".into(), reason: format!("JSON 格式错误：{e}") })?;
        def.check()?;
        Ok(def)
    }

    /// Structural checks and compilation of every expression, so a broken definition fails at load time, never in
    /// a house.
    pub fn check(&self) -> Result<(), DefinitionError> {
        FormSession::new(self).map(|_| ())
    }

    /// A top-level question by id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// Validates a full set of answers; an empty list means the visit may be finalised. The same evaluation as
    /// `FormSession::evaluate(..).errors`.
    pub fn validate(&self, answers: &BTreeMap<String, Value>) -> Vec<FieldError> {
        match FormSession::new(self) {
            Ok(session) => session.evaluate(answers).errors,
            Err(e) => vec![definition_failure(&e)],
        }
    }

    /// (fact key, value) for every answered, relevant question that reports a case fact. Calculated values are not
    /// in `answers`; `FormState::facts` has them too.
    pub fn facts<'a>(&'a self, answers: &'a BTreeMap<String, Value>) -> impl Iterator<Item = (&'a str, &'a Value)> {
        let relevant = FormSession::new(self).ok().map(|s| s.evaluate(answers).relevant_top_level());
        self.questions.iter().filter_map(move |q| {
            let fact = q.fact.as_deref()?;
            if relevant.as_ref().is_some_and(|r| !r.contains(q.id.as_str())) {
                return None;
            }
            answers.get(&q.id).filter(|v| !v.is_null()).map(|v| (fact, v))
        })
    }
}

fn definition_failure(e: &DefinitionError) -> FieldError {
    FieldError {
        question_id: e.path.clone(), code: "invalid_form_definition".into(), message: format!("表单定义有误（{}）：{}", e.path, e.reason)
    }
}

impl Question {
    /// Checks one answer against its question's type (and, for repeat groups, each row's answers).
    pub fn check_value(&self, v: &Value) -> Option<FieldError> {
        answer::check_value(self, &self.id, &self.label, v)
    }

    /// True when the value is computed from other answers.
    pub fn is_calculated(&self) -> bool {
        self.calculate.is_some()
    }
}

pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The JSON of the forms shipped with Ruhu. Older published versions stay here: drafts keep the version they
/// started with and the server accepts them.
const PUBLISHED_JSON: [&str; 7] = [
    include_str!("../../forms/dibao-home-visit-v1.json"),
    include_str!("../../forms/dibao-home-visit-v2.json"),
    include_str!("../../forms/tekun-home-visit-v1.json"),
    include_str!("../../forms/linshi-home-visit-v1.json"),
    include_str!("../../forms/declaration-v1.json"),
    include_str!("../../forms/periodic-review-v1.json"),
    include_str!("../../forms/district-revisit-v1.json"),
];

/// Shipped, not yet published (none at present): the place for a version that waits for the apps.
const UNPUBLISHED_JSON: [&str; 0] = [];

fn parse_builtin(json: &str) -> FormDefinition {
    FormDefinition::from_json(json).expect("built-in form is valid")
}

/// The forms the server publishes at start, as data.
pub fn builtin_forms() -> Vec<FormDefinition> {
    PUBLISHED_JSON.into_iter().map(parse_builtin).collect()
}

/// Every form shipped with Ruhu: the published ones and those waiting to be published.
pub fn library_forms() -> Vec<FormDefinition> {
    PUBLISHED_JSON.into_iter().chain(UNPUBLISHED_JSON).map(parse_builtin).collect()
}
