"""Report structure and determinism; cost model arithmetic and price overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.config import get_settings
from agent.costs import _load, estimate_costs, load_prices
from agent.engine import decide
from agent.profile import Profile
from agent.report import render_html, render_markdown

PROFILE = Profile(
    product_summary="Support bot | with pipes\nand newlines", knowledge_source="proprietary",
    corpus_size="large", data_dynamics="periodic", needs_citations=True, monthly_requests=100_000,
    success_criteria=["Deflect 30% of tickets"], sample_questions=["How do I reset my password?"],
)


def test_report_has_the_brief_structure_and_is_deterministic() -> None:
    rec = decide(PROFILE)
    md = render_markdown(PROFILE, rec, questions_asked=["How often does the data change?"])
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings == ["## Goals", "## Methods", "## Key results", "## Recommendation and next steps",
                        "## Assumptions", "## Sources"]
    assert md == render_markdown(PROFILE, decide(PROFILE), questions_asked=["How often does the data change?"])
    assert "Deflect 30% of tickets" in md and "How often does the data change?" in md
    assert "Support bot | with pipes and newlines" in md


def test_html_escapes_user_text() -> None:
    hostile = PROFILE.model_copy(update={"product_summary": '<img src=x onerror="alert(1)">'})
    page = render_html(hostile, decide(hostile))
    assert "<img" not in page and "&lt;img" in page
    assert page.startswith("<!DOCTYPE html>") and "<table>" in page


def test_costs_show_their_arithmetic() -> None:
    costs = {c.approach: c for c in estimate_costs(PROFILE)}
    rag = costs["rag"]
    tokens = rag.monthly_lines[0]
    assert tokens.formula == "100,000 requests x 2,800 tokens x $0.15/1M"
    assert tokens.amount_usd == pytest.approx(100_000 * 2_800 * 0.15 / 1e6)
    assert rag.monthly_usd == pytest.approx(sum(line.amount_usd for line in rag.monthly_lines), abs=0.01)
    ft = costs["fine_tuning"]
    assert any("1,224" in f"{line.amount_usd:,.0f}" for line in ft.monthly_lines)
    assert ft.time_to_first_version_weeks == "6-12 weeks"
    assert any("Prices as of 2026-11-26" in n for n in rag.notes)


def test_prices_are_dated_and_sourced() -> None:
    table = load_prices()
    assert table.as_of == "2026-11-26"
    for entry in [*table.prices.values(), *table.assumptions.values()]:
        assert entry["source"]


def test_price_override_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"as_of": "2027-01-01", "prices": {"embedding_per_1m": {"value": 1.0}}}))
    monkeypatch.setenv("ADVISOR_PRICES_FILE", str(path))
    get_settings.cache_clear()
    _load.cache_clear()
    table = load_prices()
    assert table.as_of == "2027-01-01" and table.price("embedding_per_1m") == 1.0
    assert table.price("tuned_hosting_per_hour") == 1.70  # not overridden: built-in value
    _load.cache_clear()


def test_self_hosted_changes_hosting_lines() -> None:
    costs = {c.approach: c for c in estimate_costs(PROFILE.model_copy(update={"privacy": "self_hosted"}))}
    assert any("self-hosted" in line.item for line in costs["rag"].monthly_lines)
    assert any("open-weight" in line.item for line in costs["fine_tuning"].monthly_lines)
