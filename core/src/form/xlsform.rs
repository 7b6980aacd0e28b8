//! XLSForm import: a workbook laid out as ODK / KoboToolbox do (survey, choices, settings sheets) becomes a form
//! definition that has passed the same load checks as JSON. The supported subset is documented in docs/forms.md.
//! Every error names the sheet, the row and the column, in the spreadsheet's own terms (`survey!B7`).

use std::{collections::HashMap, io::Cursor};

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};

use super::{Choice, DefinitionError, FormDefinition, FormPurpose, Question, QuestionKind, SignerRole};

/// A problem in a workbook: where (sheet, 1-based row, column header and cell) and why (zh-CN).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{sheet}!{cell} ({column}): {message}")]
pub struct XlsFormError {
    pub sheet: String,
    pub row: u32,
    pub column: String,
    /// `B7`
    pub cell: String,
    pub message: String,
}

/// Reads an `.xlsx` XLSForm.
pub fn import(bytes: &[u8]) -> Result<FormDefinition, XlsFormError> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| whole_book(format!("无法读取工作簿：{e}")))?;
    let survey = Sheet::read(&mut book, "survey")?.ok_or_else(|| whole_book("工作簿缺少 survey 工作表".into()))?;
    let choices = match Sheet::read(&mut book, "choices")? {
        Some(sheet) => read_choices(&sheet)?,
        None => HashMap::new(),
    };
    let settings = Sheet::read(&mut book, "settings")?.ok_or_else(|| whole_book("工作簿缺少 settings 工作表".into()))?;
    let mut def = read_settings(&settings)?;
    let mut origins = Vec::new();
    def.questions = read_survey(&survey, &choices, &mut origins)?;
    def.check().map_err(|e| locate(&e, &survey, &origins))?;
    Ok(def)
}

fn whole_book(message: String) -> XlsFormError {
    XlsFormError { sheet: String::new(), row: 0, column: String::new(), cell: String::new(), message }
}

/// A sheet as text cells with its header row.
struct Sheet {
    name: String,
    /// Lower-cased, trimmed header → column index (0-based, absolute).
    headers: Vec<(String, u32)>,
    /// (1-based absolute row number, cells by absolute column)
    rows: Vec<(u32, HashMap<u32, String>)>,
}

impl Sheet {
    fn read<R: std::io::Read + std::io::Seek>(book: &mut Xlsx<R>, name: &str) -> Result<Option<Self>, XlsFormError> {
        let Some(actual) = book.sheet_names().into_iter().find(|n| n.trim().eq_ignore_ascii_case(name)) else { return Ok(None) };
        let range: Range<Data> = book.worksheet_range(&actual).map_err(|e| whole_book(format!("无法读取 {name} 工作表：{e}")))?;
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let mut sheet = Sheet { name: name.to_string(), headers: Vec::new(), rows: Vec::new() };
        let mut header_seen = false;
        for (i, cells) in range.rows().enumerate() {
            let row = row0 + i as u32 + 1;
            let mut text = HashMap::new();
            for (j, cell) in cells.iter().enumerate() {
                let col = col0 + j as u32;
                let value = cell_text(cell).map_err(|message| XlsFormError {
                    sheet: name.into(),
                    row,
                    column: String::new(),
                    cell: cell_ref(col, row),
                    message,
                })?;
                if !value.is_empty() {
                    text.insert(col, value);
                }
            }
            if text.is_empty() {
                continue;
            }
            if !header_seen {
                header_seen = true;
                let mut headers: Vec<(String, u32)> = text.into_iter().map(|(c, h)| (h.to_lowercase(), c)).collect();
                headers.sort_by_key(|(_, c)| *c);
                sheet.headers = headers;
                continue;
            }
            sheet.rows.push((row, text));
        }
        Ok(Some(sheet))
    }

    fn column(&self, header: &str) -> Option<u32> {
        self.headers.iter().find(|(h, _)| h == header).map(|(_, c)| *c)
    }

