"""A regular (non-editable) install can scaffold: the templates ship in the wheel.

The repo keeps its top-level ``prototypes/`` folder; pyproject maps it to the data
package ``agent._prototypes``, and :func:`agent.scaffold.locate_prototypes` finds
that copy through importlib.resources when there is no checkout next to the code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from agent.scaffold import REPO_PROTOTYPES_DIR, ScaffoldError, locate_prototypes

REPO_ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- fast: the lookup


def _fake_installed_package(site: Path, name: str) -> Path:
    package = site / name
    (package / "_prototypes" / "shared").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "_prototypes" / "shared" / "README.md.j2").write_text("# {{ project_name }}\n")
    return package


def test_lookup_uses_the_checkout_first() -> None:
    assert locate_prototypes() == REPO_PROTOTYPES_DIR
    assert (REPO_PROTOTYPES_DIR / "shared").is_dir()


def test_lookup_falls_back_to_the_packaged_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    package = _fake_installed_package(site, "advisor_wheel_probe")
    monkeypatch.syspath_prepend(str(site))
    found = locate_prototypes(tmp_path / "no-checkout" / "prototypes", "advisor_wheel_probe")
    assert found == package / "_prototypes"
    # A checkout, when there is one, still wins over the packaged copy.
    assert locate_prototypes(REPO_PROTOTYPES_DIR, "advisor_wheel_probe") == REPO_PROTOTYPES_DIR


def test_lookup_without_any_templates_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    (site / "advisor_bare_probe").mkdir(parents=True)
    (site / "advisor_bare_probe" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(site))
    with pytest.raises(ScaffoldError, match="templates are missing.*[Rr]einstall"):
        locate_prototypes(tmp_path / "nothing", "advisor_bare_probe")
    with pytest.raises(ScaffoldError, match="templates are missing"):
        locate_prototypes(tmp_path / "nothing", "advisor_no_such_package_probe")


# --------------------------------------------------------------------------- the built wheel


def _repo_files(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel offline from a copy of the sources (the shared tree stays clean)."""
    source = tmp_path_factory.mktemp("wheel-source")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, source / name)
    for name in ("agent", "prototypes"):
        shutil.copytree(REPO_ROOT / name, source / name, ignore=ignore)
    out = tmp_path_factory.mktemp("wheel")
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(out)],
        cwd=source, env=env, capture_output=True, text=True, timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    wheels = list(out.glob("llm_approach_advisor-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_ships_every_template_and_every_package(built_wheel: Path) -> None:
    with zipfile.ZipFile(built_wheel) as wheel:
        names = set(wheel.namelist())
    shipped = {n.removeprefix("agent/_prototypes/") for n in names
               if n.startswith("agent/_prototypes/")}
    expected = _repo_files(REPO_PROTOTYPES_DIR)
    assert expected and shipped == expected, (
        f"missing: {sorted(expected - shipped)[:10]}, extra: {sorted(shipped - expected)[:10]}"
    )
    assert ".gitignore" in {Path(n).name for n in shipped}  # dotfiles are templates too
    # pyproject lists the packages (the data package needs a mapping); a new one under
    # agent/ must be added there, or a regular install would lack it.
    for init in (REPO_ROOT / "agent").rglob("__init__.py"):
        rel = init.relative_to(REPO_ROOT).as_posix()
        assert rel in names, f"{rel} is not in the wheel: add its package to pyproject.toml"
    assert "agent/data/prices.json" in names
    # The sentence classifier's labelled sentences and their vectors (offline extraction).
    paraphrases = {p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "agent/data/paraphrases").iterdir()}
    assert paraphrases and paraphrases <= names, sorted(paraphrases - names)
    assert "agent/data/reader.npz" in names  # the trained reader's weights
    assert not [n for n in names if n.startswith(("tests/", "prototypes/"))]


def test_scaffold_works_from_the_unpacked_wheel(built_wheel: Path, tmp_path: Path) -> None:
    """Import agent from the wheel's files, away from the checkout, and generate a project."""
    site = tmp_path / "site"
    with zipfile.ZipFile(built_wheel) as wheel:
        wheel.extractall(site)
    out = tmp_path / "project"
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "import agent.scaffold as s\n"
        f"site = Path({str(site)!r}).resolve()\n"
        "assert Path(s.__file__).resolve().is_relative_to(site), s.__file__\n"
        "assert not s.REPO_PROTOTYPES_DIR.exists(), s.REPO_PROTOTYPES_DIR\n"
        "found = s.prototypes_dir()\n"
        "assert found.resolve().is_relative_to(site), found\n"
        f"r = s.scaffold_project('rag', None, out_dir={str(out)!r})\n"
        "print(len(r.files))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(site))
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=300, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert int(result.stdout.strip()) > 10
    assert (out / "README.md").is_file() and (out / "pyproject.toml").is_file()
    assert "{{" not in (out / "README.md").read_text(encoding="utf-8")
