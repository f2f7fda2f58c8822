"""Retrieval quality of the knowledge base: recall@3 on product-manager questions.

`questions.yaml` holds questions phrased the way a product manager would ask them,
each labelled with the knowledge file (and optionally the section) that answers it.
The questions were written before looking at retrieval results and must never be
reworded to pass; when recall drops, improve the documents or the retrieval in
general ways.

The figure is printed (outside pytest's capture), recorded as a junit property,
added to the terminal summary, and repeated in the assertion message, so it is
visible with or without ``-s``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import pytest
import yaml

QUESTIONS_FILE = Path(__file__).with_name("questions.yaml")
KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"
K = 3
MIN_FILE_RECALL = 0.9
MIN_QUESTIONS = 45


@dataclass(frozen=True)
class LabelledQuestion:
    """One question and where its answer lives."""

    question: str
    expected: tuple[str, ...]
    section: str | None


@dataclass(frozen=True)
class Outcome:
    """What retrieval returned for one question."""

    item: LabelledQuestion
    sources: tuple[str, ...]
    headings: tuple[str, ...]

    @property
    def file_hit(self) -> bool:
        return any(source in self.item.expected for source in self.sources)

    @property
    def primary_hit(self) -> bool:
        return self.item.expected[0] in self.sources

    @property
    def section_hit(self) -> bool:
        assert self.item.section is not None
        wanted = self.item.section.lower()
        return any(
            source in self.item.expected and wanted in heading.lower()
            for source, heading in zip(self.sources, self.headings, strict=True)
        )


def load_questions(path: Path = QUESTIONS_FILE) -> list[LabelledQuestion]:
    """Read the labelled questions; `expected` may be one file name or a list."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    items: list[LabelledQuestion] = []
    for entry in raw["questions"]:
        expected = entry["expected"]
        files = (expected,) if isinstance(expected, str) else tuple(expected)
        items.append(
            LabelledQuestion(
                question=str(entry["question"]).strip(),
                expected=files,
                section=entry.get("section"),
            )
        )
    return items


def _headings_of(path: Path) -> list[str]:
    return [
        line.lstrip("#").strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    ]


def test_question_set_is_well_formed() -> None:
    """Enough questions, no duplicates, and every label points at real content."""
    items = load_questions()
    assert len(items) >= MIN_QUESTIONS, f"only {len(items)} labelled questions"
    texts = [item.question.lower() for item in items]
    assert len(set(texts)) == len(texts), "duplicate questions in questions.yaml"
    for item in items:
        assert len(item.question.split()) >= 5, f"too short to be a real question: {item.question!r}"
        for name in item.expected:
            assert (KNOWLEDGE_DIR / name).is_file(), f"{item.question!r}: no knowledge/{name}"
        if item.section is not None:
            headings = [h.lower() for name in item.expected for h in _headings_of(KNOWLEDGE_DIR / name)]
            assert any(item.section.lower() in h for h in headings), (
                f"{item.question!r}: no heading containing {item.section!r} in {item.expected}"
            )
    covered = {item.expected[0] for item in items}
    missing = {p.name for p in KNOWLEDGE_DIR.glob("*.md")} - covered
    assert not missing, f"knowledge files no question is labelled with: {sorted(missing)}"


def _format_report(outcomes: list[Outcome]) -> tuple[str, dict[str, float]]:
    n = len(outcomes)
    with_section = [o for o in outcomes if o.item.section is not None]
    figures = {
        "file_recall_at_3": sum(o.file_hit for o in outcomes) / n,
        "primary_file_recall_at_3": sum(o.primary_hit for o in outcomes) / n,
        "section_recall_at_3": (
            sum(o.section_hit for o in with_section) / len(with_section) if with_section else 1.0
        ),
    }
    lines = [
        f"retrieval quality: recall@{K} (file level) = {figures['file_recall_at_3']:.3f} "
        f"on {n} questions (threshold {MIN_FILE_RECALL})",
        f"  first-listed file only: {figures['primary_file_recall_at_3']:.3f}; "
        f"section level: {figures['section_recall_at_3']:.3f} on {len(with_section)} "
        "questions with a labelled section",
    ]
    misses = [o for o in outcomes if not o.file_hit]
    for miss in misses:
        got = ", ".join(f"{s} [{h}]" for s, h in zip(miss.sources, miss.headings, strict=True))
        lines.append(f"  MISS {miss.item.question!r}: expected {list(miss.item.expected)}; got {got}")
    return "\n".join(lines), figures


class _SummaryLine:
    """Tiny plugin that repeats the figure in pytest's terminal summary."""

    def __init__(self, text: str) -> None:
        self.text = text

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.write_sep("-", "knowledge retrieval quality")
        for line in self.text.splitlines():
            terminalreporter.write_line(line)


#: Both local retrieval modes are measured and must each reach the threshold.
LOCAL_MODES = ("minilm", "static")


@pytest.mark.parametrize("mode", LOCAL_MODES)
def test_recall_at_3(
    mode: str,
    local_mode_indexes: Any,
    isolated_settings: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
    record_property: Any,
) -> None:
    """At least 90% of the questions find an expected file among the top 3 passages."""
    from agent.config import get_settings
    from agent.retrieval import search

    monkeypatch.setenv("ADVISOR_INDEX_DIR", str(local_mode_indexes.index_dir(mode)))
    monkeypatch.setenv("ADVISOR_EMBEDDINGS", mode)
    get_settings.cache_clear()

    outcomes: list[Outcome] = []
    for item in load_questions():
        passages = search(item.question, k=K)
        assert passages, f"no passages for {item.question!r}"
        outcomes.append(
            Outcome(
                item=item,
                sources=tuple(PurePath(p.source).name for p in passages),
                headings=tuple(getattr(p, "heading_path", "") or p.heading for p in passages),
            )
        )

    report, figures = _format_report(outcomes)
    report = f"[{mode}] " + report
    for name, value in figures.items():
        record_property(f"{mode}_{name}", round(value, 4))
    with capsys.disabled():
        print("\n" + report)
    plugin_name = f"knowledge-retrieval-quality-summary-{mode}"
    manager = request.config.pluginmanager
    if manager.get_plugin(plugin_name) is None:
        manager.register(_SummaryLine(report), plugin_name)

    assert figures["file_recall_at_3"] >= MIN_FILE_RECALL, report