    /// `label`, preferring a Chinese variant (`label::Chinese (zh)`, `label::中文`, `label::zh`).
    fn lang_column(&self, base: &str) -> Option<(String, u32)> {
        let prefix = format!("{base}::");
        let variants: Vec<&(String, u32)> = self.headers.iter().filter(|(h, _)| h.starts_with(&prefix)).collect();
        let chinese = variants.iter().find(|(h, _)| {
            let lang = &h[prefix.len()..];
            lang.contains("chinese") || lang.contains("中文") || lang.starts_with("zh")
        });
        chinese
            .map(|(h, c)| (h.clone(), *c))
            .or_else(|| self.column(base).map(|c| (base.to_string(), c)))
            .or_else(|| variants.first().map(|(h, c)| (h.clone(), *c)))
    }

    fn require_column(&self, header: &str) -> Result<u32, XlsFormError> {
        self.column(header).ok_or_else(|| self.missing_column(header))
    }

    fn missing_column(&self, header: &str) -> XlsFormError {
        XlsFormError {
            sheet: self.name.clone(),
            row: 1,
            column: header.into(),
            cell: "1".into(),
            message: format!("{} 工作表缺少“{header}”列", self.name),
        }
    }

    fn error(&self, row: u32, header: &str, message: String) -> XlsFormError {
        let col = self.column(header).or_else(|| self.lang_column(header).map(|(_, c)| c)).unwrap_or(0);
        XlsFormError { sheet: self.name.clone(), row, column: header.into(), cell: cell_ref(col, row), message }
    }
}

fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTime(d) => d.to_string(),
        Data::Error(e) => return Err(format!("单元格包含错误值：{e:?}")),
    })
}

/// Column 0, row 7 → `A7`.
fn cell_ref(col: u32, row: u32) -> String {
    let mut letters = String::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.insert(0, char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    format!("{letters}{row}")
}

struct Row<'a> {
    sheet: &'a Sheet,
    number: u32,
    cells: &'a HashMap<u32, String>,
}

impl Row<'_> {
    fn get(&self, header: &str) -> Option<&str> {
        self.sheet.column(header).and_then(|c| self.cells.get(&c)).map(String::as_str)
    }
    fn lang(&self, base: &str) -> Option<&str> {
        self.sheet.lang_column(base).and_then(|(_, c)| self.cells.get(&c)).map(String::as_str)
    }
    fn error(&self, header: &str, message: String) -> XlsFormError {
        self.sheet.error(self.number, header, message)
    }
    fn count(&self, header: &str) -> Result<Option<u32>, XlsFormError> {
        self.get(header).map(|s| s.parse::<u32>().map_err(|_| self.error(header, format!("“{s}”不是非负整数")))).transpose()
    }
}

fn rows(sheet: &Sheet) -> impl Iterator<Item = Row<'_>> {
    sheet.rows.iter().map(move |(number, cells)| Row { sheet, number: *number, cells })
}

fn read_choices(sheet: &Sheet) -> Result<HashMap<String, Vec<Choice>>, XlsFormError> {
    sheet.require_column("list_name")?;
    sheet.require_column("name")?;
    sheet.lang_column("label").ok_or_else(|| sheet.missing_column("label"))?;
    let mut lists: HashMap<String, Vec<Choice>> = HashMap::new();
    for row in rows(sheet) {
        let list = row.get("list_name").ok_or_else(|| row.error("list_name", "缺少选项列表名（list_name）".into()))?;
        let value = row.get("name").ok_or_else(|| row.error("name", "缺少选项值（name）".into()))?;
        let label = row.lang("label").ok_or_else(|| row.error("label", "缺少选项标题（label）".into()))?;
        let entries = lists.entry(list.to_string()).or_default();
        if entries.iter().any(|c| c.value == value) {
            return Err(row.error("name", format!("选项列表“{list}”中的选项值“{value}”重复")));
        }
        entries.push(Choice { value: value.into(), label: label.into() });
    }
    Ok(lists)
}

