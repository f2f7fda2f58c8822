"""Trained reader: shipped weights, its honest measure, and how the extractor uses it.

The reader is trained on the held-out sets, so reading those sets with the shipped
weights would measure memory, not reading. Its measure here is leave-one-set-out: train
on every set but one, read the one left out, for each set in turn.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import agent.reader as reader
from agent.extract import extract
from agent.profile import Profile
from agent.reader_training import (
    Prepared,
    cross_validate,
    labelled_descriptions,
    prepare,
    train,
)

#: Leave-one-set-out decisions: over the 28 sets of session 6 (1,116 descriptions) 912 without
#: the reader, 934 with it when it was adopted and 951 once it also read example counts; over
#: the 36 sets of session 7 (1,436) 1,172 without it and 1,226 (85.4%) with it. The floor sits
#: just below today's figure, so a change that loses the reader's gain fails.
MIN_CV_ACCURACY = 0.85

# A product description of our own (not from any scenario set), description length.
DESCRIPTION = (
    "We run a chain of forty garden centres and want an assistant on the website that "
    "answers plant-care questions. Customers ask things like how often to water a fig or "
    "when to prune roses. Nothing about our stock or prices is needed; it is general "
    "gardening advice. We have one web developer and a small budget, and no one has tried "
    "prompting a model yet."
)


@pytest.fixture(scope="session")
def prepared() -> list[Prepared]:
    """Every labelled description read by the rules and the classifier (about two minutes)."""
    return prepare(labelled_descriptions())


# ----------------------------------------------------------------------------- the weights


def test_shipped_reader_was_trained_on_todays_labelled_sets() -> None:
    """A new or edited set needs `python -m agent.reader_training`."""
    items = labelled_descriptions()
    shipped = reader.load_reader()
    assert shipped.trained_on == len(items) >= 900
    assert shipped.fingerprint == reader.fingerprint([(i.text, i.profile) for i in items])
    assert set(shipped.classes) == set(reader.READ_FIELDS)


def test_retraining_reproduces_the_shipped_weights(prepared: list[Prepared]) -> None:
    """Training is deterministic, and the shipped file came from today's rules and data."""
    shipped = reader.load_reader()
    fresh = train(prepared)
    assert fresh.classes == shipped.classes
    rows = np.stack([p.row for p in prepared])
    worst = 0.0
    for row in rows:
        a, b = fresh.probabilities(row), shipped.probabilities(row)
        for name in a:
            worst = max(worst, max(abs(a[name][c] - b[name][c]) for c in a[name]))
    assert worst < 0.02, f"shipped weights differ from a retrain by {worst:.3f}: retrain them"


def test_leave_one_set_out_the_reader_helps(prepared: list[Prepared]) -> None:
    results = cross_validate(prepared)
    total = sum(r.total for r in results)
    without = sum(r.without_reader for r in results)
    with_reader = sum(r.with_reader for r in results)
    print(f"\nleave-one-set-out over {len(results)} sets: without the reader {without}/{total}, "
          f"with it {with_reader}/{total}")
    for r in results:
        print(f"  {r.group}: {r.without_reader} -> {r.with_reader} of {r.total}")
    assert len(results) >= 36
    assert with_reader >= without
    assert with_reader / total >= MIN_CV_ACCURACY
    # The count model must read more stated example counts right than the rules alone.
    stated = sum(r.counts_stated for r in results)
    rules = sum(r.counts_right_without for r in results)
    counted = sum(r.counts_right_with for r in results)
    print(f"  example counts read right: {rules} -> {counted} of {stated}")
    assert counted > rules


