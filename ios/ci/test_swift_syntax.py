"""The Swift syntax check must fail on broken Swift and pass on good Swift, or CI proves nothing."""

import swift_syntax

GOOD = """\
import SwiftUI

struct RowView: View {
    let title: String
    @State private var on = false

    var body: some View {
        Toggle(title, isOn: $on).frame(minHeight: 56)
    }
}

func load() async throws -> [String] {
    guard let value = try? await fetch() else { return [] }
    return value.map { "\\($0)" }
}
"""


def test_good_swift_has_no_problems():
    assert swift_syntax.problems(GOOD) == []


def test_missing_closing_parenthesis_is_reported_at_its_line():
    broken = GOOD.replace('Toggle(title, isOn: $on).frame(minHeight: 56)', 'Toggle(title, isOn: $on.frame(minHeight: 56)')
    found = swift_syntax.problems(broken)
    assert found, "a missing ')' must be reported"
    assert any(line == 8 for line, _, _ in found), found


def test_unbalanced_brace_is_reported():
    broken = GOOD.replace("    return value.map { \"\\($0)\" }\n", "    return value.map { \"\\($0)\"\n")
    assert swift_syntax.problems(broken)


def test_stray_tokens_are_reported_with_column():
    found = swift_syntax.problems("let a = 1\nlet b = = 2\n")
    assert found
    line, col, _ = found[0]
    assert (line, col) >= (2, 1)


def test_columns_count_characters_not_bytes():
    found = swift_syntax.problems('let s = "调查人员" let\n')
    assert found
    assert all(col <= len('let s = "调查人员" let') + 1 for _, col, _ in found), found


def test_grammar_gap_rewrites_do_not_hide_errors_next_to_them():
    generated_style = (
        "extension A {\n"
        "#if swift(>=5.8)\n"
        "    @_documentation(visibility: private)\n"
        "#endif\n"
        "    public static func f() { let w = { () }\n"
        "}\n"
    )
    assert swift_syntax.problems(generated_style), "the missing '}' of f must still be reported"
    assert swift_syntax.problems(generated_style.replace("{ () }\n", "{ () } }\n")) == []


def test_main_fails_for_a_folder_with_a_broken_file(tmp_path, capsys):
    (tmp_path / "Good.swift").write_text(GOOD, encoding="utf-8")
    (tmp_path / "Broken.swift").write_text("struct S {\n    func f( {\n}\n", encoding="utf-8")
    assert swift_syntax.main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "Broken.swift:2:" in out
    assert "Good.swift" not in out.split("swift syntax:")[0]


def test_main_fails_when_there_is_nothing_to_check(tmp_path):
    assert swift_syntax.main([str(tmp_path)]) == 1
