//! Reading a policy file into a `Policy`, validating as it goes. Every value is a small table
//! `{ value, unit, source, note?, demo? }`; the unit is checked so a number cannot be read in the wrong unit.

use std::collections::{BTreeMap, HashMap};

use toml::Value;

use super::{
    DeadlineAnchor, DeadlineRule, DeadlineStep, KeyError, LocalStandard, POLICY_FORMAT, PeriodUnit, Policy, PolicyError, Ratio, Relation, SourceNote,
    SpotCheckGroup, VisitTrigger,
};
use crate::{
    assistance::AssistanceType,
    money::yuan,
    toml_reader::{TableReader, parse_document, string_value, wrong_type},
};

/// A setting's table, read up to its value.
struct Setting<'a> {
    path: String,
    value: &'a Value,
    unit: String,
    note: SourceNote,
    table: TableReader<'a>,
}

struct Reader {
    notes: BTreeMap<String, SourceNote>,
}

fn unit_words(unit: &str) -> (&'static str, &'static str) {
    match unit {
        "working_days" => ("working days", "个工作日"),
        "calendar_days" => ("calendar days", "天（自然日）"),
        "months" => ("months", "个月"),
        "persons" => ("persons", "人"),
        "years" => ("years of age", "周岁"),
        "highest_grade" => ("disability grade", "级"),
        "day_of_month" => ("day of the month", "日"),
        "month_of_year" => ("month of the year", "月起"),
        "months_of_local_dibao_standard" => ("months of the local 低保 standard", "个月的当地低保标准"),
        "fen_per_person_month" => ("fen per person and month", "分/人·月"),
        _ => ("", ""),
    }
}

/// A setting's value for people: the words of a list joined, numbers as written, then the unit.
fn value_zh(value: &Value, unit: &str) -> String {
    let plain = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Boolean(b) => (if *b { "是" } else { "否" }).to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Datetime(d) => d.to_string(),
        Value::Array(_) | Value::Table(_) => "（见政策文件）".to_string(),
    };
    // A list's words read as their Chinese labels where the word belongs to one of the policy's vocabularies.
    let word = |v: &Value| {
        let w = plain(v);
        let label = Relation::parse(&w)
            .map(Relation::label_zh)
            .or_else(|| SpotCheckGroup::parse(&w).map(SpotCheckGroup::label_zh))
            .or_else(|| VisitTrigger::parse(&w).map(VisitTrigger::label_zh));
        label.map(str::to_string).unwrap_or(w)
    };
    let text = match value {
        Value::Array(items) => items.iter().map(word).collect::<Vec<_>>().join("、"),
        other => plain(other),
    };
    match unit {
        "percent" => format!("{text}%"),
        "fen_per_person_month" => match value {
            Value::Integer(fen) => format!("{}/人·月", yuan(*fen)),
            _ => text,
        },
        _ => match unit_words(unit).1 {
            "" => text,
            words => format!("{text} {words}"),
        },
    }
}

