//! The evaluator: a definition with its expressions compiled, turning answers into per-question state. The phone
//! calls it after every answer, the server on every submission; `FormDefinition::validate` is this evaluation.
//!
//! Order: questions are evaluated in dependency order (what their `relevant`, `calculate` and `repeat_count` read),
//! so a calculation may use another and relevance may use a calculation; a cycle is a definition error. An
//! irrelevant question's value is null to every expression. Then each question is checked in document order:
//! required (or `required_if`), type, `constraint`. An expression whose inputs are not answered yet (or that fails)
//! is unknown: an unknown `relevant` hides the question, an unknown `required_if` does not require, an unknown
//! `constraint` does not complain, an unknown `calculate` has no value.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    sync::Arc,
};

use cel::{Context, Env};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use super::{
    DefinitionError, FieldError, FormDefinition, Question, QuestionKind,
    answer::{self, child_label, row_label},
    definition::check_structure,
    expr::{self, Expr, Outcome},
};

/// The compiled expressions of one question.
#[derive(Debug, Default)]
struct Node {
    relevant: Option<Expr>,
    required_if: Option<Expr>,
    constraint: Option<Expr>,
    calculate: Option<Expr>,
    repeat_count: Option<Expr>,
    children: Vec<Node>,
    /// Evaluation order of the children (repeat groups).
    child_order: Vec<usize>,
}

/// A form ready to evaluate answers: built once per definition, reused for every change.
pub struct FormSession {
    def: FormDefinition,
    env: Arc<Env>,
    nodes: Vec<Node>,
    order: Vec<usize>,
    today: NaiveDate,
}

/// State of one question (or one question of one row) for the given answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionState {
    /// `household_size`, or `members[1].age` inside a repeat group (rows from 0).
    pub path: String,
    pub relevant: bool,
    pub required: bool,
    /// The answer as it counts (None when irrelevant, unanswered or of the wrong type), or the calculated value.
    pub value: Option<Value>,
    pub calculated: bool,
    /// repeat: the number of rows `repeat_count` asks for, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_rows: Option<u32>,
    pub errors: Vec<FieldError>,
}

/// Everything the evaluator says about a set of answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormState {
    /// In document order; a repeat group's rows follow the group.
    pub questions: Vec<QuestionState>,
    /// All errors, in document order (answers to unknown questions first); empty = the visit may be finalised.
    pub errors: Vec<FieldError>,
    #[serde(skip)]
    facts: Vec<(String, Value)>,
    #[serde(skip)]
    answers: BTreeMap<String, Value>,
}

impl FormState {
    pub fn state(&self, path: &str) -> Option<&QuestionState> {
        self.questions.iter().find(|q| q.path == path)
    }

    pub fn is_complete(&self) -> bool {
        self.errors.is_empty()
    }

    /// (fact key, value) of every relevant question with a value that reports a fact, calculated ones included; a
    /// repeat group reports its rows (relevant answers and calculations only).
    pub fn facts(&self) -> &[(String, Value)] {
        &self.facts
    }

    /// The answers as they should be submitted: irrelevant answers left out, calculations filled in, rows cleaned.
    pub fn submission_answers(&self) -> &BTreeMap<String, Value> {
        &self.answers
    }

    pub(super) fn relevant_top_level(&self) -> BTreeSet<String> {
        self.questions.iter().filter(|q| q.relevant && !q.path.contains('[')).map(|q| q.path.clone()).collect()
    }
}

impl std::fmt::Debug for FormSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormSession")
            .field("form", &self.def.id)
            .field("version", &self.def.version)
            .field("today", &self.today)
            .finish_non_exhaustive()
    }
}

impl FormSession {
    /// Checks the definition and compiles every expression; an error names the field (`questions[3].relevant`).
    pub fn new(def: &FormDefinition) -> Result<Self, DefinitionError> {
        check_structure(def)?;
        let env = expr::env();
        let top: BTreeSet<&str> = def.questions.iter().map(|q| q.id.as_str()).collect();
        let mut nodes = Vec::with_capacity(def.questions.len());
        for (i, q) in def.questions.iter().enumerate() {
            let path = format!("questions[{i}]");
            let mut node = compile_node(&env, q, &path, &top)?;
            if q.kind == QuestionKind::Repeat {
                let mut scope = top.clone();
                scope.extend(q.questions.iter().map(|c| c.id.as_str()));
                for (j, c) in q.questions.iter().enumerate() {
                    node.children.push(compile_node(&env, c, &format!("{path}.questions[{j}]"), &scope)?);
                }
                let row_ids: Vec<&str> = q.questions.iter().map(|c| c.id.as_str()).collect();
                let deps: Vec<BTreeSet<usize>> = node.children.iter().map(|n| indices(&n.value_reads(), &row_ids)).collect();
                node.child_order = topo_order(&deps).map_err(|j| cycle_error(&format!("{path}.questions[{j}]"), &q.questions[j]))?;
            }
            nodes.push(node);
        }
        let ids: Vec<&str> = def.questions.iter().map(|q| q.id.as_str()).collect();
        let deps: Vec<BTreeSet<usize>> = nodes.iter().map(|n| indices(&n.all_value_reads(), &ids)).collect();
        let order = topo_order(&deps).map_err(|i| cycle_error(&format!("questions[{i}]"), &def.questions[i]))?;
        let session = Self { def: def.clone(), env, nodes, order, today: crate::time::process_clock().today() };
        session.trial_run()?;
        Ok(session)
    }

