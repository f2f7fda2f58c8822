"""Property tests (hypothesis) over arbitrary partial profiles."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.decision.rules import DEFAULTS, RULES, holds
from agent.engine import decide, question_impact
from agent.profile import BASE_APPROACHES, DECISION_FIELDS, Profile, allowed_values, field_type


def _value_strategy(field: str) -> st.SearchStrategy[Any]:
    kind = field_type(field)
    if kind == "int":
        return st.one_of(st.integers(0, 60), st.integers(0, 50_000_000))
    return st.sampled_from(list(allowed_values(field) or ()))


def _field_or_none(field: str) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), _value_strategy(field))


PROFILES = st.fixed_dictionaries({f: _field_or_none(f) for f in DECISION_FIELDS}).map(
    lambda d: Profile(**d)
)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(PROFILES)
def test_never_crashes_and_confidence_in_unit_interval(profile: Profile) -> None:
    rec = decide(profile)
    assert 0.0 <= rec.confidence <= 1.0
    assert rec.approach in ("prompt_engineering", "rag", "fine_tuning", "hybrid")
    assert rec.components == ([rec.approach] if rec.approach != "hybrid" else ["rag", "fine_tuning"])
    assert set(rec.scores) == set(BASE_APPROACHES)
    unknown = {f for f in DECISION_FIELDS if getattr(profile, f) is None}
    assert {a.field for a in rec.assumptions} == unknown
    assert {f for f, _ in question_impact(profile)} == unknown


def _only_adds(field: str, value: Any, approach: str) -> bool:
    """True when setting ``field`` (unknown) to ``value`` can only add points to ``approach``.

    The rules the value can switch on must all have weight >= 0 for the approach, and the
    rules switched off (those that fired on the prompting-first default) weight <= 0.
    """
    default = DEFAULTS.get(field)
    for rule in RULES:
        if rule.approach != approach or field not in rule.fields:
            continue
        conds = [c for c in rule.when if c[0] == field]
        on_with_value = all(holds(c, {field: value}) for c in conds)
        on_with_default = default is not None and all(holds(c, {field: default}) for c in conds)
        if on_with_value and not on_with_default and rule.weight < 0:
            return False
        if on_with_default and not on_with_value and rule.weight > 0:
            return False
    return True


@SETTINGS
@given(PROFILES, st.sampled_from(DECISION_FIELDS), st.data())
def test_adding_evidence_for_an_approach_never_lowers_its_score(
    profile: Profile, field: str, data: st.DataObject
) -> None:
    without = profile.model_copy(update={field: None})
    value = data.draw(_value_strategy(field))
    with_value = profile.model_copy(update={field: value})
    before, after = decide(without).scores, decide(with_value).scores
    checked = 0
    for approach in BASE_APPROACHES:
        if _only_adds(field, value, approach):
            checked += 1
            assert after[approach] >= before[approach], (field, value, approach)
    # Any value adds or removes evidence for at least one approach, so the property
    # is exercised on every example.
    assert checked >= 1


@SETTINGS
@given(PROFILES)
def test_flipping_a_listed_factor_really_changes_the_result(profile: Profile) -> None:
    rec = decide(profile)
    original = (rec.approach, rec.components)
    for change in rec.what_would_change_it:
        flipped = decide(profile.model_copy(update={change.field: change.value}))
        assert (flipped.approach, flipped.components) != original
        assert (flipped.approach, flipped.components) == (change.new_approach, change.new_components)


@SETTINGS
@given(PROFILES)
def test_every_flip_of_an_unknown_field_is_listed(profile: Profile) -> None:
    rec = decide(profile)
    listed = {(s.field, repr(s.value)) for s in rec.what_would_change_it}
    original = (rec.approach, rec.components)
    from agent.decision.sensitivity import probe_values

    for field in DECISION_FIELDS:
        if getattr(profile, field) is not None:
            continue
        for value in probe_values(field):
            flipped = decide(profile.model_copy(update={field: value}))
            if (flipped.approach, flipped.components) != original:
                assert (field, repr(value)) in listed
