"""Sentence classifier: labelled data, shipped vectors, voting, and how the extractor uses it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import get_args

import numpy as np
import pytest

import agent.semantic as semantic
from agent.extract import extract
from agent.profile import Profile
from agent.semantic import (
    CLASSIFIED_FIELDS,
    Exemplar,
    Params,
    ParaphraseDataError,
    ParaphraseIndex,
    count_in,
    fingerprint,
    load_exemplars,
    sentences,
)

# ----------------------------------------------------------------------------- the data


def test_every_classified_value_has_labelled_sentences() -> None:
    exemplars = load_exemplars()
    counts: Counter[tuple[str, object]] = Counter()
    for ex in exemplars:
        for name, value in ex.labels.items():
            counts[(name, "count" if name == "labeled_examples" else value)] += 1
    missing = []
    for name in CLASSIFIED_FIELDS:
        annotation = Profile.model_fields[name].annotation
        literal = next((a for a in get_args(annotation) if get_args(a)), None)
        values = list(get_args(literal)) if literal is not None else (
            ["count"] if name == "labeled_examples" else [True, False]
        )
        missing += [f"{name}={v} ({counts[(name, v)]})" for v in values if counts[(name, v)] < 25]
    assert not missing, f"too few labelled sentences for: {missing}"
    assert sum(1 for ex in exemplars if not ex.labels) >= 100, "neutral sentences keep votes honest"


def test_shipped_vectors_are_current() -> None:
    """Edited sentences need `python -m agent.semantic`; a stale file would be re-embedded at run time."""
    exemplars = load_exemplars()
    with np.load(semantic.VECTORS_FILE) as data:
        assert str(data["fingerprint"]) == fingerprint(exemplars)
        assert data["vectors"].shape == (len(exemplars), 384)


def test_a_bad_labelled_sentence_is_named(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(
        "- text: fine\n  labels: {focus: niche}\n- text: bad\n  labels: {focus: tiny}\n"
    )
    with pytest.raises(ParaphraseDataError, match=r"x\.yaml item 2"):
        load_exemplars(tmp_path)
    (tmp_path / "x.yaml").write_text("- text: bad\n  labels: {colour: red}\n")
    with pytest.raises(ParaphraseDataError, match="colour"):
        load_exemplars(tmp_path)


# ----------------------------------------------------------------------------- voting


def _unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


@pytest.fixture
def toy_index() -> ParaphraseIndex:
    """Two labelled clusters on the x and y axes and neutral sentences on z."""
    rows = [
        (_unit(1, 0.05, 0), {"behavior_gap": "format", "prompting_tried": True}),
        (_unit(1, -0.05, 0), {"behavior_gap": "format"}),
        (_unit(1, 0, 0.05), {"behavior_gap": "format", "prompting_tried": True}),
        (_unit(0, 1, 0.05), {"behavior_gap": "style"}),
        (_unit(0.05, 1, 0), {"behavior_gap": "style", "prompting_tried": True}),
        (_unit(0, 0.05, 1), {}),
        (_unit(0.05, 0, 1), {}),
        (_unit(0, -0.05, 1), {}),
    ]
    exemplars = [Exemplar(text=f"s{i}", labels=labels, source="toy") for i, (_, labels) in enumerate(rows)]
    return ParaphraseIndex(exemplars=exemplars, vectors=np.stack([v for v, _ in rows]))


def test_close_agreeing_neighbours_fill_a_field(toy_index: ParaphraseIndex) -> None:
    votes = toy_index.vote(_unit(1, 0.02, 0.01), Params(k=3, min_similarity=0.9, min_support=0.5, own_pool_fields=()))
    assert votes["behavior_gap"][0] == "format"
    assert votes["prompting_tried"][0] is True  # two of the three neighbours say so
    assert toy_index.exemplars[votes["behavior_gap"][3]].labels["behavior_gap"] == "format"


def test_split_or_distant_neighbours_fill_nothing(toy_index: ParaphraseIndex) -> None:
    params = Params(k=4, min_similarity=0.9, min_support=0.6, own_pool_fields=())
    between = toy_index.vote(_unit(1, 1, 0), params)  # half format, half style
    assert "behavior_gap" not in between
    neutral = toy_index.vote(_unit(0, 0, 1), params)  # only unlabelled neighbours
    assert neutral == {}
    far = toy_index.vote(_unit(1, 1, 1), Params(k=3, min_similarity=0.95, min_support=0.3, own_pool_fields=()))
    assert far == {}  # nothing close enough


def test_more_agreeing_neighbours_never_lower_support(toy_index: ParaphraseIndex) -> None:
    params = Params(k=8, min_similarity=0.0, min_support=0.0, own_pool_fields=())
    query = _unit(1, 0.3, 0.3)
    before = toy_index.vote(query, params)["behavior_gap"]
    grown = ParaphraseIndex(
        exemplars=[*toy_index.exemplars, Exemplar("extra", {"behavior_gap": "format"}, "toy")],
        vectors=np.vstack([toy_index.vectors, _unit(1, 0.2, 0.2)]),
    )
    after = grown.vote(query, Params(k=9, min_similarity=0.0, min_support=0.0, own_pool_fields=()))["behavior_gap"]
    assert before[0] == after[0] == "format"
    assert after[1] >= before[1]


def test_a_gap_told_with_its_evidence_is_voted_among_gap_sentences() -> None:
    """Sentences about other fields (counts, tries) do not outvote a behaviour gap."""
    rows = [
        (_unit(1, 0.02, 0), {"labeled_examples": 7000}),
        (_unit(1, -0.02, 0), {"labeled_examples": 900}),
        (_unit(1, 0, 0.02), {"prompting_tried": True}),
        (_unit(1, 0.3, 0), {"behavior_gap": "format", "prompting_tried": True}),
        (_unit(0.9, 0.4, 0.1), {"behavior_gap": "format"}),
        (_unit(0, 0, 1), {}),
    ]
    index = ParaphraseIndex(
        exemplars=[Exemplar(f"s{i}", labels, "toy") for i, (_, labels) in enumerate(rows)],
        vectors=np.stack([v for v, _ in rows]),
    )
    query = _unit(1, 0.1, 0)
    flat = Params(k=3, min_similarity=0.5, min_support=0.4, own_pool_fields=())
    assert "behavior_gap" not in index.vote(query, flat)  # outvoted by the count sentences
    pooled = Params(k=3, min_similarity=0.5, min_support=0.4, own_pool_fields=("behavior_gap",),
                    pool_min_similarity=0.5, pool_min_support=0.5)
    assert index.vote(query, pooled)["behavior_gap"][0] == "format"
    assert index.vote(query, pooled)["labeled_examples"][0] == "present"  # others unchanged


# ----------------------------------------------------------------------------- reading text


def test_sentences_keep_offsets_and_skip_bare_answers() -> None:
    text = "Yes.\nWe have a support bot for our bank customers today. 5k a month!  It must cite the policy it used."
    found = sentences(text)
    assert [s for _, s in found] == [
        "We have a support bot for our bank customers today.",
        "It must cite the policy it used.",
    ]
    for start, sentence in found:
        assert text[start:].startswith(sentence)


def test_a_pasted_document_is_not_read_sentence_by_sentence() -> None:
    text = "This sentence has quite enough words in it. " * 500
    assert len(sentences(text)) == semantic.MAX_SENTENCES


@pytest.mark.parametrize(
    ("sentence", "count"),
    [
        ("We can pull about 3,500 pieces of approved copy from the archive.", 3500),
        ("Writers have 25k human-written replies that got answers.", 25_000),
        ("There are 1,300 reports graded with rationales since 2019.", 1300),
        ("Reviewers reject 45% of the drafts.", None),
        ("Agreement is kappa 0.41 against seniors.", None),
        ("It answers from a 300-page manual within 2 seconds.", None),
        ("We budgeted $20k for this.", None),
    ],
)
def test_count_in_reads_plain_counts_only(sentence: str, count: int | None) -> None:
    assert count_in(sentence) == count


# ----------------------------------------------------------------------------- in the extractor


def test_rules_win_and_known_fields_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    """The classifier only fills what neither the rules nor the profile already hold."""
    seen: list[set[str]] = []

    def fake_classify(text: str, skip: frozenset[str] = frozenset(), **_: object) -> list[semantic.SemanticHit]:
        seen.append(set(skip))
        return [
            semantic.SemanticHit("behavior_gap", "style", "s", "n", 0.9, 1.0, 0.5, 0),
            semantic.SemanticHit("privacy", "self_hosted", "s", "n", 0.9, 1.0, 0.5, 0),
        ]

    monkeypatch.setattr(semantic, "classify", fake_classify)
    profile = Profile(budget="low")
    ex = extract("Our data changes daily and the answers need citations.", profile, similarity=True)
    assert {"data_dynamics", "needs_citations", "budget"} <= seen[0]
    assert ex.findings["privacy"].value == "self_hosted"
    assert ex.findings["privacy"].basis and "resembles" in ex.findings["privacy"].basis
    assert ex.findings["data_dynamics"].basis is None  # read by a rule
    # A gap found by similarity still implies prompting was tried (the usual derivation).
    assert ex.findings["prompting_tried"].value is True


def test_switched_off_or_broken_classifier_leaves_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Our data changes daily and the answers need citations."
    rules_only = extract(text, similarity=False)
    assert all(f.basis is None for f in rules_only.findings.values())

    def broken(*_: object, **__: object) -> list[semantic.SemanticHit]:
        raise RuntimeError("model file missing")

    monkeypatch.setattr(semantic, "classify", broken)
    ex = extract(text, similarity=True)
    assert {k: f.value for k, f in ex.findings.items()} == {k: f.value for k, f in rules_only.findings.items()}
    assert any("classifier is unavailable" in n for n in ex.notices)


def test_the_setting_switches_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from agent.config import get_settings

    calls: list[str] = []
    monkeypatch.setattr(semantic, "classify", lambda text, **_: calls.append(text) or [])
    monkeypatch.setenv("ADVISOR_SIMILARITY", "0")
    get_settings.cache_clear()
    extract("We want a helpful assistant for our travel agents.")
    assert calls == []
    monkeypatch.setenv("ADVISOR_SIMILARITY", "1")
    get_settings.cache_clear()
    extract("We want a helpful assistant for our travel agents.")
    assert calls