    /// The date `age_from_id(id)` counts from (default: today in China). Forms that need a reproducible age use
    /// `age_on(id, visit_date)` instead.
    pub fn with_today(mut self, today: NaiveDate) -> Self {
        self.today = today;
        self
    }

    pub fn definition(&self) -> &FormDefinition {
        &self.def
    }

    /// Evaluates a full set of answers (top-level question id → answer; a repeat group's answer is an array of
    /// objects keyed by its questions' ids).
    pub fn evaluate(&self, answers: &BTreeMap<String, Value>) -> FormState {
        self.evaluate_on(answers, self.today)
    }

    /// `evaluate` as of `today` (the day `age_from_id` counts from): lets one compiled session serve many days.
    pub fn evaluate_on(&self, answers: &BTreeMap<String, Value>, today: NaiveDate) -> FormState {
        let mut ctx = expr::root_context(&self.env, today);
        let n = self.def.questions.len();
        let mut relevant = vec![false; n];
        let mut values: Vec<Option<Value>> = vec![None; n];
        let mut expected_rows: Vec<Option<u32>> = vec![None; n];
        let mut rows: Vec<Vec<RowState>> = (0..n).map(|_| Vec::new()).collect();

        for &i in &self.order {
            let q = &self.def.questions[i];
            let node = &self.nodes[i];
            relevant[i] = is_relevant(node, &ctx);
            if q.kind == QuestionKind::Repeat {
                if relevant[i] {
                    expected_rows[i] = node.repeat_count.as_ref().and_then(|e| match expr::run(e, &ctx) {
                        Outcome::Value(cel::Value::Int(k)) => u32::try_from(k).ok(),
                        _ => None,
                    });
                    rows[i] = raw_rows(answers.get(&q.id)).iter().map(|row| self.eval_row(q, node, row, &ctx)).collect();
                }
                let list: Vec<cel::Value> = rows[i].iter().map(RowState::cel_map).collect();
                ctx.add_variable_from_value(q.id.clone(), cel::Value::List(Arc::new(list)));
                continue;
            }
            values[i] = effective_value(q, node, relevant[i], answers.get(&q.id), &ctx);
            ctx.add_variable_from_value(q.id.clone(), bound(q, values[i].as_ref()));
        }

        let mut state = FormState { questions: Vec::with_capacity(n), errors: Vec::new(), facts: Vec::new(), answers: BTreeMap::new() };
        for key in answers.keys() {
            if self.def.question(key).is_none() {
                state
                    .errors
                    .push(FieldError { question_id: key.clone(), code: "unknown_question".into(), message: "表单中没有此问题".into() });
            }
        }
        for (i, q) in self.def.questions.iter().enumerate() {
            let node = &self.nodes[i];
            let mut qs = QuestionState {
                path: q.id.clone(),
                relevant: relevant[i],
                required: false,
                value: values[i].clone(),
                calculated: q.is_calculated(),
                expected_rows: expected_rows[i],
                errors: Vec::new(),
            };
            if relevant[i] {
                qs.required = is_required(q, node, &ctx);
                qs.errors = check(q, node, &q.id, &q.label, answers.get(&q.id), values[i].as_ref(), qs.required, &ctx);
            }
            if q.kind == QuestionKind::Repeat && relevant[i] {
                if qs.errors.is_empty() {
                    qs.errors = row_count_errors(q, answers.get(&q.id), expected_rows[i]);
                }
                let cleaned: Vec<Value> = rows[i].iter().map(|r| Value::Object(r.cleaned.clone())).collect();
                qs.value = Some(Value::Array(cleaned));
                state.errors.append(&mut qs.errors.clone());
                state.questions.push(qs);
                for (r, row) in rows[i].iter().enumerate() {
                    let mut child_ctx = ctx.new_inner_scope();
                    for (id, v) in &row.bindings {
                        child_ctx.add_variable_from_value(id.clone(), v.clone());
                    }
                    for (j, c) in q.questions.iter().enumerate() {
                        let path = format!("{}[{r}].{}", q.id, c.id);
                        let mut cs = QuestionState {
                            path: path.clone(),
                            relevant: row.relevant[j],
                            required: false,
                            value: row.values[j].clone(),
                            calculated: c.is_calculated(),
                            expected_rows: None,
                            errors: Vec::new(),
                        };
                        if row.relevant[j] {
                            cs.required = is_required(c, &node.children[j], &child_ctx);
                            let label = child_label(&q.label, r, &c.label);
                            cs.errors =
                                check(c, &node.children[j], &path, &label, row.raw.get(&c.id), row.values[j].as_ref(), cs.required, &child_ctx);
                        }
                        state.errors.extend(cs.errors.iter().cloned());
                        state.questions.push(cs);
                    }
                    for key in row.raw.keys().filter(|k| !q.questions.iter().any(|c| &c.id == *k)) {
                        state.errors.push(FieldError {
                            question_id: format!("{}[{r}].{key}", q.id),
                            code: "unknown_question".into(),
                            message: format!("{}：表单中没有此问题", row_label(&q.label, r)),
                        });
                    }
                }
            } else {
                state.errors.extend(qs.errors.iter().cloned());
                state.questions.push(qs);
            }
        }
        for (i, q) in self.def.questions.iter().enumerate() {
            let value = if q.kind == QuestionKind::Repeat {
                relevant[i].then(|| Value::Array(rows[i].iter().map(|r| Value::Object(r.cleaned.clone())).collect()))
            } else {
                values[i].clone()
            };
            let Some(value) = value else { continue };
            if let Some(fact) = &q.fact {
                state.facts.push((fact.clone(), value.clone()));
            }
            state.answers.insert(q.id.clone(), value);
        }
        state
    }