fn read_settings(sheet: &Sheet) -> Result<FormDefinition, XlsFormError> {
    let Some(row) = rows(sheet).next() else {
        return Err(sheet.missing_column("form_id"));
    };
    let id = row.get("form_id").ok_or_else(|| row.error("form_id", "缺少表单编号（form_id）".into()))?;
    let version_text = row.get("version").ok_or_else(|| row.error("version", "缺少版本号（version）".into()))?;
    let version = version_text
        .parse::<u32>()
        .ok()
        .filter(|v| *v >= 1)
        .ok_or_else(|| row.error("version", format!("版本号“{version_text}”应为不小于1的整数")))?;
    let title = row.lang("form_title").ok_or_else(|| row.error("form_title", "缺少表单标题（form_title）".into()))?;
    let assistance_types =
        row.get("assistance_types").map(|s| s.split([',', '，', ' ']).filter(|t| !t.is_empty()).map(str::to_string).collect()).unwrap_or_default();
    let purpose = match row.get("purpose") {
        None => FormPurpose::default(),
        Some(text) => serde_json::from_value(serde_json::Value::String(text.to_string()))
            .map_err(|_| row.error("purpose", format!("表单用途“{text}”无效，应为 home_visit、declaration、periodic_review 或 revisit")))?,
    };
    Ok(FormDefinition {
        id: id.into(),
        version,
        title: title.into(),
        assistance_types,
        source: row.get("source").unwrap_or_default().into(),
        purpose,
        questions: Vec::new(),
    })
}

/// Where each question came from: its definition path (`questions[3]`, `questions[3].questions[1]`) and sheet row.
type Origins = Vec<(String, u32)>;

fn read_survey(sheet: &Sheet, choices: &HashMap<String, Vec<Choice>>, origins: &mut Origins) -> Result<Vec<Question>, XlsFormError> {
    sheet.require_column("type")?;
    sheet.require_column("name")?;
    sheet.lang_column("label").ok_or_else(|| sheet.missing_column("label"))?;
    let mut top: Vec<Question> = Vec::new();
    // The open repeat group, with the row that opened it.
    let mut open: Option<(Question, u32)> = None;
    let mut plain_groups = 0u32;
    for row in rows(sheet) {
        let Some(type_text) = row.get("type") else {
            if row.get("name").is_some() {
                return Err(row.error("type", "缺少题型（type）".into()));
            }
            continue;
        };
        let mut words = type_text.split_whitespace();
        let head = words.next().unwrap_or_default().to_lowercase();
        let head = match (head.as_str(), words.clone().next()) {
            ("begin" | "end", Some(w)) if w.eq_ignore_ascii_case("repeat") || w.eq_ignore_ascii_case("group") => {
                words.next();
                format!("{head}_{}", w.to_lowercase())
            }
            _ => head,
        };
        match head.as_str() {
            "begin_repeat" => {
                if open.is_some() {
                    return Err(row.error("type", "不支持重复组嵌套".into()));
                }
                let mut q = question(&row, QuestionKind::Repeat)?;
                q.repeat_count = row.get("repeat_count").map(str::to_string);
                let path = format!("questions[{}]", top.len());
                origins.push((path, row.number));
                open = Some((q, row.number));
                continue;
            }
            "end_repeat" => {
                let Some((q, _)) = open.take() else {
                    return Err(row.error("type", "end_repeat 之前没有对应的 begin_repeat".into()));
                };
                top.push(q);
                continue;
            }
            "begin_group" => {
                if row.get("relevant").is_some() {
                    return Err(row.error("relevant", "暂不支持带显示条件的分组（begin_group），请把条件写在各题上".into()));
                }
                plain_groups += 1;
                continue;
            }
            "end_group" => {
                plain_groups = plain_groups.checked_sub(1).ok_or_else(|| row.error("type", "end_group 之前没有对应的 begin_group".into()))?;
                continue;
            }
            _ => {}
        }
        let kind = match head.as_str() {
            "text" => QuestionKind::Text,
            "integer" | "int" => QuestionKind::Integer,
            "decimal" | "calculate" => QuestionKind::Decimal,
            "money" => QuestionKind::Money,
            "date" => QuestionKind::Date,
            "yes_no" => QuestionKind::YesNo,
            "select_one" => QuestionKind::SelectOne,
            "select_multiple" => QuestionKind::SelectMultiple,
            "geopoint" => QuestionKind::Geopoint,
            "image" | "photo" => QuestionKind::Photo,
            "signature" => QuestionKind::Signature,
            "note" => QuestionKind::Note,
            other => return Err(row.error("type", format!("不支持的题型：{other}"))),
        };
        let mut q = question(&row, kind)?;
        if head == "calculate" && row.get("calculation").is_none() {
            return Err(row.error("calculation", "calculate 题缺少计算公式（calculation）".into()));
        }
        if matches!(kind, QuestionKind::SelectOne | QuestionKind::SelectMultiple) {
            let list = words.next().ok_or_else(|| row.error("type", format!("{head} 后面应写选项列表名")))?;
            q.choices = choices.get(list).cloned().ok_or_else(|| row.error("type", format!("choices 工作表中没有选项列表“{list}”")))?;
        }
        match &mut open {
            Some((group, _)) => {
                let path = format!("questions[{}].questions[{}]", top.len(), group.questions.len());
                origins.push((path, row.number));
                group.questions.push(q);
            }
            None => {
                origins.push((format!("questions[{}]", top.len()), row.number));
                top.push(q);
            }
        }
    }
    if let Some((_, start)) = open {
        return Err(sheet.error(start, "type", "begin_repeat 没有对应的 end_repeat".into()));
    }
    Ok(top)
}