impl Reader {
    fn setting<'a>(&mut self, parent: &TableReader<'a>, key: &str, units: &[&str]) -> Result<Setting<'a>, KeyError> {
        let table = parent.table(key)?;
        let path = table.path.clone();
        let value = table.req("value")?;
        let unit = table.string("unit")?.to_string();
        if !units.contains(&unit.as_str()) {
            let expected = units.iter().map(|u| format!("\"{u}\"")).collect::<Vec<_>>().join(" or ");
            return Err(KeyError::new(
                format!("{path}.unit"),
                format!("must be {expected}, found \"{unit}\""),
                format!("单位须为 {expected}，实际为 \"{unit}\""),
            ));
        }
        let source = table.text("source")?;
        let note = table.opt_text("note")?;
        let demo = table.opt_bool("demo")?.unwrap_or(false);
        let note = SourceNote { source, note, demo, value_zh: Some(value_zh(value, &unit)) };
        self.notes.insert(path.clone(), note.clone());
        Ok(Setting { path, value, unit, note, table })
    }

    /// A whole number in `min..=max` of the setting's unit.
    fn count(&mut self, parent: &TableReader<'_>, key: &str, unit: &str, min: i64, max: i64) -> Result<u32, KeyError> {
        let s = self.setting(parent, key, &[unit])?;
        s.table.finish()?;
        whole(&s.path, s.value, &s.unit, min, max)
    }

    fn rate(&mut self, parent: &TableReader<'_>, key: &str, unit: &str) -> Result<Ratio, KeyError> {
        let s = self.setting(parent, key, &[unit])?;
        s.table.finish()?;
        let r = decimal(&s.path, s.value)?;
        let r = if unit == "percent" { r.per_cent().ok_or_else(|| bad_decimal(&s.path))? } else { r };
        Ok(r)
    }

    /// A table of disability type → grade 1–4 (the national categories only).
    fn grades_by_disability(&mut self, parent: &TableReader<'_>, key: &str) -> Result<BTreeMap<String, u32>, KeyError> {
        const TYPES: [&str; 7] = ["visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple"];
        let s = self.setting(parent, key, &["highest_grade"])?;
        s.table.finish()?;
        let table = match s.value {
            Value::Table(t) => t,
            other => return Err(wrong_type(&s.path, "a table of disability type = grade", "残疾类别 = 等级 的表", other)),
        };
        if table.is_empty() {
            return Err(KeyError::new(&s.path, "must list at least one disability type", "至少列出一个残疾类别"));
        }
        let mut out = BTreeMap::new();
        for (kind, grade) in table {
            let p = format!("{}.value.{kind}", s.path);
            if !TYPES.contains(&kind.as_str()) {
                let allowed = TYPES.join(", ");
                return Err(KeyError::new(
                    &p,
                    format!("unknown disability type (allowed: {allowed})"),
                    format!("无法识别的残疾类别（可用：{allowed}）"),
                ));
            }
            out.insert(kind.clone(), whole(&p, grade, &s.unit, 1, 4)?);
        }
        Ok(out)
    }

    fn keywords<T: Copy + PartialEq>(
        &mut self,
        parent: &TableReader<'_>,
        key: &str,
        parse: fn(&str) -> Option<T>,
        allowed: &str,
    ) -> Result<Vec<T>, KeyError> {
        let s = self.setting(parent, key, &["list"])?;
        s.table.finish()?;
        let items = match s.value {
            Value::Array(a) => a,
            other => return Err(wrong_type(&s.path, "an array of words", "词语数组", other)),
        };
        if items.is_empty() {
            return Err(KeyError::new(&s.path, "must list at least one item", "至少列出一项"));
        }
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let p = format!("{}.value[{i}]", s.path);
            let word = string_value(&p, item)?;
            let v = parse(word).ok_or_else(|| {
                KeyError::new(&p, format!("unknown word \"{word}\" (allowed: {allowed})"), format!("无法识别 \"{word}\"（可用：{allowed}）"))
            })?;
            if out.contains(&v) {
                return Err(KeyError::new(&p, format!("\"{word}\" is listed twice"), format!("\"{word}\" 重复列出")));
            }
            out.push(v);
        }
        Ok(out)
    }
}

fn whole(path: &str, value: &Value, unit: &str, min: i64, max: i64) -> Result<u32, KeyError> {
    let (en, zh) = unit_words(unit);
    let n = match value {
        Value::Integer(n) => *n,
        other => return Err(wrong_type(path, &format!("a whole number of {en}"), &format!("整数（单位：{zh}）"), other)),
    };
    if n < min.max(1) {
        return Err(KeyError::new(path, format!("must be a positive number of {en}"), format!("须为正整数{zh}")));
    }
    if n > max {
        return Err(KeyError::new(path, format!("must be at most {max} {en}"), format!("不能超过{max}{zh}")));
    }
    u32::try_from(n).map_err(|_| KeyError::new(path, format!("must be at most {max} {en}"), format!("不能超过{max}{zh}")))
}

fn bad_decimal(path: &str) -> KeyError {
    KeyError::new(path, "must be a plain decimal number such as 12 or \"1.5\"", "须为普通数字，如 12 或 \"1.5\"")
}

