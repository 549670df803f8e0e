"""Keeps the RFC traceability matrices (proto/rfc6455.md, proto/rfc9112.md) true.

For every row of every matrix, one check line:
  - each doctest TEST_CASE the row names exists verbatim in the test file it names
    (adjacent string literals joined, as the compiler joins them);
  - the function (or type) it names exists in the file it names and, for core/ and proto/,
    carries the row's section (e.g. "§5.1") in a comment within a few lines above its
    definition or inside its body, the enforcing line;
  - for app/ rows, the public member it names (Server::x, Context::x) appears in that header
    (app/ is not cited line by line: its functions are about to move, the test is the anchor).
Then "N passed, M failed". Standard library only.
    check.py REPO_ROOT"""

import os
import re
import sys

ROW_ID = re.compile(r"^\|\s*(\d{4}-\d{2,3})\s*\|")
TEST_REF = re.compile(r"`(test/[^`]+\.cpp)`\s*\"([^\"]+)\"")
CODE_REF = re.compile(r"`((?:core|proto|app)/[^`]+\.(?:hpp|cpp))`\s*`([A-Za-z_][A-Za-z0-9_:~]*)`")
SECTION = re.compile(r"§(\d+(?:\.\d+)*)")
LINES_ABOVE = 10

_test_cache = {}


def test_names(path):
    """Every TEST_CASE name in a file, with adjacent literals joined."""
    if path not in _test_cache:
        text = open(path, encoding="utf-8").read()
        names = set()
        for m in re.finditer(r"TEST_CASE\s*\(\s*((?:\"(?:[^\"\\]|\\.)*\"\s*)+)", text):
            parts = re.findall(r"\"((?:[^\"\\]|\\.)*)\"", m.group(1))
            names.add("".join(parts))
        _test_cache[path] = names
    return _test_cache[path]


def body_end(lines, start):
    """Index of the line that closes the first brace block opened at or after `start`;
    `start` itself when a ';' comes before any '{' (a declaration)."""
    depth = 0
    opened = False
    for i in range(start, len(lines)):
        code = lines[i].split("//")[0]
        for ch in code:
            if ch == "{":
                depth += 1
                opened = True
            elif ch == "}":
                depth -= 1
                if opened and depth == 0:
                    return i
            elif ch == ";" and not opened:
                return i
    return len(lines) - 1


def find_definitions(lines, name):
    """[(first, last)] line indexes of each definition (or declaration) of `name` and its
    body, by the first pattern that finds any (overloads give several)."""
    last = name.split("::")[-1]
    patterns = []
    if "::" in name:
        patterns.append(re.compile(r"(?<![\w:])" + re.escape(name) + r"\s*\("))
    patterns.append(re.compile(r"\b(?:struct|class|enum class|enum)\s+" + re.escape(last) + r"\b(?!\s*;)"))
    patterns.append(re.compile(r"^\s*(?:[\w:<>,&*\[\]]+\s+)+[&*]?" + re.escape(last) + r"\s*\("))
    patterns.append(re.compile(r"\b" + re.escape(last) + r"\s*\("))
    for pattern in patterns:
        spans = []
        for i, line in enumerate(lines):
            stripped = line.strip()
            if stripped.startswith("//") or not pattern.search(line):
                continue
            spans.append((i, body_end(lines, i)))
        if spans:
            return spans
    return []


def cites(lines, span, section):
    first, last = span
    wanted = re.compile(r"§" + re.escape(section) + r"(?![\d]|\.\d)")
    for i in range(max(0, first - LINES_ABOVE), last + 1):
        line = lines[i]
        at = line.find("//")
        if at >= 0 and wanted.search(line[at:]):
            return True
    return False


def check_row(root, matrix, row):
    cells = [c.strip() for c in row.strip().strip("|").split("|")]
    row_id, section_cell, _level, requirement, status = cells[:5]
    refs_code, refs_test = cells[5], cells[6]
    problems = []
    sections = SECTION.findall(section_cell)
    for path, name in TEST_REF.findall(refs_test):
        full = os.path.join(root, path)
        if not os.path.isfile(full):
            problems.append(f"no file {path}")
        elif name not in test_names(full):
            problems.append(f'no TEST_CASE "{name}" in {path}')
    for path, name in CODE_REF.findall(refs_code):
        full = os.path.join(root, path)
        if not os.path.isfile(full):
            problems.append(f"no file {path}")
            continue
        lines = open(full, encoding="utf-8").read().split("\n")
        if path.startswith("app/"):
            member = name.split("::")[-1]
            if not re.search(r"\b" + re.escape(member) + r"\b", "\n".join(lines)):
                problems.append(f"{name} not in {path}")
            continue
        spans = find_definitions(lines, name)
        if not spans:
            problems.append(f"{name} not defined in {path}")
        elif sections and not any(cites(lines, span, s) for span in spans for s in sections):
            problems.append(f"{name} in {path} cites none of {', '.join('§' + s for s in sections)} near its definition")
    needs_code = status in ("enforced", "stricter")
    if needs_code and not CODE_REF.findall(refs_code):
        problems.append("an enforced row names no function")
    if needs_code and not TEST_REF.findall(refs_test):
        problems.append("an enforced row names no test")
    label = f"{os.path.basename(matrix)} {row_id} {section_cell}: {requirement[:70]}"
    if problems:
        print(f"FAIL {label} -- {'; '.join(problems)}")
        return False
    print(f"PASS {label}")
    return True


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    passed = failed = 0
    for matrix in ("proto/rfc6455.md", "proto/rfc9112.md"):
        path = os.path.join(root, matrix)
        if not os.path.isfile(path):
            print(f"FAIL {matrix}: missing")
            failed += 1
            continue
        rows = [line for line in open(path, encoding="utf-8") if ROW_ID.match(line)]
        if not rows:
            print(f"FAIL {matrix}: no rows")
            failed += 1
        for row in rows:
            if check_row(root, matrix, row):
                passed += 1
            else:
                failed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
