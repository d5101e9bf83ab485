"""README.md and README.ja.md cover the same ground: the same sections in the same order.

Each ``##`` heading is followed by a ``<!-- section: id -->`` marker; the two files must list the same ids in
the same order (a section added to one README alone fails here), each section has as many subsections
(``###``, ``####``) in both, the methods tables list the same methods, and each contents list must link every
section of its file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scv_invoker.methods import METHODS

from tools.harness.synth import PROJECT_ROOT

READMES = (PROJECT_ROOT / "README.md", PROJECT_ROOT / "README.ja.md")
_MARKER = re.compile(r"^<!-- section: ([a-z0-9-]+) -->$")


def sections(path: Path) -> list[tuple[str, str]]:
    """(id, heading) of every ``##`` section, in order; fails on a heading without its marker."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    in_code = False
    for number, line in enumerate(lines):
        if line.startswith("```"):
            in_code = not in_code
        if in_code or not line.startswith("## "):
            continue
        marker = _MARKER.match(lines[number + 1]) if number + 1 < len(lines) else None
        assert marker, f"{path.name}:{number + 1}: '{line}' lacks its '<!-- section: id -->' line below it"
        found.append((marker[1], line.removeprefix("## ")))
    return found


def test_both_readmes_have_the_same_sections_in_the_same_order() -> None:
    english, japanese = (sections(path) for path in READMES)
    assert [section_id for section_id, _ in english] == [section_id for section_id, _ in japanese]


@pytest.mark.parametrize("path", READMES, ids=lambda path: path.name)
def test_the_contents_list_links_every_section_in_order(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    contents = text.split("<!-- section: contents -->", 1)[1].split("\n## ", 1)[0]
    linked = re.findall(r"^\d+\. \[[^\]]+\]\(#([^)]+)\)$", contents, flags=re.MULTILINE)
    headings = [heading for section_id, heading in sections(path) if section_id != "contents"]
    assert linked == [github_anchor(heading) for heading in headings]


def github_anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def section_texts(path: Path) -> dict[str, str]:
    """Each section's text (what follows its marker up to the next ``##`` heading), by id."""
    text = path.read_text(encoding="utf-8")
    parts = re.split(r"^<!-- section: ([a-z0-9-]+) -->$", text, flags=re.MULTILINE)
    return {section_id: body.split("\n## ", 1)[0] for section_id, body in zip(parts[1::2], parts[2::2], strict=True)}


def subsection_levels(body: str) -> list[str]:
    """The ``###`` / ``####`` markers of a section's subsections, in order (code blocks skipped)."""
    levels, in_code = [], False
    for line in body.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and re.match(r"#{3,4} ", line):
            levels.append(line.split(" ", 1)[0])
    return levels


def test_each_section_has_the_same_subsections_in_both_readmes() -> None:
    english, japanese = (section_texts(path) for path in READMES)
    assert {section_id: subsection_levels(body) for section_id, body in english.items()} == {
        section_id: subsection_levels(body) for section_id, body in japanese.items()
    }


def methods_table(path: Path) -> list[str]:
    """The methodName column of the methods section's table (a method's "(new)" note dropped)."""
    return re.findall(r"^\| `([A-Za-z]+)`", section_texts(path)["methods"], flags=re.MULTILINE)


def test_both_readmes_list_every_method_of_the_function_in_the_same_order() -> None:
    english, japanese = (methods_table(path) for path in READMES)
    assert english == japanese
    assert sorted(english) == sorted(METHODS)
