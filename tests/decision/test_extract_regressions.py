"""Inputs that once crashed the offline extractor."""

from __future__ import annotations

import pytest

from agent.extract import extract


@pytest.mark.parametrize(
    "text",
    [
        # A volume pattern without a number ("at scale") reached the "N times a day" check,
        # which read the number's position: IndexError on a plain product description.
        pytest.param("At scale: each reply cites a live order (hundreds open, updated daily).", id="at-scale"),
        pytest.param("We run this at scale, several times a day.", id="at-scale-times-a-day"),
    ],
)
def test_volume_words_without_a_number_do_not_crash(text: str) -> None:
    result = extract(text)
    assert result.findings.get("data_dynamics") is None or result.findings["data_dynamics"].value == "dynamic"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Replies must come back in under ~200 ms.", id="tilde"),
        pytest.param("Replies must come back in under about 200 ms.", id="about"),
        pytest.param("Answers within roughly 2 seconds, please.", id="roughly"),
    ],
)
def test_an_approximate_response_bound_is_still_latency(text: str) -> None:
    # "~200" is read as "about 200" before the rules run; the bound must still count.
    assert extract(text).findings["latency_sensitive"].value is True
