"""A prompting baseline reported as a number: the result itself says prompting was tried.

Product managers report evals as a percentage, a rating out of 5 or 10, a rejection
share, or "tested on N cases"; the phrasings below are our own.
"""

from __future__ import annotations

import pytest

from agent.extract import extract


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("The prompted model reaches 71% accuracy on our labelled tickets.", id="percent"),
        pytest.param("With a system prompt it scores 3.1/10 from our reviewers.", id="out-of-ten"),
        pytest.param("Prompt plus a handful of examples, tested on 400 contracts.", id="tested-on-n"),
        pytest.param("Our few-shot setup gets an F1 of 0.62 on the holdout.", id="f1"),
    ],
)
def test_measured_prompting_result_means_prompting_was_tried(text: str) -> None:
    assert extract(text).findings["prompting_tried"].value is True


@pytest.mark.parametrize(
    ("text", "gap"),
    [
        pytest.param(
            "Replies must match our cheeky brand voice. The prompted drafts average 2.5/5 "
            "with the brand team.", "style", id="low-rating-borrows-topic",
        ),
        pytest.param(
            "Legal rejects 40% of the prompted summaries for ignoring the required section "
            "headings.", "format", id="rejection-share",
        ),
        pytest.param(
            "The prompted tone rates 2 out of 5 with customers.", "style", id="two-out-of-five",
        ),
    ],
)
def test_low_rating_or_rejection_share_is_a_behaviour_gap(text: str, gap: str) -> None:
    assert extract(text).findings["behavior_gap"].value == gap


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("We expect 40% growth next year and want a chatbot.", id="growth-percent"),
        pytest.param("Customers rate our app 4.8/5 in the store.", id="high-rating-no-prompt"),
        pytest.param("We haven't prompted anything yet; 90% of our work is manual.", id="negated"),
    ],
)
def test_numbers_without_a_prompted_result_do_not_claim_a_baseline(text: str) -> None:
    finding = extract(text).findings.get("prompting_tried")
    assert finding is None or finding.value is False
    gap = extract(text).findings.get("behavior_gap")
    assert gap is None or gap.value == "none"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        pytest.param("We have 3M+ labelled search queries.", 3_000_000, id="plus-suffix"),
        pytest.param("About 7k shipped build scripts we could learn from.", 7000, id="shipped"),
        pytest.param("Underwriters have abstracted roughly 2,400 policies.", 2400, id="abstracted-verb"),
        pytest.param("Support has 900 agent-passed transcripts.", 900, id="hyphen-passed"),
        pytest.param("Editors fixed 1,200 briefs we can use as training data.", 1200, id="use-as-training"),
        pytest.param("We kept ~15k merged PRs to mine for examples.", 15000, id="tilde-merged"),
    ],
)
def test_counts_of_approved_or_reusable_outputs_are_labelled_examples(text: str, count: int) -> None:
    assert extract(text).findings["labeled_examples"].value == count


@pytest.mark.parametrize(
    ("text", "gap"),
    [
        pytest.param(
            "Answers must follow our house tone. Reviewers reject ~30% of the prompted replies.",
            "style", id="tilde-rejection-share",
        ),
        pytest.param(
            "The triage judgements disagree with our nurses on a third of cases, even with careful "
            "step-by-step prompts.", "reasoning", id="disagree",
        ),
        pytest.param(
            "The brand team says the replies are not our voice, whatever prompt we try.",
            "style", id="not-our-voice",
        ),
        pytest.param("On the reviewers' rubric our prompted tone scores 2 of 5.", "style", id="n-of-5"),
    ],
)
def test_more_ways_of_reporting_a_failed_baseline(text: str, gap: str) -> None:
    assert extract(text).findings["behavior_gap"].value == gap


def test_a_result_on_a_held_out_set_is_a_baseline() -> None:
    text = "Our routing prompt has grown to four pages and lands at 80% on the held-out set."
    assert extract(text).findings["prompting_tried"].value is True


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Prices refresh every 10 minutes.", id="every-n-minutes"),
        pytest.param("New alerts arrive every few seconds.", id="every-few-seconds"),
        pytest.param("Circulars go out most weekdays.", id="most-weekdays"),
        pytest.param("The rota changes several times a day.", id="several-times-a-day"),
    ],
)
def test_sub_daily_change_is_dynamic(text: str) -> None:
    assert extract(text).findings["data_dynamics"].value == "dynamic"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        pytest.param("We hold 2,500 claims coded and checked by adjusters.", 2500, id="coded-by"),
        pytest.param("There are 800 exams double-marked by examiners.", 800, id="double-marked"),
        pytest.param("We kept 450 filed motions with partner sign-off.", 450, id="sign-off"),
        pytest.param("We have 1,800 shift notes to learn the team's shorthand.", 1800, id="to-learn"),
    ],
)
def test_more_ways_of_describing_a_labelled_set(text: str, count: int) -> None:
    assert extract(text).findings["labeled_examples"].value == count


@pytest.mark.parametrize(
    ("text", "gap"),
    [
        pytest.param(
            "Our prompted intent tagging into 60 categories plateaus at 70%.", "new_skill",
            id="plateau",
        ),
        pytest.param(
            "Editors hate the prompted house style; readers preferred human copy 3 to 1.",
            "style", id="hate-preferred-human",
        ),
        pytest.param(
            "Even with chain-of-thought prompts the check order is wrong in 30% of cases.",
            "reasoning", id="check-order",
        ),
    ],
)
def test_reported_dissatisfaction_with_a_prompted_result_is_a_gap(text: str, gap: str) -> None:
    assert extract(text).findings["behavior_gap"].value == gap
