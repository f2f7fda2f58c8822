"""Shared checks for generated projects."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from agent.profile import Profile

MARKERS = ("{{", "{%", "}}")
RUFF = Path(sys.executable).parent / "ruff"

#: Python that would run if user text were pasted into code unescaped.
PAYLOAD = '"""; import os; os.system("touch PWNED") #'
HOSTILE_TEXT = (
    "It's \"quoted\" and '''triple''' and \"\"\"triple\"\"\" \\ backslash \\n {{ config }} "
    "{% include '/etc/passwd' %} ../../etc/passwd \x00 NUL 🚀 emoji \u202e RTL-override "
    "\u200f mark ${{ secrets.KEY }} <script>alert(1)</script> [link](javascript:x) "
    + PAYLOAD
)

PATHS: list[tuple[str, list[str] | None]] = [
    ("prompt_engineering", None),
    ("rag", None),
    ("fine_tuning", None),
    ("hybrid", ["rag", "fine_tuning"]),
    ("hybrid", ["prompt_engineering", "rag"]),
    # What the engine recommends when the reference material fits in the prompt.
    ("hybrid", ["prompt_engineering", "fine_tuning"]),
]


def path_id(path: tuple[str, list[str] | None]) -> str:
    approach, components = path
    return approach if not components else approach + "-" + "+".join(components)


def profiles() -> dict[str, Profile]:
    """Named profiles: empty, a full realistic one, and a hostile one."""
    return {
        "empty": Profile.model_validate({}),
        "full": Profile.model_validate({
            "product_summary": "An assistant that answers adjusters' questions about home "
            "insurance policies and claim status.",
            "domain": "Home insurance",
            "focus": "niche",
            "data_dynamics": "periodic",
            "needs_citations": True,
            "labeled_examples": 300,
            "success_criteria": ["Answers in under 120 words", "Cites the policy section",
                                 "Escalates when unsure"],
            "sample_questions": ["Is storm damage to a fence covered?",
                                 "How long does a claim payout take?"],
        }),
        "hostile": Profile.model_validate({
            "product_summary": HOSTILE_TEXT + " " + "long " * 2000,
            "domain": PAYLOAD + " ../../etc",
            "success_criteria": [HOSTILE_TEXT, "x" * 10_000, "{{ 7*7 }}"],
            "sample_questions": [PAYLOAD, HOSTILE_TEXT, "\x00", "🙂" * 50],
        }),
    }


def check_tree(root: Path) -> list[Path]:
    """No template markers, every .py parses, every file inside root. Returns the files."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    assert files, "nothing generated"
    resolved = root.resolve()
    for path in files:
        assert path.resolve().is_relative_to(resolved), path
        text = path.read_text(encoding="utf-8")
        for marker in MARKERS:
            assert marker not in text, f"{marker!r} left in {path.relative_to(root)}"
        if path.suffix == ".py":
            ast.parse(text, filename=str(path))
            assert text.isascii(), f"non-ASCII (possible bidi trick) in {path.name}"
    return files


def ruff_check(root: Path) -> None:
    """ruff with the generated project's own configuration."""
    result = subprocess.run(
        [str(RUFF), "check", "--no-cache", "."], cwd=root, capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def run_generated_tests(root: Path) -> subprocess.CompletedProcess[str]:
    """The generated project's own pytest, same interpreter, offline env."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "ADVISOR_", "PYTEST_"))}
    env["PYTHONPATH"] = str(root / "src")
    env["NO_PROXY"] = "127.0.0.1,localhost"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )


def run_generated_tests_together(roots: list[Path]) -> subprocess.CompletedProcess[str]:
    """Several generated projects' suites in one interpreter (saves start-up imports).

    Each project keeps its own tests/conftest.py; ``importlib`` import mode lets
    same-named test files from different projects coexist.
    """
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "ADVISOR_", "PYTEST_"))}
    env["PYTHONPATH"] = os.pathsep.join(str(root / "src") for root in roots)
    env["NO_PROXY"] = "127.0.0.1,localhost"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # The parent directory as root, so every test id starts with its project's directory
    # name (also for a batch of one).
    common = Path(os.path.commonpath([str(r.parent) for r in roots]))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-x",
         "--import-mode=importlib", f"--rootdir={common}", "-c", os.devnull,
         *[str(root / "tests") for root in roots]],
        cwd=common, env=env, capture_output=True, text=True, timeout=600,
    )
