//! CEL expressions of a form: compiled once at load, with every name they read checked against the questions in
//! scope, and the helper functions forms may call.

use std::{collections::BTreeSet, sync::Arc};

use cel::{Context, Env, ExecutionError, Program};
use chrono::NaiveDate;

use super::DefinitionError;
use crate::resident_id::ResidentId;

/// Functions Ruhu adds to CEL's standard library (documented in docs/forms.md).
pub(super) const HELPERS: [&str; 6] = ["age_from_id", "age_on", "birth_date_from_id", "valid_id", "sum", "days_between"];

/// One compiled expression and the question ids it reads.
#[derive(Debug)]
pub(super) struct Expr {
    pub program: Program,
    pub reads: Vec<String>,
}

/// What an expression resolved to. `Unknown` covers inputs not answered yet (CEL refuses `null > 3`) as well as
/// failures such as a division by zero; each use decides what unknown means (see session.rs).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Outcome {
    Value(cel::Value),
    Unknown,
}

impl Outcome {
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Value(cel::Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }
}

pub(super) fn env() -> Arc<Env> {
    Arc::new(Env::stdlib())
}

/// Compiles `source` found at `path`; `scope` holds the names it may read (question ids of the form, and of the
/// current row inside a repeat group).
pub(super) fn compile(env: &Env, source: &str, path: &str, scope: &BTreeSet<&str>) -> Result<Expr, DefinitionError> {
    let fail = |reason: String| DefinitionError { path: path.to_string(), reason };
    if source.trim().is_empty() {
        return Err(fail("表达式为空".into()));
    }
    if source.contains("${") {
        return Err(fail("请直接用题目编号引用答案（CEL 表达式），不要使用 ${…}".into()));
    }
    let program = env.compile(source).map_err(|e| fail(format!("表达式无法解析：{}", first_line(&e.to_string()))))?;
    let refs = program.references();
    let bound = comprehension_variables(source);
    let mut reads = Vec::new();
    for name in refs.variables() {
        if scope.contains(name) {
            reads.push(name.to_string());
        } else if !bound.contains(name) && !name.starts_with('@') && !name.starts_with("__") {
            return Err(fail(format!("表达式引用了不存在的题目：{name}")));
        }
    }
    for f in refs.functions() {
        if !HELPERS.contains(&f) && !is_standard_function(f) {
            return Err(fail(format!("表达式使用了未知的函数：{f}")));
        }
    }
    reads.sort();
    reads.dedup();
    Ok(Expr { program, reads })
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// Names bound by the comprehension macros (`members.exists(m, m.age >= 60)`): the first argument of
/// all/exists/exists_one/map/filter calls.
fn comprehension_variables(source: &str) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    for mac in ["all(", "exists(", "exists_one(", "map(", "filter("] {
        let mut rest = source;
        while let Some(at) = rest.find(mac) {
            let after = &rest[at + mac.len()..];
            let preceded_by_dot = rest[..at].ends_with('.');
            if preceded_by_dot && let Some(comma) = after.find(',') {
                let name = after[..comma].trim();
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    out.insert(name);
                }
            }
            rest = after;
        }
    }
    out
}

/// CEL standard functions a form may call (the others are not needed on a form; the load-time trial run would
/// still catch one that is missing).
const STANDARD: [&str; 22] = [
    "size",
    "int",
    "uint",
    "double",
    "string",
    "bool",
    "type",
    "dyn",
    "has",
    "all",
    "exists",
    "exists_one",
    "map",
    "filter",
    "matches",
    "contains",
    "startsWith",
    "endsWith",
    "max",
    "min",
    "bytes",
    "in",
];

fn is_standard_function(name: &str) -> bool {
    // Operators (`_+_`, `@in`, `_?_:_`) come through the references as well.
    !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || STANDARD.contains(&name)
}