/// Integers, decimal strings and (for convenience) TOML floats, all read exactly through their decimal text.
fn decimal(path: &str, value: &Value) -> Result<Ratio, KeyError> {
    let text = match value {
        Value::Integer(n) if *n >= 0 => n.to_string(),
        // Rust prints the shortest text that reads back as the same float, i.e. what the author wrote.
        Value::Float(f) if f.is_finite() && *f >= 0.0 => f.to_string(),
        Value::String(s) => s.clone(),
        _ => return Err(bad_decimal(path)),
    };
    Ratio::parse_decimal(&text).ok_or_else(|| bad_decimal(path))
}

fn deadline(r: &mut Reader, parent: &TableReader<'_>, key: &str) -> Result<DeadlineRule, KeyError> {
    let s = r.setting(parent, key, &["working_days", "calendar_days"])?;
    let unit = PeriodUnit::parse(&s.unit).ok_or_else(|| KeyError::new(format!("{}.unit", s.path), "unknown unit", "未知单位"))?;
    let length = whole(&s.path, s.value, &s.unit, 1, 365)?;
    let from_path = s.table.key_path("from");
    let from_word = s.table.string("from")?;
    let from = DeadlineAnchor::parse(from_word).ok_or_else(|| {
        KeyError::new(
            &from_path,
            format!("unknown event \"{from_word}\" (allowed: {})", DeadlineAnchor::list()),
            format!("无法识别的起算事件 \"{from_word}\"（可用：{}）", DeadlineAnchor::list()),
        )
    })?;
    let requires_reason = s.table.opt_bool("requires_reason")?.unwrap_or(false);
    s.table.finish()?;
    Ok(DeadlineRule { length, unit, from, requires_reason, source: s.note })
}

