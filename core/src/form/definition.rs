//! Structural rules of a definition, checked before its expressions are compiled.

use std::collections::HashSet;

use super::{DefinitionError, FormDefinition, Question, QuestionKind, answer::calculable};

/// Words CEL reserves; a question id must be usable as a variable name in expressions.
const RESERVED: [&str; 21] = [
    "as",
    "break",
    "const",
    "continue",
    "else",
    "false",
    "for",
    "function",
    "if",
    "import",
    "in",
    "let",
    "loop",
    "package",
    "namespace",
    "null",
    "return",
    "true",
    "var",
    "void",
    "while",
];

pub(super) fn check_structure(def: &FormDefinition) -> Result<(), DefinitionError> {
    if def.id.trim().is_empty() || def.version == 0 {
        return Err(DefinitionError { path: "$".into(), reason: "表单需要编号（id）和不小于1的版本号（version）".into() });
    }
    let mut seen = HashSet::new();
    for (i, q) in def.questions.iter().enumerate() {
        check_question(q, &format!("questions[{i}]"), false, &mut seen)?;
    }
    Ok(())
}

fn check_question<'a>(q: &'a Question, path: &str, in_repeat: bool, seen: &mut HashSet<&'a str>) -> Result<(), DefinitionError> {
    let err = |reason: String| Err(DefinitionError { path: path.to_string(), reason });
    if q.id.trim().is_empty() || !seen.insert(q.id.as_str()) {
        return err(format!("题目编号为空或重复：“{}”", q.id));
    }
    if !is_identifier(&q.id) {
        return err(format!("题目编号“{}”只能由英文字母开头，包含字母、数字和下划线，且不能是保留字", q.id));
    }
    if q.label.trim().is_empty() {
        return err("题目缺少标题（label）".into());
    }
    match q.kind {
        QuestionKind::SelectOne | QuestionKind::SelectMultiple => {
            if q.choices.is_empty() {
                return err("选择题没有选项".into());
            }
            let mut values = HashSet::new();
            if let Some(c) = q.choices.iter().find(|c| c.value.trim().is_empty() || !values.insert(c.value.as_str())) {
                return err(format!("选项值为空或重复：“{}”", c.value));
            }
        }
        QuestionKind::Signature if q.signer.is_none() => return err("签字题没有指定签字人（signer）".into()),
        QuestionKind::Repeat => {
            if in_repeat {
                return err("不支持重复组嵌套".into());
            }
            if q.questions.is_empty() {
                return err("重复组没有题目".into());
            }
        }
        _ => {}
    }
    if q.kind != QuestionKind::Repeat && (!q.questions.is_empty() || q.repeat_count.is_some()) {
        return err("只有重复组（repeat）可以包含题目或设置 repeat_count".into());
    }
    if let (Some(min), Some(max)) = (q.min_count, q.max_count)
        && min > max
    {
        return err(format!("最少数量 {min} 大于最多数量 {max}"));
    }
    if q.calculate.is_some() && !calculable(q.kind) {
        return err("此类型的题目不能由计算得出".into());
    }
    if in_repeat && matches!(q.kind, QuestionKind::Photo | QuestionKind::Signature) {
        // The device uploads, and the server checks, the media of top-level questions only.
        return err("重复组内暂不支持照片和签字题".into());
    }
    if in_repeat && q.fact.is_some() {
        return err("重复组内的题目不单独上报事实（fact），请在重复组上设置".into());
    }
    for (j, child) in q.questions.iter().enumerate() {
        check_question(child, &format!("{path}.questions[{j}]"), true, seen)?;
    }
    Ok(())
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic()) && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && !RESERVED.contains(&s)
}