/// A root context with the helpers; `today` is the date `age_from_id` counts from.
pub(super) fn root_context(env: &Arc<Env>, today: NaiveDate) -> Context<'static, 'static> {
    let mut ctx = Context::with_env(Arc::clone(env));
    // Registration only fails for a name the standard library already declares; the names are fixed and a test
    // proves each one is callable.
    let _ = ctx.add_function("age_from_id", move |id: Arc<String>| age_on(&id, today));
    let _ = ctx.add_function("age_on", |id: Arc<String>, date: Arc<String>| age_on(&id, parse_date("age_on", &date)?));
    let _ = ctx.add_function("birth_date_from_id", |id: Arc<String>| -> Result<cel::Value, ExecutionError> {
        let id = ResidentId::parse(&id).map_err(|e| ExecutionError::function_error("birth_date_from_id", e.message_zh()))?;
        Ok(cel::Value::String(Arc::new(id.birth_date().format("%Y-%m-%d").to_string())))
    });
    let _ = ctx.add_function("valid_id", |id: Arc<String>| ResidentId::parse(&id).is_ok());
    let _ = ctx.add_function("sum", sum);
    let _ = ctx.add_function("days_between", |from: Arc<String>, to: Arc<String>| -> Result<cel::Value, ExecutionError> {
        let (a, b) = (parse_date("days_between", &from)?, parse_date("days_between", &to)?);
        Ok(cel::Value::Int((b - a).num_days()))
    });
    ctx
}

fn parse_date(function: &str, s: &str) -> Result<NaiveDate, ExecutionError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ExecutionError::function_error(function, "日期格式应为 年-月-日"))
}

fn age_on(id: &str, on: NaiveDate) -> Result<cel::Value, ExecutionError> {
    let id = ResidentId::parse(id).map_err(|e| ExecutionError::function_error("age_from_id", e.message_zh()))?;
    Ok(cel::Value::Int(i64::from(id.age_on(on))))
}

/// Sum of a list of numbers, nulls skipped: `int` when every item is an int, `double` as soon as one is a double
/// (the helper converts, so `sum` never trips over CEL's refusal to mix).
fn sum(items: Arc<Vec<cel::Value>>) -> Result<cel::Value, ExecutionError> {
    let mut int_total: i64 = 0;
    let mut float_total: Option<f64> = None;
    for item in items.iter() {
        match item {
            cel::Value::Null => {}
            cel::Value::Int(i) => {
                int_total = int_total.checked_add(*i).ok_or_else(|| ExecutionError::function_error("sum", "合计超出范围"))?;
            }
            cel::Value::UInt(u) => {
                let i = i64::try_from(*u).map_err(|_| ExecutionError::function_error("sum", "合计超出范围"))?;
                int_total = int_total.checked_add(i).ok_or_else(|| ExecutionError::function_error("sum", "合计超出范围"))?;
            }
            cel::Value::Float(f) => float_total = Some(float_total.unwrap_or(0.0) + f),
            other => return Err(ExecutionError::function_error("sum", format!("不是数字：{other:?}"))),
        }
    }
    Ok(match float_total {
        Some(f) => cel::Value::Float(f + int_total as f64),
        None => cel::Value::Int(int_total),
    })
}

/// Runs a compiled expression; any failure is `Unknown`.
pub(super) fn run(expr: &Expr, ctx: &Context) -> Outcome {
    match expr.program.execute(ctx) {
        Ok(v) => Outcome::Value(v),
        Err(_) => Outcome::Unknown,
    }
}

/// Runs an expression on stand-in answers at load time; Some(reason) for a mistake in the expression itself
/// (mixing int and double, a function given the wrong type, a field a row does not have).
pub(super) fn type_mistake(expr: &Expr, ctx: &Context) -> Result<cel::Value, Option<String>> {
    match expr.program.execute(ctx) {
        Ok(v) => Ok(v),
        Err(e) => match e {
            ExecutionError::NoSuchOverload(_)
            | ExecutionError::UnsupportedBinaryOperator(..)
            | ExecutionError::UnexpectedType { .. }
            | ExecutionError::ValuesNotComparable(..)
            | ExecutionError::NoSuchKey(_)
            | ExecutionError::UndeclaredReference(_)
            | ExecutionError::InvalidArgumentCount { .. }
            | ExecutionError::UnsupportedTargetType { .. }
            | ExecutionError::NotSupportedAsMethod { .. } => Err(Some(type_reason(&e))),
            _ => Err(None),
        },
    }
}

