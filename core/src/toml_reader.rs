//! Reads a TOML document key by key, so every error names the key path it is about (`deadlines.dibao.publicity.unit`)
//! in English for developers and in Chinese for the administrator who wrote the file. Unknown keys are errors: a typo
//! in a policy file must not silently fall back to nothing.
//!
//! Below both of its readers: the policy file (`policy`) and the holiday schedules (`calendar`) import it; it imports
//! neither.

use std::{cell::RefCell, collections::BTreeSet, fmt};

use chrono::NaiveDate;
use toml::{Table, Value};

/// One problem in a configuration file, at one key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    /// Dotted key path, with `[i]` for array items; empty for the whole document (syntax errors).
    pub path: String,
    pub message_en: String,
    pub message_zh: String,
}

impl KeyError {
    pub fn new(path: impl Into<String>, en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self { path: path.into(), message_en: en.into(), message_zh: zh.into() }
    }

    /// "deadlines.dibao.investigation_start：须为正整数个工作日"
    pub fn describe_zh(&self) -> String {
        if self.path.is_empty() { self.message_zh.clone() } else { format!("{}：{}", self.path, self.message_zh) }
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() { f.write_str(&self.message_en) } else { write!(f, "{}: {}", self.path, self.message_en) }
    }
}

/// Parses the document; a syntax error names line and column.
pub(crate) fn parse_document(text: &str) -> Result<Table, KeyError> {
    text.parse::<Table>().map_err(|e| {
        let (line, col) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
        let msg = e.message().trim().to_string();
        KeyError::new("", format!("TOML syntax error at line {line}, column {col}: {msg}"), format!("文件格式错误（第{line}行第{col}列）：{msg}"))
    })
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

fn type_zh(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "文本",
        Value::Integer(_) => "整数",
        Value::Float(_) => "小数",
        Value::Boolean(_) => "布尔值",
        Value::Datetime(_) => "日期时间",
        Value::Array(_) => "数组",
        Value::Table(_) => "表",
    }
}

pub(crate) fn wrong_type(path: &str, expected_en: &str, expected_zh: &str, found: &Value) -> KeyError {
    KeyError::new(path, format!("must be {expected_en}, found {}", found.type_str()), format!("须为{expected_zh}，实际为{}", type_zh(found)))
}

/// A table being read; remembers which keys were read so `finish` can refuse the rest.
pub(crate) struct TableReader<'a> {
    pub path: String,
    table: &'a Table,
    seen: RefCell<BTreeSet<String>>,
}

impl<'a> TableReader<'a> {
    pub fn new(path: impl Into<String>, table: &'a Table) -> Self {
        Self { path: path.into(), table, seen: RefCell::new(BTreeSet::new()) }
    }

    pub fn key_path(&self, key: &str) -> String {
        join(&self.path, key)
    }