    fn eval_row(&self, q: &Question, node: &Node, raw: &serde_json::Map<String, Value>, ctx: &Context) -> RowState {
        let k = q.questions.len();
        let mut row = RowState {
            raw: raw.clone(),
            relevant: vec![false; k],
            values: vec![None; k],
            bindings: Vec::with_capacity(k),
            cleaned: serde_json::Map::new(),
        };
        let mut child_ctx = ctx.new_inner_scope();
        for c in &q.questions {
            // Every row field is bound (null until known) so a row never falls back to another scope's value.
            child_ctx.add_variable_from_value(c.id.clone(), bound(c, None));
        }
        for &j in &node.child_order {
            let c = &q.questions[j];
            let cn = &node.children[j];
            row.relevant[j] = is_relevant(cn, &child_ctx);
            row.values[j] = effective_value(c, cn, row.relevant[j], raw.get(&c.id), &child_ctx);
            child_ctx.add_variable_from_value(c.id.clone(), bound(c, row.values[j].as_ref()));
        }
        for (j, c) in q.questions.iter().enumerate() {
            row.bindings.push((c.id.clone(), bound(c, row.values[j].as_ref())));
            if let Some(v) = &row.values[j] {
                row.cleaned.insert(c.id.clone(), v.clone());
            }
        }
        row
    }

