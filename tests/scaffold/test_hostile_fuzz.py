"""Hostile user text, fuzzed: output is always valid, inert code inside DIR."""

from __future__ import annotations

import ast
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.profile import Profile
from agent.scaffold import MARKER_FILE, render_files, scaffold_project
from agent.scaffold_safety import clean_text
from tests.scaffold.helpers import MARKERS, PATHS, PAYLOAD

FRAGMENTS = [
    "'", '"', "'''", '"""', "\\", "\\'", "{{ x }}", "{%", "%}", "{% raw %}", "}}", "{#",
    "../", "../../etc/passwd", "/abs/path", "\x00", "\r\n", "\t", "🚀", "\u202e", "\u200f",
    "\u2066", "\ud800", "${{ secrets.X }}", "`rm -rf /`", "<script>", "# heading", "- item",
    "[x](javascript:alert(1))", "if True:\n    pass", PAYLOAD, "\\N{BULLET}", "\\x00",
    "__import__('os')", "A" * 10_000,
]
hostile_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), min_size=1, max_size=6
).map("".join)


@st.composite
def hostile_profiles(draw: st.DrawFn) -> Profile:
    return Profile.model_validate({
        "product_summary": draw(hostile_text),
        "domain": draw(hostile_text),
        "sample_questions": draw(st.lists(hostile_text, max_size=3)),
        "success_criteria": draw(st.lists(hostile_text, max_size=3)),
    })


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=hostile_profiles(), path_index=st.integers(0, len(PATHS) - 1),
       report=st.one_of(st.none(), hostile_text))
def test_render_parse_and_stay_inside_dir(profile: Profile, path_index: int,
                                          report: str | None) -> None:
    approach, components = PATHS[path_index]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        result = scaffold_project(approach, profile, out_dir=out, components=components,
                                  report_markdown=report)
        root = out.resolve()
        written = sorted(p for p in Path(tmp).rglob("*") if p.is_file())
        assert written and all(p.resolve().is_relative_to(root) for p in written)
        # The project files plus the marker that lets --force recognise the folder later.
        assert sorted(p.relative_to(root).as_posix() for p in written) == sorted(
            [*result.files, MARKER_FILE]
        )
        for path in written:
            text = path.read_text(encoding="utf-8")
            assert not any(m in text for m in MARKERS), path.name
            if path.suffix == ".py":
                assert text.isascii()
                ast.parse(text)
        assert result.package.isidentifier()
        cases = yaml.safe_load((out / "eval" / "cases.yaml").read_text(encoding="utf-8"))
        expected = [clean_text(q, max_chars=1000, multiline=False)
                    for q in profile.sample_questions or []]
        expected = [q for q in dict.fromkeys(expected) if q]
        assert [c["question"] for c in cases["cases"] if c["origin"] == "interview"] == expected


@pytest.mark.parametrize("approach", ["prompt_engineering", "rag", "fine_tuning"])
def test_api_key_never_written_even_if_user_pasted_it(
    approach: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sk-test-CANARY0123456789abcdefXYZ"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    from agent.config import get_settings

    get_settings.cache_clear()
    profile = Profile.model_validate({
        "product_summary": f"my key is {key}",
        "sample_questions": [f"use {key} please"],
        "success_criteria": [key],
    })
    files = render_files(approach, profile, report_markdown=f"report {key}")
    joined = "\n".join(files.values())
    assert key not in joined
    assert "[redacted]" in joined
    assert "OPENAI_API_KEY=\n" in files[".env.example"]