fn deadlines(r: &mut Reader, root: &TableReader<'_>, policy: &mut Policy) -> Result<(), KeyError> {
    let all = root.table("deadlines")?;
    for type_key in all.keys() {
        let type_path = all.key_path(type_key);
        let t = AssistanceType::parse(type_key).ok_or_else(|| {
            KeyError::new(&type_path, "unknown assistance type (dibao, tekun, linshi, bianyuan)", "未知的救助类型（dibao、tekun、linshi、bianyuan）")
        })?;
        let steps = all.table(type_key)?;
        if steps.has("follows") {
            let follows_path = steps.key_path("follows");
            let word = steps.string("follows")?;
            let other = AssistanceType::parse(word)
                .filter(|o| *o != t)
                .ok_or_else(|| KeyError::new(&follows_path, "must name another assistance type", "须为另一种救助类型"))?;
            let note = SourceNote {
                source: steps.text("source")?,
                note: steps.opt_text("note")?,
                demo: false,
                value_zh: Some(format!("同{}", other.label_zh())),
            };
            r.notes.insert(type_path.clone(), note);
            steps.finish()?;
            policy.deadlines_follow.insert(t, other);
            continue;
        }
        for step_key in steps.keys() {
            let step = DeadlineStep::parse(step_key).ok_or_else(|| {
                KeyError::new(
                    steps.key_path(step_key),
                    format!("unknown step (allowed: {})", DeadlineStep::list()),
                    format!("未知的办理环节（可用：{}）", DeadlineStep::list()),
                )
            })?;
            let rule = deadline(r, &steps, step_key)?;
            policy.deadlines.insert((t, step), rule);
        }
        steps.finish()?;
    }
    all.finish()?;
    // A type may only follow a type that has deadlines of its own (no chains, no loops).
    for (t, other) in &policy.deadlines_follow {
        if policy.deadlines_follow.contains_key(other) || !policy.deadlines.keys().any(|(x, _)| x == other) {
            return Err(KeyError::new(
                format!("deadlines.{}.follows", t.as_str()),
                format!("\"{}\" has no deadlines of its own", other.as_str()),
                format!("\"{}\" 本身没有配置办理时限", other.as_str()),
            ));
        }
    }
    // The extended limit must not be shorter than the normal ones.
    for t in AssistanceType::ALL {
        let get = |s| policy.deadlines.get(&(t, s)).map(|r: &DeadlineRule| (r.length, r.unit));
        if let Some((ext, unit)) = get(DeadlineStep::ProcedureExtended) {
            for normal in [DeadlineStep::Procedure, DeadlineStep::ProcedureDevolved] {
                if let Some((n, u)) = get(normal)
                    && u == unit
                    && n > ext
                {
                    return Err(KeyError::new(
                        format!("deadlines.{}.procedure_extended", t.as_str()),
                        format!("is shorter than {} ({n})", normal.as_str()),
                        format!("短于 {}（{n}）", normal.as_str()),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn local_standards(r: &mut Reader, root: &TableReader<'_>, policy: &mut Policy) -> Result<(), KeyError> {
    let all = root.table("local_standards")?;
    for key in all.keys() {
        let path = all.key_path(key);
        let year: i32 = key
            .parse()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| KeyError::new(&path, "must be a year between 2000 and 2100", "须为2000到2100之间的年份"))?;
        let t = all.table(key)?;
        let mut fen = |k: &str| -> Result<(i64, bool), KeyError> {
            let s = r.setting(&t, k, &["fen_per_person_month"])?;
            s.table.finish()?;
            // Up to 10 000 yuan a month per person: anything above is a typing error (yuan entered as fen × 100).
            let v = whole(&s.path, s.value, &s.unit, 1, 1_000_000)?;
            Ok((i64::from(v), s.note.demo))
        };
        let (urban, urban_demo) = fen("dibao_urban")?;
        let (rural, rural_demo) = fen("dibao_rural")?;
        t.finish()?;
        policy
            .local_standards
            .insert(year, LocalStandard { year, dibao_urban_monthly_fen: urban, dibao_rural_monthly_fen: rural, demo: urban_demo || rural_demo });
    }
    all.finish()?;
    Ok(())
}

pub(super) fn policy(text: &str) -> Result<Policy, PolicyError> {
    let doc = parse_document(text)?;
    let root = TableReader::new("", &doc);
    let format = root.string("format")?;
    if format != POLICY_FORMAT {
        return Err(KeyError::new(
            "format",
            format!("must be \"{POLICY_FORMAT}\", found {format:?}"),
            format!("须为 \"{POLICY_FORMAT}\"，实际为 \"{format}\""),
        )
        .into());
    }
    let district = root.table("district")?;
    let district_code = district.text("code")?;
    if !district_code.bytes().all(|b| b.is_ascii_digit()) || district_code.len() != 6 {
        return Err(KeyError::new("district.code", "must be a 6-digit division code", "须为6位行政区划代码").into());
    }
    let district_name = district.text("name")?;
    let effective_from = district.opt_date("effective_from")?;
    let district_source = district.text("source")?;
    district.finish()?;

    let mut r = Reader { notes: BTreeMap::new() };
    r.notes.insert("district".into(), SourceNote { source: district_source, note: None, demo: false, value_zh: None });
    let mut policy = Policy {
        district_code,
        district_name,
        effective_from,
        deadlines: HashMap::new(),
        deadlines_follow: HashMap::new(),
        min_investigators: 0,
        far_from_household_m: 0,
        linshi_township_cap_months: 0,
        spot_check_rate: Ratio::percent(0),
        spot_check_scope: Vec::new(),
        full_visit_triggers: Vec::new(),
        tekun_spot_check_min_rate: Ratio::percent(0),
        tekun_elderly_age: 0,
        tekun_minor_age: 0,
        tekun_disability_grades: BTreeMap::new(),
        bianyuan_income_multiple: Ratio::percent(0),
        review_interval_stable_months: 0,
        review_interval_irregular_months: 0,
        phase_out_max_months: 0,
        death_review_months: 0,
        reconciliation_day: 0,
        near_relatives: Vec::new(),
        complaint_feedback: None,
        due_soon_working_days: 0,
        next_year_calendar_month: 0,
        local_standards: BTreeMap::new(),
        notes: BTreeMap::new(),
    };

    deadlines(&mut r, &root, &mut policy)?;

    let investigation = root.table("investigation")?;
    policy.min_investigators = r.count(&investigation, "min_investigators", "persons", 1, 10)?;
    investigation.finish()?;

    let visit_review = root.table("visit_review")?;
    policy.far_from_household_m = r.count(&visit_review, "far_from_household", "metres", 10, 100_000)?;
    visit_review.finish()?;

    let linshi = root.table("linshi")?;
    policy.linshi_township_cap_months = r.count(&linshi, "township_cap", "months_of_local_dibao_standard", 1, 120)?;
    linshi.finish()?;

    let supervision = root.table("supervision")?;
    policy.spot_check_rate = r.rate(&supervision, "spot_check_rate", "percent")?;
    if policy.spot_check_rate.is_zero() || !policy.spot_check_rate.is_at_most_one() {
        return Err(KeyError::new("supervision.spot_check_rate", "must be more than 0 and at most 100 percent", "须大于0且不超过100%").into());
    }
    // 特困 confirmations have their own rate (tekun.confirmation_spot_check_min_rate); the general rate never applies.
    let general_group = |w: &str| SpotCheckGroup::parse(w).filter(|g| *g != SpotCheckGroup::TekunConfirmed);
    let general_words =
        SpotCheckGroup::ALL.iter().filter(|g| **g != SpotCheckGroup::TekunConfirmed).map(|g| g.as_str()).collect::<Vec<_>>().join(", ");
    policy.spot_check_scope = r.keywords(&supervision, "spot_check_scope", general_group, &general_words)?;
    policy.full_visit_triggers = r.keywords(&supervision, "full_visit", VisitTrigger::parse, &VisitTrigger::list())?;
    if supervision.has("complaint_feedback") {
        policy.complaint_feedback = Some(deadline(&mut r, &supervision, "complaint_feedback")?);
    }
    supervision.finish()?;

    let tekun = root.table("tekun")?;
    policy.tekun_spot_check_min_rate = r.rate(&tekun, "confirmation_spot_check_min_rate", "percent")?;
    if policy.tekun_spot_check_min_rate.is_zero() || !policy.tekun_spot_check_min_rate.is_at_most_one() {
        return Err(
            KeyError::new("tekun.confirmation_spot_check_min_rate", "must be more than 0 and at most 100 percent", "须大于0且不超过100%").into()
        );
    }
    // 43号 art. 5: the ages that make a person unable to work; a minor's age below the elderly age.
    policy.tekun_elderly_age = r.count(&tekun, "elderly_age", "years", 1, 120)?;
    policy.tekun_minor_age = r.count(&tekun, "minor_age", "years", 1, 18)?;
    if policy.tekun_minor_age >= policy.tekun_elderly_age {
        return Err(KeyError::new("tekun.minor_age", "must be below tekun.elderly_age", "须小于 tekun.elderly_age（老年人年龄）").into());
    }
    policy.tekun_disability_grades = r.grades_by_disability(&tekun, "disability_no_work_capacity")?;
    tekun.finish()?;

    let bianyuan = root.table("bianyuan")?;
    policy.bianyuan_income_multiple = r.rate(&bianyuan, "income_limit", "times_local_dibao_standard")?;
    if policy.bianyuan_income_multiple.is_at_most_one() || policy.bianyuan_income_multiple.basis_points() > 100_000 {
        return Err(
            KeyError::new("bianyuan.income_limit", "must be more than 1 and at most 10 times the standard", "须大于1倍且不超过10倍低保标准").into()
        );
    }
    bianyuan.finish()?;

    let review = root.table("review")?;
    policy.review_interval_stable_months = r.count(&review, "interval_stable", "months", 1, 60)?;
    policy.review_interval_irregular_months = r.count(&review, "interval_irregular", "months", 1, 60)?;
    policy.phase_out_max_months = r.count(&review, "phase_out_max", "months", 1, 60)?;
    policy.death_review_months = r.count(&review, "after_death", "months", 1, 60)?;
    review.finish()?;

    let reconciliation = root.table("reconciliation")?;
    // Up to the 28th, so that every month has the day.
    policy.reconciliation_day = r.count(&reconciliation, "monthly_due_day", "day_of_month", 1, 28)?;
    reconciliation.finish()?;

    let reminders = root.table("reminders")?;
    policy.due_soon_working_days = r.count(&reminders, "due_soon", "working_days", 1, 60)?;
    policy.next_year_calendar_month = r.count(&reminders, "next_year_calendar", "month_of_year", 1, 12)?;
    reminders.finish()?;

    let relatives = root.table("near_relatives")?;
    policy.near_relatives = r.keywords(&relatives, "default_relations", Relation::parse, &Relation::list())?;
    relatives.finish()?;

    local_standards(&mut r, &root, &mut policy)?;
    root.finish()?;

    policy.notes = r.notes;
    Ok(policy)
}