def test_numpy_reading_matches_scikit_learn() -> None:
    """The shipped reader needs no scikit-learn: its softmax must equal predict_proba."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(7)
    x = rng.normal(size=(120, reader.FEATURES))
    for n_classes in (2, 3):
        y = [f'"v{k}"' for k in rng.integers(0, n_classes, size=120)]
        model = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
        r = reader.Reader(
            classes={"focus": list(model.classes_)},
            weights={"focus": model.coef_}, biases={"focus": model.intercept_},
            fingerprint="-", trained_on=120,
        )
        expected = model.predict_proba(x[:10])
        for i in range(10):
            got = r.probabilities(x[i])["focus"]
            assert [got[c] for c in model.classes_] == pytest.approx(list(expected[i]), abs=1e-9)


def test_a_weights_file_for_another_layout_is_refused(tmp_path: Path) -> None:
    np.savez(tmp_path / "r.npz", meta=np.frombuffer(b'{"features": 3, "keys": []}', dtype=np.uint8))
    with pytest.raises(reader.ReaderDataError, match="agent.reader_training"):
        reader.load_reader(tmp_path / "r.npz")


# ----------------------------------------------------------------------------- in the extractor


def _readings(text: str, **kwargs: object) -> dict[str, object]:
    return {k: f.value for k, f in extract(text, **kwargs).findings.items()}  # type: ignore[arg-type]


def test_a_short_answer_is_left_to_the_rules() -> None:
    answer = "About 3,000 a month, and answers must quote the clause."
    assert reader.word_count(answer) < reader.MIN_WORDS
    assert _readings(answer, reader=True) == _readings(answer, reader=False)


def test_a_pasted_document_is_left_to_the_rules() -> None:
    document = " ".join([DESCRIPTION] * 6)
    assert reader.word_count(document) > reader.MAX_WORDS
    assert _readings(document, reader=True) == _readings(document, reader=False)


def test_reader_findings_are_explained_by_a_sentence_of_the_text() -> None:
    ex = extract(DESCRIPTION, reader=True)
    by_reader = {k: f for k, f in ex.findings.items() if f.basis and "trained reader" in f.basis}
    assert by_reader, "a description should give the reader something to add"
    for name, finding in by_reader.items():
        assert name in (*reader.READ_FIELDS, reader.COUNT_FIELD)
        assert finding.span.rstrip(".…") in DESCRIPTION or finding.span[:60] in DESCRIPTION
        assert 0 < finding.confidence <= reader.CONFIDENCE_SCALE
    assert extract(DESCRIPTION, reader=True) == ex  # same text, same reading


def test_the_reader_never_touches_a_field_the_profile_holds() -> None:
    held = Profile(focus="broad", budget="high", ml_skills="strong", privacy="self_hosted")
    ex = extract(DESCRIPTION, held, reader=True)
    for name in ("focus", "budget", "ml_skills", "privacy"):
        finding = ex.findings.get(name)
        assert finding is None or not (finding.basis and "trained reader" in finding.basis), name
    without = extract(DESCRIPTION, held, reader=False)
    for name in ("budget", "ml_skills"):  # stated in the text: the rules' reading stands
        assert (name in ex.findings) == (name in without.findings)


def test_the_setting_turns_the_reader_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from agent.config import get_settings

    monkeypatch.setenv("ADVISOR_READER", "0")
    get_settings.cache_clear()
    assert _readings(DESCRIPTION) == _readings(DESCRIPTION, reader=False)


def test_a_damaged_weights_file_falls_back_with_a_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "reader.npz"
    broken.write_bytes(b"\x00not a numpy archive")
    monkeypatch.setattr(reader, "READER_FILE", broken)
    monkeypatch.setattr(reader, "_CACHE", {})
    ex = extract(DESCRIPTION, reader=True)
    assert any("trained reader is unavailable" in n for n in ex.notices)
    assert {k: f.value for k, f in ex.findings.items()} == _readings(DESCRIPTION, reader=False)


@pytest.mark.parametrize(
    ("current", "vote_value", "probability", "action"),
    [
        (None, "niche", 0.4, "fill"),
        (None, None, 0.9, "keep"),
        (("broad", 0.45), "niche", 0.55, "replace"),  # a weak reading gives way
        (("broad", 0.7), "niche", 0.55, "keep"),  # a rule reading stands against a doubtful vote
        (("broad", 0.9), "niche", 0.75, "replace"),  # but not against a sure one
        (("broad", 0.7), None, 0.75, "set_aside"),
        (("broad", 0.85), None, 0.95, "keep"),  # a firm reading is never set aside
        (("broad", 0.7), None, 0.6, "keep"),
        (("niche", 0.6), "niche", 0.9, "keep"),
    ],
)
def test_how_a_vote_meets_a_rule_reading(
    current: tuple[str, float] | None, vote_value: str | None, probability: float, action: str
) -> None:
    vote = reader.ReaderVote("focus", vote_value, probability, "a sentence")
    assert reader.decide_field(vote, current).action == action


# ----------------------------------------------------------------------------- example counts


def test_number_mentions_mark_rates_amounts_and_years() -> None:
    text = (
        "Since 2019 we have coded about 45,000 entries by hand; 22% still need a fix, the "
        "pilot cost $40,000 and we pasted 5 examples into the prompt."
    )
    found = {m.value: m for m in reader.number_mentions(text)}
    assert set(found) == {2019, 45_000, 22, 40_000}  # 5 is below MIN_COUNT
    assert found[2019].year and not found[45_000].year
    assert found[22].percent and found[40_000].money
    assert not (found[45_000].percent or found[45_000].money)
    assert "coded about 45,000 entries by hand" in found[45_000].window
    assert text[found[45_000].start : found[45_000].end].strip() == "45,000"


def test_count_model_reading_matches_scikit_learn() -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(11)
    x = rng.normal(size=(200, reader.COUNT_FEATURES))
    y = rng.integers(0, 2, size=200)
    model = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
    r = reader.Reader({}, {}, {}, "-", 0, model.coef_[0], float(model.intercept_[0]))
    mention = reader.NumberMention(100, 0, 3, "100", False, False, False)
    votes = r.read_counts([mention] * 10, x[:10])
    assert [v.probability for v in votes] == pytest.approx(model.predict_proba(x[:10])[:, 1], abs=1e-4)


def _count_votes(*pairs: tuple[int, float]) -> list[reader.CountVote]:
    return [
        reader.CountVote(reader.NumberMention(v, i * 10, i * 10 + 3, str(v), False, False, False), p)
        for i, (v, p) in enumerate(pairs)
    ]


@pytest.mark.parametrize(
    ("current", "votes", "action", "value"),
    [
        (None, [(6000, 0.62), (400, 0.1)], "take", 6000),
        (None, [(6000, 0.45)], "keep", None),  # not more likely than not
        ((400, 0.7), [(6000, 0.8), (400, 0.2)], "take", 6000),  # a better number
        ((400, 0.7), [(6000, 0.8), (400, 0.6)], "keep", None),  # the rules' number is likely too
        ((400, 0.7), [(400, 0.01), (30, 0.2)], "set_aside", None),  # a test set, not examples
        ((400, 0.85), [(400, 0.01)], "keep", None),  # a firm rule reading stays
        ((0, 0.8), [(6000, 0.9)], "keep", None),  # "no examples" is the user's word
        ((400, 0.7), [], "keep", None),
    ],
)
def test_how_count_votes_meet_the_rules(
    current: tuple[int, float] | None, votes: list[tuple[int, float]], action: str, value: int | None
) -> None:
    got, vote = reader.decide_count(_count_votes(*votes), current)
    assert got == action
    assert (vote.mention.value if vote else None) == value


# Our own description: the rules read no example count in it.
UNCOUNTED = (
    "Our claims team sorts incoming water-damage claims into five severity bands before an "
    "adjuster sees them. A prompt with the banding guide agrees with the seniors two times in "
    "three. There are roughly 9,500 older claims in the archive where a senior picked the band, "
    "and our data team trains pricing models already."
)


def _with_count_votes(monkeypatch: pytest.MonkeyPatch, probabilities: dict[int, float]) -> None:
    def read_counts(self: reader.Reader, mentions: list, rows: np.ndarray) -> list:
        return [reader.CountVote(m, probabilities.get(m.value, 0.0)) for m in mentions]

    monkeypatch.setattr(reader.Reader, "read_counts", read_counts)


def test_a_count_the_model_takes_is_shown_with_the_words_around_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert reader.COUNT_FIELD not in extract(UNCOUNTED, reader=False).findings
    _with_count_votes(monkeypatch, {9500: 0.8})
    finding = extract(UNCOUNTED, reader=True).findings[reader.COUNT_FIELD]
    assert finding.value == 9500
    assert "roughly 9,500 older claims" in finding.span
    assert finding.confidence == pytest.approx(reader.CONFIDENCE_SCALE * 0.8)
    assert finding.basis and "80% sure it counts worked examples" in finding.basis


def test_the_count_model_never_overrides_a_count_the_profile_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _with_count_votes(monkeypatch, {9500: 0.95})
    ex = extract(UNCOUNTED, Profile(labeled_examples=120), reader=True)
    assert reader.COUNT_FIELD not in ex.findings


def test_a_doubted_rule_count_is_set_aside(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        "We want a bot that drafts replies to tenants about repairs. Last month we ran our "
        "prompt over 300 replies our coordinators wrote and most drafts were fine, though a few "
        "sounded stiff. Nobody here does machine learning and the budget is small this year."
    )
    ruled = extract(text, reader=False).findings[reader.COUNT_FIELD]
    assert ruled.value == 300 and ruled.confidence < reader.FIRM_RULE
    _with_count_votes(monkeypatch, {300: 0.02})
    assert reader.COUNT_FIELD not in extract(text, reader=True).findings
