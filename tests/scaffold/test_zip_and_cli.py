"""Zip round trip and the `advisor scaffold` command."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.profile import Profile
from agent.scaffold import MARKER_FILE, ScaffoldError, scaffold_project, scaffold_zip_bytes
from tests.scaffold.helpers import check_tree, profiles, ruff_check

runner = CliRunner()


def _tree(root: Path) -> dict[str, bytes]:
    """The project files (the folder's scaffold marker is deliberately not in the zip)."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != MARKER_FILE}


@pytest.mark.parametrize("name", ["full", "hostile"])
def test_zip_round_trips_to_the_same_tree(tmp_path: Path, name: str) -> None:
    profile = profiles()[name]
    data = scaffold_zip_bytes("hybrid", profile, components=["rag", "fine_tuning"])
    assert data == scaffold_zip_bytes("hybrid", profile, components=["rag", "fine_tuning"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        top = {n.split("/", 1)[0] for n in names}
        assert len(top) == 1
        assert all(not n.startswith("/") and ".." not in n.split("/") for n in names)
        archive.extractall(tmp_path / "unzipped")
    unzipped = tmp_path / "unzipped" / top.pop()
    written = scaffold_project("hybrid", profile, out_dir=tmp_path / "direct",
                               components=["rag", "fine_tuning"])
    assert _tree(unzipped) == _tree(written.out_dir)
    assert (written.out_dir / MARKER_FILE).is_file()
    assert not (unzipped / MARKER_FILE).exists()
    check_tree(unzipped)
    ruff_check(unzipped)


def test_refuses_non_empty_dir_and_unknown_paths(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(ScaffoldError, match="not empty"):
        scaffold_project("rag", None, out_dir=tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "mine"
    with pytest.raises(ScaffoldError, match="Unknown approach"):
        scaffold_project("magic", None, out_dir=tmp_path / "x")
    with pytest.raises(ScaffoldError, match="Unknown component"):
        scaffold_project("hybrid", None, out_dir=tmp_path / "x", components=["rag", "x"])
    with pytest.raises(ScaffoldError, match="two"):
        scaffold_project("hybrid", None, out_dir=tmp_path / "x", components=["rag"])
    assert not (tmp_path / "x").exists()


def test_refuses_to_write_through_a_symlink_out_of_dir(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    scaffold_project("rag", None, out_dir=out)  # ours, so --force may replace it
    shutil.rmtree(out / "eval")
    (out / "eval").symlink_to(outside)
    before = _tree(out)
    marker = (out / MARKER_FILE).read_bytes()
    with pytest.raises(ScaffoldError, match="outside|link"):
        scaffold_project("fine_tuning", None, out_dir=out, force=True)
    assert not any(outside.iterdir())
    assert _tree(out) == before  # nothing half-written, nothing removed
    assert (out / MARKER_FILE).read_bytes() == marker


def _profile_file(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(data))
    return path


def test_cli_writes_project_and_prints_next_commands(tmp_path: Path) -> None:
    profile = _profile_file(tmp_path, {"domain": "Retail banking"})
    out = tmp_path / "proj"
    result = runner.invoke(app, ["scaffold", "--approach", "rag", "--profile", str(profile),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "retail-banking-rag-starter" in result.output
    assert "pip install -e" in result.output and "retail-banking-rag-starter index" in result.output
    assert (out / "README.md").is_file()

    again = runner.invoke(app, ["scaffold", "--approach", "rag", "--profile", str(profile),
                                "--out", str(out)])
    assert again.exit_code == 2
    assert "not empty" in again.output
    forced = runner.invoke(app, ["scaffold", "--approach", "rag", "--profile", str(profile),
                                 "--out", str(out), "--force"])
    assert forced.exit_code == 0, forced.output


def test_cli_zip(tmp_path: Path) -> None:
    profile = _profile_file(tmp_path, {"domain": "Legal"})
    result = runner.invoke(app, ["scaffold", "--approach", "hybrid", "--components",
                                 "prompt_engineering,rag", "--profile", str(profile),
                                 "--out", str(tmp_path / "starter"), "--zip"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "starter.zip") as archive:
        assert "legal-hybrid-starter/README.md" in archive.namelist()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--approach", "magic"], "Unknown approach"),
        (["--approach", "hybrid", "--components", "rag,nope"], "Unknown component"),
        (["--approach", "rag", "--components", "rag,fine_tuning"], "only applies"),
    ],
    ids=["bad-approach", "bad-component", "components-without-hybrid"],
)
def test_cli_invalid_input_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    profile = _profile_file(tmp_path, {})
    result = runner.invoke(app, ["scaffold", *args, "--profile", str(profile),
                                 "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert message in result.output


def test_cli_profile_and_session_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"focus": "sideways"}')
    result = runner.invoke(app, ["scaffold", "--approach", "rag", "--profile", str(bad),
                                 "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "focus" in result.output
    neither = runner.invoke(app, ["scaffold", "--approach", "rag", "--out", str(tmp_path / "o")])
    assert neither.exit_code == 2 and "exactly one" in neither.output
    missing = runner.invoke(app, ["scaffold", "--approach", "rag", "--profile",
                                  str(tmp_path / "nope.json"), "--out", str(tmp_path / "o")])
    assert missing.exit_code == 2 and "cannot read" in missing.output
    unknown = runner.invoke(app, ["scaffold", "--approach", "rag", "--session", "doesnotexist1",
                                  "--out", str(tmp_path / "o")])
    assert unknown.exit_code == 2 and "no session" in unknown.output
    assert not (tmp_path / "o").exists()


def test_hybrid_takes_components_from_the_recommendation(tmp_path: Path) -> None:
    from agent.recommendation import Recommendation

    rec = Recommendation(approach="hybrid", components=["rag", "fine_tuning"],
                         scores={}, confidence=0.7, summary="Use both.")
    result = scaffold_project("hybrid", Profile.model_validate({}), out_dir=tmp_path / "o",
                              recommendation=rec)
    assert result.components == ["rag", "fine_tuning"]
    readme = (tmp_path / "o" / "README.md").read_text()
    assert "Use both." in readme and "70%" in readme