fn question(row: &Row, kind: QuestionKind) -> Result<Question, XlsFormError> {
    let id = row.get("name").ok_or_else(|| row.error("name", "缺少题目编号（name）".into()))?;
    let calculate = row.get("calculation").map(str::to_string);
    let label = match row.lang("label") {
        Some(l) => l.to_string(),
        // ODK lets calculations go without a label; Ruhu shows every question, so the name stands in.
        None if calculate.is_some() => id.to_string(),
        None => return Err(row.error("label", "缺少题目标题（label）".into())),
    };
    let (required, required_if) = match row.get("required") {
        None => (false, None),
        Some(s) => match s.to_lowercase().as_str() {
            "yes" | "true" | "1" | "true()" | "是" => (true, None),
            "no" | "false" | "0" | "false()" | "否" => (false, None),
            _ => (false, Some(s.to_string())),
        },
    };
    let signer = row
        .get("signer")
        .map(|s| match s {
            "investigator1" => Ok(SignerRole::Investigator1),
            "investigator2" => Ok(SignerRole::Investigator2),
            "family_member" => Ok(SignerRole::FamilyMember),
            other => Err(row.error("signer", format!("签字人“{other}”无效，应为 investigator1、investigator2 或 family_member"))),
        })
        .transpose()?;
    Ok(Question {
        id: id.into(),
        kind,
        label,
        hint: row.lang("hint").map(str::to_string),
        required,
        choices: Vec::new(),
        min_count: row.count("min_count")?,
        signer,
        fact: row.get("fact").map(str::to_string),
        max_count: row.count("max_count")?,
        relevant: row.get("relevant").map(str::to_string),
        required_if,
        constraint: row.get("constraint").map(str::to_string),
        constraint_message: row.lang("constraint_message").map(str::to_string),
        calculate,
        repeat_count: None,
        questions: Vec::new(),
    })
}

