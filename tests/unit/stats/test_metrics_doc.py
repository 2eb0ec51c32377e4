"""docs/metrics.md is the one definition: every metric the reports show has a section, with a
line on Zendesk Explore, and every section the code cites exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
SECTIONS = {m.group(1): m.start() for m in re.finditer(r"^## (.+)$", DOC, flags=re.MULTILINE)}
REQUIRED = ("Volume", "Start of service", "Wait", "First response", "Served within N", "Abandonment",
            "Full resolution", "One-touch", "Reopened %", "CSAT", "Backlog", "Solved per day", "Handle time",
            "Logged after the fact", "Staffing inputs")


def _section(name: str) -> str | None:
    return next((title for title in SECTIONS if title == name or title.startswith(f"{name} (")), None)


def _body(title: str) -> str:
    start = SECTIONS[_section(title)]
    later = [at for at in SECTIONS.values() if at > start]
    return DOC[start:min(later, default=len(DOC))]


def test_every_reported_metric_has_a_section_saying_how_zendesk_differs() -> None:
    missing = [title for title in REQUIRED if _section(title) is None]
    assert not missing
    assert all("**Zendesk" in _body(title) for title in REQUIRED)


def test_every_section_the_code_cites_exists() -> None:
    cited = set()
    for path in (ROOT / "desk").rglob("*.py"):
        for match in re.finditer(r'docs/metrics\.md, ((?:"[^"]+"(?:,| and| or)? ?)+)', path.read_text(encoding="utf-8")):
            cited |= set(re.findall(r'"([^"]+)"', match.group(1)))
    assert cited, "the code cites no section"
    unknown = [name for name in cited if not any(title.startswith(name) for title in SECTIONS)]
    assert not unknown
