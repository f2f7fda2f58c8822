"""Held-out scenarios (tests/heldout): written blind, measured, guarded by floors.

The asserted targets live in test_scenarios.py (our own set). Here the figures are
printed and only regression floors are asserted; the first blind run's figures are
in each file's header.
"""

from __future__ import annotations

from pathlib import Path

from agent.commands.decide import evaluate, load_scenarios

HELDOUT = Path(__file__).resolve().parents[1] / "heldout"
#: First blind runs of the twenty sets: profiles 757/796, text 557/796 (70%); each set's
#: header has its own. Now: profiles 763/796 (96%), text 685/796 (86%), but sets 1-16 have
#: since been read for development, so only first runs measure unseen text (the sealed judges:
#: sets 13-16 in session 4, 125/160; sets 17-20 in session 5, 106/160). The floors sit just
#: below today's figures, so a real regression (for example a classifier change that loses
#: the behaviour gaps) fails.
MIN_PROFILE_ACCURACY = 0.95
MIN_TEXT_ACCURACY = 0.85


def test_heldout_scenarios_stay_above_their_floors() -> None:
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