/// A definition error, pointed back at the survey row (and column) it came from.
fn locate(e: &DefinitionError, survey: &Sheet, origins: &Origins) -> XlsFormError {
    let origin = origins.iter().filter(|(path, _)| e.path == *path || e.path.starts_with(&format!("{path}."))).max_by_key(|(path, _)| path.len());
    let Some((path, row)) = origin else {
        return XlsFormError { sheet: "settings".into(), row: 2, column: String::new(), cell: String::new(), message: e.reason.clone() };
    };
    let field = e.path[path.len()..].trim_start_matches('.');
    let header = match field {
        "relevant" => "relevant",
        "constraint" => "constraint",
        "calculate" => "calculation",
        "required_if" => "required",
        "repeat_count" => "repeat_count",
        _ => "name",
    };
    survey.error(*row, header, e.reason.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook;

    type Table<'a> = &'a [&'a [&'a str]];

    /// A workbook from sheets of text rows (first row = headers); empty strings leave the cell blank.
    fn workbook(sheets: &[(&str, Table)]) -> Vec<u8> {
        let mut book = Workbook::new();
        for (name, rows) in sheets {
            let ws = book.add_worksheet();
            ws.set_name(*name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    if !cell.is_empty() {
                        ws.write_string(r as u32, c as u16, *cell).unwrap();
                    }
                }
            }
        }
        book.save_to_buffer().unwrap()
    }

    const SURVEY: Table = &[
        &[
            "type",
            "name",
            "label::Chinese (zh)",
            "hint::Chinese (zh)",
            "required",
            "relevant",
            "constraint",
            "constraint_message::Chinese (zh)",
            "calculation",
            "repeat_count",
            "fact",
            "min_count",
            "max_count",
            "signer",
        ],
        &["note", "intro", "每组调查人员不少于2人。", "", "", "", "", "", "", "", "", "", "", ""],
        &["date", "visit_date", "调查日期", "", "yes", "", "", "", "", "", "", "", "", ""],
        &[
            "integer",
            "household_size",
            "共同生活家庭成员人数",
            "",
            "yes",
            "",
            "household_size >= 1 && household_size <= 20",
            "人数应在1至20之间",
            "",
            "",
            "household.size",
            "",
            "",
            "",
        ],
        &["begin_repeat", "members", "家庭成员", "", "yes", "", "", "", "", "household_size", "household.members", "", "20", ""],
        &["text", "member_name", "姓名", "", "yes", "", "", "", "", "", "", "", "", ""],
        &["select_one relation", "relation", "与申请人关系", "", "yes", "", "", "", "", "", "", "", "", ""],
        &["text", "resident_id", "身份证号", "18位", "yes", "", "valid_id(resident_id)", "身份证号无效，请核对", "", "", "", "", "", ""],
        &["integer", "age", "年龄", "", "", "", "", "", "age_on(resident_id, visit_date)", "", "", "", "", ""],
        &["select_one capacity", "work_capacity", "劳动能力", "", "yes", "", "", "", "", "", "", "", "", ""],
        &["yes_no", "employed", "是否就业", "", "age >= 16 && work_capacity != 'none'", "", "", "", "", "", "", "", "", ""],
        &["end_repeat", "", "", "", "", "", "", "", "", "", "", "", "", ""],
        &["money", "income_wages_fen", "工资性收入（月均）", "以分为单位", "yes", "", "", "", "", "", "income.wages_fen", "", "", ""],
        &["money", "income_transfer_fen", "转移净收入（月均）", "", "yes", "", "", "", "", "", "income.transfer_fen", "", "", ""],
        &[
            "money",
            "income_total_fen",
            "家庭月收入合计",
            "",
            "",
            "",
            "",
            "",
            "income_wages_fen + income_transfer_fen",
            "",
            "income.monthly_total_fen",
            "",
            "",
            "",
        ],
        &["calculate", "per_capita", "", "", "", "", "", "", "double(income_total_fen) / double(household_size)", "", "", "", "", ""],
        &["decimal", "land_mu", "承包土地面积（亩）", "", "no", "", "land_mu >= 0.0", "", "", "", "assets.land_mu", "", "", ""],
        &["select_multiple rigid", "rigid_expenses", "刚性支出", "", "", "", "", "", "", "", "expenses.rigid", "", "", ""],
        &["money", "expense_medical_fen", "医疗支出（月均）", "", "yes", "'medical' in rigid_expenses", "", "", "", "", "", "", "", ""],
        &["geopoint", "location", "调查位置", "", "yes", "", "", "", "", "", "", "", "", ""],
        &["image", "photos_house", "住房照片", "", "yes", "", "", "", "", "", "", "3", "6", ""],
        &["text", "opinion", "调查人员意见", "", "yes", "", "", "", "", "", "", "", "", ""],
        &["signature", "sign_investigator_1", "调查人员一签字", "", "yes", "", "", "", "", "", "", "", "", "investigator1"],
        &["signature", "sign_investigator_2", "调查人员二签字", "", "yes", "", "", "", "", "", "", "", "", "investigator2"],
        &["signature", "sign_family", "在场家庭成员签字", "", "yes", "", "", "", "", "", "", "", "", "family_member"],
    ];

    const CHOICES: Table = &[
        &["list_name", "name", "label::Chinese (zh)"],
        &["relation", "self", "申请人本人"],
        &["relation", "spouse", "配偶"],
        &["relation", "child", "子女"],
        &["capacity", "full", "有劳动能力"],
        &["capacity", "partial", "部分丧失劳动能力"],
        &["capacity", "none", "无劳动能力"],
        &["rigid", "medical", "医疗"],
        &["rigid", "education", "教育"],
    ];

    const SETTINGS: Table = &[
        &["form_id", "version", "form_title", "source", "assistance_types"],
        &[
            "dibao-members-sample",
            "1",
            "低保入户调查（XLSForm 示例）",
            "《最低生活保障审核确认办法》（民发〔2021〕57号）第十三条、第十六条",
            "dibao, bianyuan",
        ],
    ];

    fn sample() -> Vec<u8> {
        workbook(&[("survey", SURVEY), ("choices", CHOICES), ("settings", SETTINGS)])
    }

    const SAMPLE_XLSX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/forms/xlsform/sample-dibao-members.xlsx");
    const SAMPLE_JSON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/forms/xlsform/sample-dibao-members.json");

    /// Writes the committed sample files again: `RUHU_WRITE_XLSFORM_SAMPLE=1 cargo test -p ruhu-core xlsform`.
    fn refresh_sample_files() {
        if std::env::var_os("RUHU_WRITE_XLSFORM_SAMPLE").is_some() {
            std::fs::write(SAMPLE_XLSX, sample()).unwrap();
            let def = import(&sample()).unwrap();
            std::fs::write(SAMPLE_JSON, serde_json::to_string_pretty(&def).unwrap() + "\n").unwrap();
        }
    }

    #[test]
    fn the_committed_sample_workbook_round_trips_to_its_json_definition() {
        refresh_sample_files();
        let expected = FormDefinition::from_json(&std::fs::read_to_string(SAMPLE_JSON).unwrap()).unwrap();
        let from_file = import(&std::fs::read(SAMPLE_XLSX).unwrap()).unwrap();
        assert_eq!(from_file, expected);
        assert_eq!(import(&sample()).unwrap(), expected, "the generator and the committed workbook agree");

        let members = expected.question("members").unwrap();
        assert_eq!(members.kind, QuestionKind::Repeat);
        assert_eq!(members.repeat_count.as_deref(), Some("household_size"));
        assert_eq!(members.max_count, Some(20));
        assert_eq!(members.questions.len(), 6);
        assert_eq!(members.questions[1].choices[1], Choice { value: "spouse".into(), label: "配偶".into() });
        assert_eq!(members.questions[5].required_if.as_deref(), Some("age >= 16 && work_capacity != 'none'"));
        assert_eq!(expected.question("per_capita").unwrap().label, "per_capita");
        assert_eq!(expected.question("photos_house").unwrap().min_count, Some(3));
        assert_eq!(expected.question("sign_family").unwrap().signer, Some(SignerRole::FamilyMember));
        assert_eq!(expected.assistance_types, ["dibao", "bianyuan"]);
        assert_eq!(expected.question("household_size").unwrap().constraint_message.as_deref(), Some("人数应在1至20之间"));
    }

    fn error_of(survey: Table, choices: Table, settings: Table) -> XlsFormError {
        import(&workbook(&[("survey", survey), ("choices", choices), ("settings", settings)])).unwrap_err()
    }

    fn with_row(extra: &[&'static str], at: usize) -> Vec<&'static [&'static str]> {
        let mut rows: Vec<&'static [&'static str]> = SURVEY.to_vec();
        let leaked: &'static [&'static str] = Box::leak(extra.to_vec().into_boxed_slice());
        rows.insert(at, leaked);
        rows
    }

    #[test]
    fn broken_workbooks_name_the_sheet_row_and_column() {
        // Unknown type on survey row 3 (inserted after the note).
        let rows = with_row(&["range", "slider", "滑块", "", "", "", "", "", "", "", "", "", "", ""], 2);
        let e = error_of(&rows, CHOICES, SETTINGS);
        assert_eq!((e.sheet.as_str(), e.cell.as_str(), e.column.as_str()), ("survey", "A3", "type"));
        assert!(e.message.contains("不支持的题型"), "{}", e.message);

        // A select whose list is not in choices.
        let rows = with_row(&["select_one colours", "colour", "颜色", "", "", "", "", "", "", "", "", "", "", ""], 2);
        let e = error_of(&rows, CHOICES, SETTINGS);
        assert_eq!(e.cell, "A3");
        assert!(e.message.contains("colours"));

        // A relevance expression naming a question that does not exist: points at the relevant column.
        let rows = with_row(&["text", "note2", "备注", "", "", "has_car", "", "", "", "", "", "", "", ""], 2);
        let e = error_of(&rows, CHOICES, SETTINGS);
        assert_eq!((e.cell.as_str(), e.column.as_str()), ("F3", "relevant"));
        assert!(e.message.contains("has_car"));

        // XPath instead of CEL in a constraint.
        let rows = with_row(&["integer", "rooms", "房间数", "", "", "", "${rooms} > 0", "", "", "", "", "", "", ""], 2);
        let e = error_of(&rows, CHOICES, SETTINGS);
        assert_eq!(e.cell, "G3");

        // A duplicate name inside the repeat group: a copy inserted at row 8 pushes the original to row 9, the second
        // one met and the one named.
        let rows = with_row(&["text", "resident_id", "身份证号", "", "", "", "", "", "", "", "", "", "", ""], 7);
        let e = error_of(&rows, CHOICES, SETTINGS);
        assert_eq!((e.cell.as_str(), e.column.as_str()), ("B9", "name"));

        // A bad count and a bad signer.
        let rows = with_row(&["image", "p2", "照片", "", "", "", "", "", "", "", "", "three", "", ""], 2);
        assert_eq!(error_of(&rows, CHOICES, SETTINGS).cell, "L3");
        let rows = with_row(&["signature", "s2", "签字", "", "", "", "", "", "", "", "", "", "", "mayor"], 2);
        assert_eq!(error_of(&rows, CHOICES, SETTINGS).cell, "N3");

        // A missing label.
        let rows = with_row(&["text", "nolabel", "", "", "", "", "", "", "", "", "", "", "", ""], 2);
        assert_eq!(error_of(&rows, CHOICES, SETTINGS).cell, "C3");

        // A repeat never closed: points at its begin row (row 5).
        let rows: Vec<&[&str]> = SURVEY.iter().copied().filter(|r| r[0] != "end_repeat").collect();
        let e = error_of(&rows, CHOICES, SETTINGS);
        assert_eq!((e.cell.as_str(), e.row), ("A5", 5));
    }

    #[test]
    fn broken_choices_and_settings_are_located_too() {
        let choices: Table = &[&["list_name", "name", "label::Chinese (zh)"], &["relation", "self", "本人"], &["relation", "self", "重复"]];
        let e = error_of(SURVEY, choices, SETTINGS);
        assert_eq!((e.sheet.as_str(), e.cell.as_str()), ("choices", "B3"));
        let choices: Table = &[&["list_name", "label"], &["relation", "本人"]];
        let e = error_of(SURVEY, choices, SETTINGS);
        assert_eq!((e.sheet.as_str(), e.column.as_str()), ("choices", "name"));
        let settings: Table = &[&["form_id", "version", "form_title"], &["x", "zero", "标题"]];
        let e = error_of(SURVEY, CHOICES, settings);
        assert_eq!((e.sheet.as_str(), e.cell.as_str()), ("settings", "B2"));
        let e = import(&workbook(&[("survey", SURVEY), ("choices", CHOICES)])).unwrap_err();
        assert!(e.message.contains("settings"));
        let e = import(b"not a workbook").unwrap_err();
        assert!(e.message.contains("无法读取"));
    }
}