    pub fn keys(&self) -> Vec<&'a str> {
        self.table.keys().map(String::as_str).collect()
    }

    pub fn has(&self, key: &str) -> bool {
        self.table.contains_key(key)
    }

    pub fn opt(&self, key: &str) -> Option<&'a Value> {
        self.seen.borrow_mut().insert(key.to_string());
        self.table.get(key)
    }

    pub fn req(&self, key: &str) -> Result<&'a Value, KeyError> {
        self.opt(key).ok_or_else(|| KeyError::new(self.key_path(key), "is missing", "缺少此项"))
    }

    pub fn table(&self, key: &str) -> Result<TableReader<'a>, KeyError> {
        let path = self.key_path(key);
        match self.req(key)? {
            Value::Table(t) => Ok(TableReader::new(path, t)),
            other => Err(wrong_type(&path, "a table", "表", other)),
        }
    }

    pub fn string(&self, key: &str) -> Result<&'a str, KeyError> {
        let path = self.key_path(key);
        match self.req(key)? {
            Value::String(s) => Ok(s),
            other => Err(wrong_type(&path, "a string", "文本", other)),
        }
    }

    /// A string with visible content (source notes, names).
    pub fn text(&self, key: &str) -> Result<String, KeyError> {
        let s = self.string(key)?.trim();
        if s.is_empty() {
            return Err(KeyError::new(self.key_path(key), "must not be empty", "不能为空"));
        }
        Ok(s.to_string())
    }

    pub fn opt_text(&self, key: &str) -> Result<Option<String>, KeyError> {
        if self.has(key) { self.text(key).map(Some) } else { Ok(None) }
    }

    pub fn integer(&self, key: &str) -> Result<i64, KeyError> {
        let path = self.key_path(key);
        match self.req(key)? {
            Value::Integer(i) => Ok(*i),
            other => Err(wrong_type(&path, "an integer", "整数", other)),
        }
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, KeyError> {
        let path = self.key_path(key);
        match self.opt(key) {
            None => Ok(None),
            Some(Value::Boolean(b)) => Ok(Some(*b)),
            Some(other) => Err(wrong_type(&path, "true or false", "true 或 false", other)),
        }
    }

    pub fn date(&self, key: &str) -> Result<NaiveDate, KeyError> {
        let path = self.key_path(key);
        date_value(&path, self.req(key)?)
    }

    pub fn opt_date(&self, key: &str) -> Result<Option<NaiveDate>, KeyError> {
        if self.has(key) { self.date(key).map(Some) } else { Ok(None) }
    }

    pub fn array(&self, key: &str) -> Result<&'a [Value], KeyError> {
        let path = self.key_path(key);
        match self.req(key)? {
            Value::Array(a) => Ok(a),
            other => Err(wrong_type(&path, "an array", "数组", other)),
        }
    }

    /// Refuses keys nobody read: they are typos or settings this version does not know.
    pub fn finish(self) -> Result<(), KeyError> {
        let seen = self.seen.borrow();
        match self.table.keys().find(|k| !seen.contains(k.as_str())) {
            None => Ok(()),
            Some(k) => Err(KeyError::new(self.key_path(k), "unknown key (a typo?)", "未知的配置项（是否拼写错误？）")),
        }
    }
}

/// A TOML local date (`2026-10-01`) or a string holding one.
pub(crate) fn date_value(path: &str, v: &Value) -> Result<NaiveDate, KeyError> {
    let bad = || KeyError::new(path, "must be a date like 2026-10-01", "须为日期，格式如 2026-10-01");
    match v {
        Value::Datetime(dt) => {
            if dt.time.is_some() || dt.offset.is_some() {
                return Err(bad());
            }
            let d = dt.date.ok_or_else(bad)?;
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day)).ok_or_else(bad)
        }
        Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| bad()),
        other => Err(wrong_type(path, "a date like 2026-10-01", "日期（如 2026-10-01）", other)),
    }
}

pub(crate) fn table_value<'a>(path: &str, v: &'a Value) -> Result<TableReader<'a>, KeyError> {
    match v {
        Value::Table(t) => Ok(TableReader::new(path, t)),
        other => Err(wrong_type(path, "a table", "表", other)),
    }
}

pub(crate) fn string_value<'a>(path: &str, v: &'a Value) -> Result<&'a str, KeyError> {
    match v {
        Value::String(s) => Ok(s),
        other => Err(wrong_type(path, "a string", "文本", other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_the_line_and_unknown_keys_are_refused() {
        let e = parse_document("a = 1\nb = = 2\n").unwrap_err();
        assert!(e.message_en.contains("line 2"), "{e}");
        assert!(e.message_zh.contains("第2行"), "{}", e.describe_zh());

        let t = parse_document("[x]\nvalue = 3\nvalu = 4\n").unwrap();
        let root = TableReader::new("", &t);
        let x = root.table("x").unwrap();
        assert_eq!(x.integer("value").unwrap(), 3);
        let e = x.finish().unwrap_err();
        assert_eq!(e.path, "x.valu");
        assert_eq!(root.table("y").err().unwrap().path, "y");
    }

    #[test]
    fn dates_come_as_toml_dates_or_strings() {
        let t = parse_document("a = 2026-10-01\nb = \"2026-02-28\"\nc = 2026-10-01T08:00:00\nd = \"2026-02-30\"\n").unwrap();
        let r = TableReader::new("", &t);
        assert_eq!(r.date("a").unwrap(), NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
        assert_eq!(r.date("b").unwrap(), NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
        assert_eq!(r.date("c").unwrap_err().path, "c");
        assert!(r.date("d").is_err());
    }
}