fn type_reason(e: &ExecutionError) -> String {
    let detail = first_line(&e.to_string()).to_string();
    match e {
        ExecutionError::UnsupportedBinaryOperator(_, a, b) if is_number(a) && is_number(b) => {
            format!("整数与小数不能直接运算（金额、整数为 int，小数为 double；请用 double(…) 或 int(…) 转换，或写 2.0）：{detail}")
        }
        ExecutionError::NoSuchOverload(_) => format!("函数或运算的参数类型不符（整数与小数不能混用，可用 double(…) 转换）：{detail}"),
        _ => format!("表达式类型错误：{detail}"),
    }
}

fn is_number(v: &cel::Value) -> bool {
    matches!(v, cel::Value::Int(_) | cel::Value::UInt(_) | cel::Value::Float(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope<'a>(names: &[&'a str]) -> BTreeSet<&'a str> {
        names.iter().copied().collect()
    }

    #[test]
    fn reads_are_the_question_ids_and_macro_variables_are_not_questions() {
        let env = env();
        let e =
            compile(&env, "members.exists(m, m.age >= 60) && size(members) > household_size", "p", &scope(&["members", "household_size"])).unwrap();
        assert_eq!(e.reads, vec!["household_size".to_string(), "members".to_string()]);
        let err = compile(&env, "incom_wages_fen > 0", "questions[3].relevant", &scope(&["income_wages_fen"])).unwrap_err();
        assert_eq!(err.path, "questions[3].relevant");
        assert!(err.reason.contains("incom_wages_fen"), "{}", err.reason);
        let err = compile(&env, "frobnicate(a)", "p", &scope(&["a"])).unwrap_err();
        assert!(err.reason.contains("frobnicate"), "{}", err.reason);
        assert!(compile(&env, "a >", "p", &scope(&["a"])).unwrap_err().reason.starts_with("表达式无法解析"));
        assert!(compile(&env, "${a} > 1", "p", &scope(&["a"])).is_err());
    }

    #[test]
    fn every_helper_is_callable() {
        let env = env();
        let mut ctx = root_context(&env, NaiveDate::from_ymd_opt(2024, 6, 1).unwrap());
        let id = crate::resident_id::make_resident_id("520111", NaiveDate::from_ymd_opt(1950, 6, 2).unwrap(), 12);
        ctx.add_variable_from_value("id", id.as_str().to_string());
        let ids = scope(&["id"]);
        let eval = |src: &str| run(&compile(&env, src, "p", &ids).unwrap(), &ctx);
        assert_eq!(eval("age_from_id(id)"), Outcome::Value(cel::Value::Int(73)));
        assert_eq!(eval("age_on(id, '2024-06-02')"), Outcome::Value(cel::Value::Int(74)));
        assert_eq!(eval("birth_date_from_id(id)"), Outcome::Value(cel::Value::String(Arc::new("1950-06-02".into()))));
        assert_eq!(eval("valid_id(id) && !valid_id('123')"), Outcome::Value(cel::Value::Bool(true)));
        assert_eq!(eval("sum([1, 2, null, 3])"), Outcome::Value(cel::Value::Int(6)));
        assert_eq!(eval("sum([1, 2.5])"), Outcome::Value(cel::Value::Float(3.5)));
        assert_eq!(eval("days_between('2024-01-30', '2024-03-01')"), Outcome::Value(cel::Value::Int(31)));
        assert_eq!(eval("age_from_id('123')"), Outcome::Unknown);
    }

    #[test]
    fn mixing_int_and_double_is_a_type_mistake_found_on_sample_answers() {
        let env = env();
        let mut ctx = root_context(&env, NaiveDate::from_ymd_opt(2024, 6, 1).unwrap());
        ctx.add_variable_from_value("land_mu", 1.5);
        let e = compile(&env, "land_mu * 2", "questions[0].calculate", &scope(&["land_mu"])).unwrap();
        let reason = type_mistake(&e, &ctx).unwrap_err().unwrap();
        assert!(reason.contains("double"), "{reason}");
        let ok = compile(&env, "land_mu * 2.0 > 2", "p", &scope(&["land_mu"])).unwrap();
        assert_eq!(type_mistake(&ok, &ctx), Ok(cel::Value::Bool(true)));
    }
}
