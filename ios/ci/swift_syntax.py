"""Parses Swift files with tree-sitter-swift and reports every syntax error with its file, line and column.

CI has no Swift compiler: this is the check that a Swift file is at least well-formed Swift. It catches what a
parser can (unbalanced braces, missing parentheses, stray tokens, half-written statements), not type errors.

Usage: python3 swift_syntax.py FILE_OR_FOLDER...   (exit status 1 when any file has an error)
"""

import re
import sys
from pathlib import Path

import tree_sitter_swift
from tree_sitter import Language, Parser

# Valid Swift that tree-sitter-swift 0.7.4 cannot parse, rewritten before parsing into Swift it can, keeping every
# line and column in place (so reported positions stay right). Each entry is a construct uniffi generates.
GRAMMAR_GAPS = [
    # An attribute alone inside `#if … #endif`, applying to the declaration after the `#endif`.
    re.compile(r"#if swift\(>=5\.8\)\n[ \t]*@_documentation\(visibility: private\)\n[ \t]*#endif"),
    # A closure whose body is the empty tuple: `{ () }`.
    re.compile(r"(?<=\{ )\(\)(?= \})"),
]

_parser = Parser(Language(tree_sitter_swift.language()))


def _blank(match):
    """The matched text with every character but line breaks turned into spaces."""
    return re.sub(r"[^\n]", " ", match.group(0))


def without_grammar_gaps(source):
    for gap in GRAMMAR_GAPS:
        source = gap.sub(_blank, source)
    return source


def problems(source):
    """(line, column, description) of every ERROR and MISSING node, 1-based, in document order."""
    tree = _parser.parse(without_grammar_gaps(source).encode("utf-8"))
    found = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_missing:
            found.append((node.start_point, f"missing {node.type}"))
        elif node.is_error:
            text = node.text.decode("utf-8", "replace").strip().splitlines()
            found.append((node.start_point, f"cannot parse: {text[0][:60] if text else '(empty)'}"))
        if node.has_error:
            stack.extend(reversed(node.children))
    # Columns from tree-sitter are byte offsets; report characters, as editors do.
    lines = source.splitlines()
    out = []
    for (row, byte_col), what in found:
        line = lines[row] if row < len(lines) else ""
        col = len(line.encode("utf-8")[:byte_col].decode("utf-8", "replace"))
        out.append((row + 1, col + 1, what))
    return sorted(out)


def swift_files(paths):
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*.swift") if ".build" not in f.parts)
        elif p.exists():
            yield p


def main(argv):
    files = list(swift_files(argv))
    failed = 0
    for f in files:
        found = problems(f.read_text(encoding="utf-8"))
        for line, col, what in found:
            print(f"{f}:{line}:{col}: {what}")
        failed += bool(found)
    print(f"swift syntax: {len(files)} files parsed, {failed} with errors")
    return 1 if failed or not files else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
