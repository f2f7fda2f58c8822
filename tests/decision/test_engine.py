"""Decision engine behaviour: the facts-sheet rules, traps, explanations and diffs."""

from __future__ import annotations

import pytest

from agent.decision.rules import RULES
from agent.engine import decide, diff_recommendations, question_impact, recommend
from agent.profile import DECISION_FIELDS, Profile

FULL = Profile(
    focus="broad", data_dynamics="dynamic", interaction_complexity="simple",
    knowledge_source="proprietary", corpus_size="large", needs_citations=False,
    behavior_gap="style", prompting_tried=True, labeled_examples=500, monthly_requests=200_000,
    latency_sensitive=False, privacy="cloud_ok", budget="medium", ml_skills="some",
    timeline_weeks=10,
)


def test_rules_table_is_readable_and_sourced() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.effect and rule.source, rule.id
        assert all(f in DECISION_FIELDS for f in rule.fields), rule.id


def test_every_score_point_traces_to_evidence() -> None:
    rec = decide(FULL)
    for approach, value in rec.scores.items():
        total = sum(e.weight for e in rec.evidence if e.approach == approach)
        assert total == pytest.approx(value)


def test_no_baseline_means_not_ready_to_fine_tune() -> None:
    strong_ft = FULL.model_copy(update={"data_dynamics": "static", "knowledge_source": "general",
                                        "corpus_size": "none", "behavior_gap": "format"})
    assert decide(strong_ft).approach == "fine_tuning"
    not_ready = strong_ft.model_copy(update={"prompting_tried": False})
    rec = decide(not_ready)
    assert rec.approach == "prompt_engineering"
    assert any("not ready" in e.effect for e in rec.evidence)
    unknown = strong_ft.model_copy(update={"prompting_tried": None})
    rec = decide(unknown)
    assert rec.approach != "fine_tuning"
    assert any(a.field == "prompting_tried" and a.assumed is False for a in rec.assumptions)


def test_fewer_than_ten_examples_cannot_fine_tune() -> None:
    p = FULL.model_copy(update={"data_dynamics": "static", "knowledge_source": "general",
                                "corpus_size": "none", "behavior_gap": "format", "labeled_examples": 9})
    assert decide(p).approach == "prompt_engineering"
    assert decide(p.model_copy(update={"labeled_examples": 10})).approach != "rag"


def test_traps() -> None:
    manuals = Profile(knowledge_source="proprietary", corpus_size="large", data_dynamics="periodic",
                      focus="niche")
    assert decide(manuals).approach == "rag"
    handbook = Profile(knowledge_source="proprietary", corpus_size="fits_in_prompt",
                       data_dynamics="periodic")
    assert decide(handbook).approach == "prompt_engineering"
    regulated = Profile(behavior_gap="format", prompting_tried=True, labeled_examples=3000,
                        focus="niche")
    assert decide(regulated).approach == "fine_tuning"
    brand = Profile(behavior_gap="style", prompting_tried=True, labeled_examples=2000,
                    data_dynamics="dynamic", knowledge_source="proprietary", corpus_size="large")
    rec = decide(brand)
    assert (rec.approach, rec.components) == ("hybrid", ["rag", "fine_tuning"])
    assert any(e.factor == "fine_tuning_hosts" and "Azure AI Foundry" in e.effect for e in rec.evidence)


def test_output_is_complete_and_deterministic() -> None:
    a, b = decide(FULL), decide(FULL)
    assert a.model_dump() == b.model_dump()
    assert {t.approach for t in a.trade_offs} == {"prompt_engineering", "rag", "fine_tuning", "hybrid"}
    assert {c.approach for c in a.costs} >= {"prompt_engineering", "rag", "fine_tuning"}
    assert {s.role for s in a.stakeholder_plan} == {
        "Data scientists", "DevOps", "UX", "Business stakeholders", "Technical stakeholders"}
    assert a.summary.startswith("Recommended: Hybrid")
    assert 0.0 <= a.confidence <= 1.0


def test_confidence_grows_with_knowledge() -> None:
    empty = decide(Profile())
    assert empty.confidence < decide(FULL).confidence
    assert len(empty.assumptions) == len(DECISION_FIELDS)


def test_question_impact_ranks_unknown_fields_only() -> None:
    ranked = question_impact(Profile(knowledge_source="proprietary"))
    fields = [f for f, _ in ranked]
    assert "knowledge_source" not in fields
    assert set(fields) == set(DECISION_FIELDS) - {"knowledge_source"}
    assert all(0.0 <= v <= 1.0 for _, v in ranked)
    assert [v for _, v in ranked] == sorted((v for _, v in ranked), reverse=True)
    # With proprietary facts known, whether they fit in the prompt decides between
    # prompting and RAG, so it must outrank the privacy question.
    assert fields.index("corpus_size") < fields.index("privacy")
    assert question_impact(FULL) == []


