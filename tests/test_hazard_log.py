"""The hazard log (docs/safety/hazard-log.md) cites only tests that exist, and every hazard has tested mitigations."""

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HAZARD_LOG = ROOT / "docs" / "safety" / "hazard-log.md"

HAZARD_HEADING = re.compile(r"^## (H\d{2}): \S", re.MULTILINE)
# A mitigation is a list item "- **M1** …"; it runs on over the indented lines below it.
MITIGATION = re.compile(r"^- \*\*(M\d+)\*\* ", re.MULTILINE)
ITEM_END = re.compile(r"^(?:- |\S)", re.MULTILINE)
# Anything in backticks that cites a test, and the one form a node id may take (no parametrize brackets).
CITED = re.compile(r"`(tests/[^`]*::[^`]*)`")
NODE_ID = re.compile(r"(?P<path>tests/[\w/]+\.py)::(?:(?P<cls>\w+)::)?(?P<name>\w+)")
# "| Initial severity / likelihood / risk | 4 Major / 3 Medium / **3** |", and the same for the residual risk.
RATING = re.compile(
    r"^\| (?P<stage>Initial|Residual) severity / likelihood / risk \| "
    r"(?P<severity>\d) [\w ]+ / (?P<likelihood>\d) [\w ]+ / \*\*(?P<risk>\d)\*\* \|$",
    re.MULTILINE,
)
# DCB0129's matrix: RISK[likelihood][severity - 1], each from 1 (Very low, Minor) to 5 (Very high, Catastrophic).
RISK = {
    5: (3, 4, 4, 5, 5),
    4: (2, 3, 3, 4, 5),
    3: (2, 2, 3, 3, 4),
    2: (1, 2, 2, 3, 4),
    1: (1, 1, 2, 2, 3),
}


def hazard_sections() -> dict[str, str]:
    """Each hazard's id and its section, from its heading to the next second-level heading."""
    sections = {}
    for section in re.split(r"^(?=## )", HAZARD_LOG.read_text(), flags=re.MULTILINE):
        if hazard := HAZARD_HEADING.match(section):
            assert hazard[1] not in sections, f"{hazard[1]} heads two sections"
            sections[hazard[1]] = section
    return sections


def mitigations(section: str) -> dict[str, str]:
    """Each mitigation's id and its text."""
    found = {}
    for match in MITIGATION.finditer(section):
        next_line = section.find("\n", match.end()) + 1 or len(section)
        end = ITEM_END.search(section, next_line)
        found[match[1]] = section[match.end() : end.start() if end else len(section)]
    return found


@cache
def defined_tests(path: str) -> frozenset[str]:
    """The functions a module defines at its top level, as `name`, and in its classes, as `Class::name`."""
    module = ast.parse((ROOT / path).read_text(), filename=path)
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    names = {node.name for node in module.body if isinstance(node, functions)}
    for node in module.body:
        if isinstance(node, ast.ClassDef):
            names |= {f"{node.name}::{item.name}" for item in node.body if isinstance(item, functions)}
    return frozenset(names)


def missing(cited: str) -> str | None:
    """Why a cited node id names no test, or None when it names one."""
    node = NODE_ID.fullmatch(cited)
    if node is None:
        return "not a node id of the form tests/<path>.py::[Class::]test_name"
    if not (ROOT / node["path"]).is_file():
        return "no such file"
    if not node["name"].startswith("test") or (node["cls"] and not node["cls"].startswith("Test")):
        return "not a name pytest collects"
    wanted = f"{node['cls']}::{node['name']}" if node["cls"] else node["name"]
    return None if wanted in defined_tests(node["path"]) else "the file defines no such test"


def test_every_cited_node_id_names_a_test_that_exists():
    cited = sorted(set(CITED.findall(HAZARD_LOG.read_text())))

    unknown = [f"  {node}: {why}" for node in cited if (why := missing(node))]

    assert cited, "the hazard log cites no tests"
    assert not unknown, "The hazard log cites tests that do not exist:\n" + "\n".join(unknown)


def test_there_are_at_least_eight_hazards_numbered_in_order():
    hazards = list(hazard_sections())

    assert len(hazards) >= 8, hazards
    assert hazards == [f"H{n:02}" for n in range(1, len(hazards) + 1)]


def test_every_hazard_has_mitigations_and_every_mitigation_a_test():
    untested = []
    for hazard, section in hazard_sections().items():
        found = mitigations(section)
        if not found:
            untested.append(f"  {hazard}: no mitigation")
        untested += [f"  {hazard} {name}: no test" for name, text in found.items() if not CITED.search(text)]

    assert not untested, "Mitigations without a test that proves them:\n" + "\n".join(untested)


def test_every_hazard_rates_its_initial_and_residual_risk_by_the_matrix():
    wrong = []
    for hazard, section in hazard_sections().items():
        ratings = {
            m["stage"]: (int(m["severity"]), int(m["likelihood"]), int(m["risk"])) for m in RATING.finditer(section)
        }
        if set(ratings) != {"Initial", "Residual"}:
            wrong.append(f"  {hazard}: needs one initial and one residual severity / likelihood / risk row")
        for stage, (severity, likelihood, risk) in ratings.items():
            if not (1 <= severity <= 5 and 1 <= likelihood <= 5) or RISK[likelihood][severity - 1] != risk:
                wrong.append(f"  {hazard} {stage}: severity {severity} and likelihood {likelihood} give another risk")

    assert not wrong, "Ratings that do not follow the risk matrix:\n" + "\n".join(wrong)