    /// Runs every expression once on well-typed stand-in answers (twice: "yes"/non-zero and "no"/zero), so that an
    /// expression mixing int and double, or producing the wrong type, fails at load time.
    fn trial_run(&self) -> Result<(), DefinitionError> {
        for flip in [false, true] {
            let mut ctx = expr::root_context(&self.env, self.today);
            for q in &self.def.questions {
                ctx.add_variable_from_value(q.id.clone(), answer::sample(q, flip));
            }
            for (i, q) in self.def.questions.iter().enumerate() {
                let path = format!("questions[{i}]");
                trial_node(q, &self.nodes[i], &path, &ctx)?;
                if q.kind == QuestionKind::Repeat {
                    let mut row_ctx = ctx.new_inner_scope();
                    for c in &q.questions {
                        row_ctx.add_variable_from_value(c.id.clone(), answer::sample(c, flip));
                    }
                    for (j, c) in q.questions.iter().enumerate() {
                        trial_node(c, &self.nodes[i].children[j], &format!("{path}.questions[{j}]"), &row_ctx)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The evaluated answers of one row of a repeat group.
#[derive(Debug)]
struct RowState {
    raw: serde_json::Map<String, Value>,
    relevant: Vec<bool>,
    values: Vec<Option<Value>>,
    bindings: Vec<(String, cel::Value)>,
    cleaned: serde_json::Map<String, Value>,
}

impl RowState {
    fn cel_map(&self) -> cel::Value {
        let map: HashMap<String, cel::Value> = self.bindings.iter().cloned().collect();
        map.into()
    }
}

impl Node {
    /// Names read by the expressions that decide this question's value.
    fn value_reads(&self) -> BTreeSet<&str> {
        [&self.relevant, &self.calculate, &self.repeat_count].into_iter().flatten().flat_map(|e| e.reads.iter().map(String::as_str)).collect()
    }

    /// Including the children's, for ordering top-level questions (a child may read a top-level answer).
    fn all_value_reads(&self) -> BTreeSet<&str> {
        let mut reads = self.value_reads();
        for c in &self.children {
            reads.extend(c.value_reads());
        }
        reads
    }
}

fn compile_node(env: &Env, q: &Question, path: &str, scope: &BTreeSet<&str>) -> Result<Node, DefinitionError> {
    let one = |field: &str, src: &Option<String>| -> Result<Option<Expr>, DefinitionError> {
        src.as_deref().map(|s| expr::compile(env, s, &format!("{path}.{field}"), scope)).transpose()
    };
    Ok(Node {
        relevant: one("relevant", &q.relevant)?,
        required_if: one("required_if", &q.required_if)?,
        constraint: one("constraint", &q.constraint)?,
        calculate: one("calculate", &q.calculate)?,
        repeat_count: one("repeat_count", &q.repeat_count)?,
        children: Vec::new(),
        child_order: Vec::new(),
    })
}

fn trial_node(q: &Question, node: &Node, path: &str, ctx: &Context) -> Result<(), DefinitionError> {
    let fail = |field: &str, reason: String| DefinitionError { path: format!("{path}.{field}"), reason };
    let try_one = |field: &str, e: &Option<Expr>| -> Result<Option<cel::Value>, DefinitionError> {
        match e.as_ref().map(|e| expr::type_mistake(e, ctx)) {
            None | Some(Err(None)) => Ok(None),
            Some(Err(Some(reason))) => Err(fail(field, reason)),
            Some(Ok(v)) => Ok(Some(v)),
        }
    };
    for (field, e) in [("relevant", &node.relevant), ("required_if", &node.required_if), ("constraint", &node.constraint)] {
        if let Some(v) = try_one(field, e)?
            && !matches!(v, cel::Value::Bool(_))
        {
            return Err(fail(field, format!("表达式的结果应为是/否（bool），实际为 {}", v.type_of())));
        }
    }
    if let Some(v) = try_one("repeat_count", &node.repeat_count)?
        && !matches!(v, cel::Value::Int(_))
    {
        return Err(fail("repeat_count", format!("表达式的结果应为整数（int），实际为 {}", v.type_of())));
    }
    if let Some(v) = try_one("calculate", &node.calculate)?
        && !matches!(v, cel::Value::Null)
        && !answer::fits(q.kind, &v)
    {
        return Err(fail("calculate", format!("计算结果的类型（{}）与题目类型不符（金额、整数应为 int，可用 int(…) 转换）", v.type_of())));
    }
    Ok(())
}

fn is_relevant(node: &Node, ctx: &Context) -> bool {
    node.relevant.as_ref().is_none_or(|e| expr::run(e, ctx).as_bool().unwrap_or(false))
}

fn is_required(q: &Question, node: &Node, ctx: &Context) -> bool {
    if q.kind == QuestionKind::Note || q.is_calculated() {
        return false;
    }
    q.required || node.required_if.as_ref().is_some_and(|e| expr::run(e, ctx).as_bool().unwrap_or(false))
}

/// The value a question contributes: its calculation, or its answer when relevant and of the right type.
fn effective_value(q: &Question, node: &Node, relevant: bool, raw: Option<&Value>, ctx: &Context) -> Option<Value> {
    if !relevant || q.kind == QuestionKind::Note {
        return None;
    }
    if let Some(calc) = &node.calculate {
        return match expr::run(calc, ctx) {
            Outcome::Value(v) => answer::from_cel(q.kind, &v),
            Outcome::Unknown => None,
        };
    }
    let v = raw.filter(|v| !v.is_null())?;
    let well_typed = match answer::check_value(q, &q.id, &q.label, v) {
        None => true,
        // Too few photos still lets the photos count (e.g. `size(photos) > 0`).
        Some(e) => e.code == "too_few_photos",
    };
    well_typed.then(|| v.clone())
}

/// What expressions see for a question: null when unknown; an empty list for list-valued questions.
fn bound(q: &Question, v: Option<&Value>) -> cel::Value {
    match (q.kind, v) {
        (_, Some(v)) => answer::to_cel(q.kind, v),
        (QuestionKind::SelectMultiple | QuestionKind::Photo | QuestionKind::Repeat, None) => cel::Value::List(Arc::new(Vec::new())),
        (_, None) => cel::Value::Null,
    }
}

/// Required, type and constraint errors of one relevant question.
#[allow(clippy::too_many_arguments)]
fn check(
    q: &Question,
    node: &Node,
    path: &str,
    label: &str,
    raw: Option<&Value>,
    value: Option<&Value>,
    required: bool,
    ctx: &Context,
) -> Vec<FieldError> {
    let error = |code: &str, message: String| FieldError { question_id: path.to_string(), code: code.into(), message };
    if q.kind == QuestionKind::Note || q.is_calculated() {
        return Vec::new();
    }
    let raw = raw.filter(|v| !v.is_null());
    let empty_rows = q.kind == QuestionKind::Repeat && raw.and_then(Value::as_array).is_some_and(Vec::is_empty);
    let Some(raw) = raw.filter(|_| !empty_rows) else {
        return if required { vec![error("required", format!("请填写：{label}"))] } else { Vec::new() };
    };
    let type_error = if q.kind == QuestionKind::Repeat {
        raw.as_array().is_none().then(|| error("wrong_type", format!("{label}：应为多项记录")))
    } else {
        answer::check_value(q, path, label, raw)
    };
    if let Some(e) = type_error {
        return vec![e];
    }
    if value.is_some()
        && let Some(c) = &node.constraint
        && expr::run(c, ctx).as_bool() == Some(false)
    {
        let message = q.constraint_message.clone().map_or_else(|| format!("{label}：填写的内容不符合要求"), |m| format!("{label}：{m}"));
        return vec![error("constraint_failed", message)];
    }
    Vec::new()
}

fn raw_rows(v: Option<&Value>) -> Vec<serde_json::Map<String, Value>> {
    v.and_then(Value::as_array).map(|rows| rows.iter().map(|r| r.as_object().cloned().unwrap_or_default()).collect()).unwrap_or_default()
}

fn row_count_errors(q: &Question, raw: Option<&Value>, expected: Option<u32>) -> Vec<FieldError> {
    let Some(rows) = raw.and_then(Value::as_array) else { return Vec::new() };
    let n = rows.len();
    let error = |code: &str, message: String| FieldError { question_id: q.id.clone(), code: code.into(), message };
    let mut out = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        if !row.is_object() {
            out.push(FieldError {
                question_id: format!("{}[{r}]", q.id),
                code: "wrong_type".into(),
                message: format!("{}：应为一项记录", row_label(&q.label, r)),
            });
        }
    }
    if let Some(e) = expected
        && n as u64 != u64::from(e)
    {
        out.push(error("row_count_mismatch", format!("{}：应填写{e}项，当前{n}项", q.label)));
    } else if let Some(min) = q.min_count.filter(|m| (n as u64) < u64::from(*m) && n > 0) {
        out.push(error("too_few_rows", format!("{}：至少需要{min}项，当前{n}项", q.label)));
    } else if let Some(max) = q.max_count.filter(|m| (n as u64) > u64::from(*m)) {
        out.push(error("too_many_rows", format!("{}：最多{max}项，当前{n}项", q.label)));
    }
    out
}

fn indices(names: &BTreeSet<&str>, ids: &[&str]) -> BTreeSet<usize> {
    names.iter().filter_map(|n| ids.iter().position(|id| id == n)).collect()
}

/// Kahn's algorithm, preferring document order; Err(index) of a question on a cycle.
fn topo_order(deps: &[BTreeSet<usize>]) -> Result<Vec<usize>, usize> {
    let n = deps.len();
    let mut waiting: Vec<usize> = deps.iter().map(BTreeSet::len).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, ds) in deps.iter().enumerate() {
        for &d in ds {
            dependents[d].push(i);
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &j in &dependents[i] {
            waiting[j] -= 1;
            if waiting[j] == 0 {
                ready.insert(j);
            }
        }
    }
    if order.len() < n {
        return Err((0..n).find(|&i| waiting[i] > 0).unwrap_or(0));
    }
    Ok(order)
}

fn cycle_error(path: &str, q: &Question) -> DefinitionError {
    DefinitionError { path: path.to_string(), reason: format!("表达式循环引用：“{}”的显示条件或计算依赖于它自己", q.id) }
}
