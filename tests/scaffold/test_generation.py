"""Generation table: every path x several profiles renders clean, inert, linted code,
and the generated projects' own test suites pass offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from agent.profile import Profile
from agent.scaffold import scaffold_project
from tests.scaffold.helpers import (
    PATHS,
    check_tree,
    path_id,
    profiles,
    ruff_check,
    run_generated_tests,
    run_generated_tests_together,
)

PROFILES = profiles()
TABLE = [
    pytest.param(path, name, id=f"{path_id(path)}-{name}") for path in PATHS for name in PROFILES
]
#: Each path's own suite runs at least twice: every path in one batch per profile kind
#: (one interpreter, to save start-up imports), and the rag starter also alone, from
#: its own directory with its own pytest config, exactly as a user would run it.
SUITE_TABLE = [pytest.param(("rag", None), "full", id="rag-full-standalone")]


def _generate(tmp_path: Path, path: tuple[str, list[str] | None], name: str) -> Path:
    approach, components = path
    out = tmp_path / "project"
    result = scaffold_project(approach, PROFILES[name], out_dir=out, components=components)
    assert result.out_dir == out.resolve()
    assert len(result.next_commands) == 2
    return out


@pytest.mark.parametrize(("path", "name"), TABLE)
def test_renders_clean_inert_code(tmp_path: Path, path: tuple[str, list[str] | None],
                                  name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = _generate(tmp_path, path, name)
    files = check_tree(out)
    names = {p.relative_to(out).as_posix() for p in files}
    for required in ("README.md", "pyproject.toml", ".env.example", "app.py",
                     "eval/cases.yaml", "docs/decision-report.md"):
        assert required in names
    assert any(n.endswith("/cli.py") for n in names)
    assert any(n.startswith("tests/test_") for n in names)
    ruff_check(out)
    assert not (tmp_path / "PWNED").exists()
    env_example = (out / ".env.example").read_text()
    assert "OPENAI_API_KEY=\n" in env_example


def test_eval_cases_carry_the_interview(tmp_path: Path) -> None:
    out = _generate(tmp_path, ("rag", None), "full")
    data = yaml.safe_load((out / "eval" / "cases.yaml").read_text())
    questions = [c["question"] for c in data["cases"]]
    assert questions[:2] == PROFILES["full"].sample_questions
    texts = [c["text"] for c in data["success_criteria"]]
    assert texts[:3] == PROFILES["full"].success_criteria
    checks = {c["text"]: c.get("check") for c in data["success_criteria"]}
    assert checks["Answers in under 120 words"] == {"type": "max_words", "value": 120}
    assert checks["Cites the policy section"] == {"type": "cites_sources"}
    assert checks["Escalates when unsure"] is None
    readme = (out / "README.md").read_text()
    assert "Home insurance" in readme and "Is storm damage to a fence covered?" in readme


def test_hostile_text_is_kept_as_data_not_code(tmp_path: Path) -> None:
    out = _generate(tmp_path, ("prompt_engineering", None), "hostile")
    data = yaml.safe_load((out / "eval" / "cases.yaml").read_text())
    seeded = [c["question"] for c in data["cases"]]
    assert seeded[0] == PROFILES["hostile"].sample_questions[0]  # the payload, verbatim, as data
    assert all("\x00" not in q and "\u202e" not in q for q in seeded)
    pyproject = (out / "pyproject.toml").read_text()
    import tomllib

    assert tomllib.loads(pyproject)["project"]["name"].endswith("-prompts-starter")
    readme = (out / "README.md").read_text()
    assert "<script>" not in readme and "\\<script\\>" in readme


@pytest.mark.parametrize(("path", "name"), SUITE_TABLE)
def test_generated_suite_passes_offline(tmp_path: Path, path: tuple[str, list[str] | None],
                                        name: str) -> None:
    out = _generate(tmp_path, path, name)
    result = run_generated_tests(out)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    assert not (out / "PWNED").exists() and not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("name", ["full", "hostile"])
def test_every_path_suite_passes_offline_and_nothing_executes(tmp_path: Path, name: str) -> None:
    # One interpreter per batch; two hybrids for the same profile share a package name, so
    # a batch never holds two projects with the same package (one would shadow the other).
    batches: list[dict[str, Path]] = []
    for path in PATHS:
        approach, components = path
        out = tmp_path / path_id(path)
        made = scaffold_project(approach, PROFILES[name], out_dir=out, components=components)
        batch = next((b for b in batches if made.package not in b), None)
        if batch is None:
            batch = {}
            batches.append(batch)
        batch[made.package] = out
    for batch in batches:
        roots = list(batch.values())
        result = run_generated_tests_together(roots)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        passed = re.search(r"(\d+) passed", result.stdout)
        assert passed and int(passed.group(1)) >= 15 * len(roots), result.stdout[-2000:]
        for root in roots:  # every project's tests were collected, not just the first
            assert f"{root.name}/tests/test_" in result.stdout, root.name
    assert not list(tmp_path.rglob("PWNED"))


def test_empty_profile_gets_placeholder_case(tmp_path: Path) -> None:
    out = _generate(tmp_path, ("fine_tuning", None), "empty")
    data = yaml.safe_load((out / "eval" / "cases.yaml").read_text())
    assert [c["origin"] for c in data["cases"]] == ["placeholder"]
    assert (out / "data" / "examples.jsonl").read_text() == ""
    readme = (out / "README.md").read_text()
    assert "Azure AI Foundry" in readme and "7 May 2026" in readme and "Cohere" in readme
    assert isinstance(PROFILES["empty"], Profile)