def test_diff_explains_a_changed_answer() -> None:
    old_p = Profile(knowledge_source="proprietary", corpus_size="fits_in_prompt")
    new_p = old_p.model_copy(update={"corpus_size": "large"})
    old, new = decide(old_p), decide(new_p)
    diff = diff_recommendations(old_p, old, new_p, new)
    assert diff.approach_changed
    assert diff.changed_fields == {"corpus_size": ("fits_in_prompt", "large")}
    assert (diff.old_approach, diff.new_approach) == ("prompt_engineering", "rag")
    assert "corpus_size" in diff.summary and "RAG" in diff.summary
    same = diff_recommendations(new_p, new, new_p, new)
    assert not same.approach_changed and "stays" in same.summary
    first = diff_recommendations(None, None, new_p, new)
    assert first.old_approach is None and first.summary.startswith("First")


def test_recommend_turns_retrieval_failure_into_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    import agent.retrieval as retrieval

    def broken(*args: object, **kwargs: object) -> list:
        raise RuntimeError("index is corrupt")

    monkeypatch.setattr(retrieval, "search", broken)
    rec = recommend(FULL)
    assert rec.citations == []
    assert any("Knowledge base unavailable" in n and "index is corrupt" in n for n in rec.notices)


def test_recommend_attaches_citations_for_deciding_factors(monkeypatch: pytest.MonkeyPatch) -> None:
    import agent.retrieval as retrieval

    queries: list[str] = []

    def fake_search(query: str, k: int = 5, *, settings: object = None) -> list:
        queries.append(query)
        return [retrieval.Passage(text="t", source=f"doc{len(queries)}.md", heading="h", score=0.5,
                                  approaches=["rag"], collection="knowledge")]

    monkeypatch.setattr(retrieval, "search", fake_search)
    rec = recommend(FULL)
    assert queries and len(rec.citations) == len(queries)
    assert all(c.factor for c in rec.citations)


def test_consistency_notices() -> None:
    rec = decide(Profile(corpus_size="none", knowledge_source="proprietary", needs_citations=True))
    assert any("no documents" in n for n in rec.notices)


def test_recommend_does_not_hang_on_a_stuck_index(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import agent.retrieval as retrieval

    release = threading.Event()

    def stuck(*args: object, **kwargs: object) -> list:
        release.wait(10)
        return []

    monkeypatch.setattr(retrieval, "search", stuck)
    try:
        rec = recommend(FULL, timeout_s=0.2)
    finally:
        release.set()
    assert rec.citations == []
    assert any("did not answer" in n for n in rec.notices)


#: Facts in a rate card that fits in the context window and changes each quarter, plus a
#: letter format that prompting failed at, with thousands of approved letters.
SMALL_MATERIAL_AND_FORMAT = Profile(
    knowledge_source="proprietary", corpus_size="fits_in_prompt", data_dynamics="periodic",
    behavior_gap="format", prompting_tried=True, labeled_examples=4000, focus="niche",
)


@pytest.mark.parametrize(
    ("change", "components"),
    [
        pytest.param({}, ["prompt_engineering", "fine_tuning"], id="material-fits-the-prompt"),
        pytest.param({"data_dynamics": "dynamic"}, ["rag", "fine_tuning"], id="daily-change-is-retrieved"),
        pytest.param({"needs_citations": True}, ["rag", "fine_tuning"], id="cited-passages-are-retrieved"),
        pytest.param({"corpus_size": "large"}, ["rag", "fine_tuning"], id="large-corpus-is-retrieved"),
    ],
)
def test_a_hybrids_facts_come_from_the_prompt_only_when_the_material_fits(
    change: dict[str, object], components: list[str]
) -> None:
    rec = decide(SMALL_MATERIAL_AND_FORMAT.model_copy(update=change))
    assert (rec.approach, rec.components) == ("hybrid", components)


def test_prompt_plus_tuning_hybrid_is_costed_and_explained_as_such() -> None:
    rec = decide(SMALL_MATERIAL_AND_FORMAT)
    hybrid_cost = next(c for c in rec.costs if c.approach == "hybrid")
    items = [line.item for line in hybrid_cost.monthly_lines + hybrid_cost.one_off_lines]
    assert not any("Vector store" in item or "embed" in item.lower() for item in items)
    assert any("Training run" in item for item in items)
    hybrid_row = next(t for t in rec.trade_offs if t.approach == "hybrid")
    assert "prompt" in hybrid_row.time_to_first_version and "retrieval" not in hybrid_row.skills.lower()
    assert "prompt supplies the facts" in rec.summary
    # The retrieval hybrid keeps its own costing.
    rag_rec = decide(SMALL_MATERIAL_AND_FORMAT.model_copy(update={"data_dynamics": "dynamic"}))
    rag_cost = next(c for c in rag_rec.costs if c.approach == "hybrid")
    assert any("Vector store" in line.item for line in rag_cost.monthly_lines)
