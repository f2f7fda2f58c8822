"""Held-out scenarios (tests/heldout): written blind, measured, guarded by floors.

The asserted targets live in test_scenarios.py (our own set). Here the figures are
printed and only regression floors are asserted; the first blind run's figures are
in each file's header.

These sets are also the trained reader's training data (agent/reader_training.py), so
reading them with the reader would measure memory. This test reads them with the rules
and the classifier only; the reader's own measure is leave-one-set-out (test_reader.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.commands.decide import evaluate, load_scenarios
from agent.config import get_settings

HELDOUT = Path(__file__).resolve().parents[1] / "heldout"
#: First blind runs of the thirty-six sets: profiles 1,357/1,436, text 1,065/1,436 (74%);
#: each set's header has its own. Now, rules and classifier only: profiles 1,363/1,436
#: (95%), text 1,172/1,436 (82%), but sets 1-20 have since been read for development, so only
#: first runs measure unseen text (the sealed judges: sets 13-16 in session 4, 125/160; sets
#: 17-20 in session 5, 106/160; sets 21-24 and 25-28 in session 6, 113/160 and 118/160 with
#: the reader; in session 7, sets 29-32 gave 133/160, and 138/160 with the count model, and
#: sets 33-36 144/160). The floors sit just below today's figures, so a real regression (for
#: example a classifier change that loses the behaviour gaps) fails.
MIN_PROFILE_ACCURACY = 0.93
MIN_TEXT_ACCURACY = 0.81


def test_heldout_scenarios_stay_above_their_floors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_READER", "0")  # the reader was trained on these sets
    get_settings.cache_clear()
    scenarios = load_scenarios(HELDOUT)
    assert len(scenarios) >= 70
    results = evaluate(scenarios)
    profile, text = results["profile"], results["text"]
    print(
        f"\nheld-out scenarios: given profiles {profile['correct']}/{profile['total']}, "
        f"given text (offline) {text['correct']}/{text['total']} = {text['accuracy']:.1%}"
    )
    for miss in text["misses"]:
        print("  text miss:", miss)
    assert profile["accuracy"] >= MIN_PROFILE_ACCURACY, profile["misses"]
    assert text["accuracy"] >= MIN_TEXT_ACCURACY
