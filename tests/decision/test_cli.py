"""`advisor recommend` and `advisor eval` through the real CLI app (typer runner)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from agent.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_text_json_has_recommendation_profile_mode_and_notices() -> None:
    r = invoke("recommend", "--no-citations", "--json", "--text",
               "A shopping assistant in our brand voice. Prompting couldn't keep the tone consistent "
               "in our evals, and we have 2,000 approved product descriptions. Prices change daily.")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["approach"] == "hybrid" and data["components"] == ["rag", "fine_tuning"]
    assert data["mode"] == "offline"
    assert data["profile"]["behavior_gap"] == "style"
    assert isinstance(data["notices"], list)


def test_human_output_is_readable() -> None:
    r = invoke("recommend", "--no-citations", "--text", "An HR bot over our 60-page handbook, updated yearly.")
    assert r.exit_code == 0
    assert "Prompt engineering" in r.stdout and "Mode: offline" in r.stdout


def test_contradiction_lands_in_notices() -> None:
    r = invoke("recommend", "--no-citations", "--json", "--text",
               "Our product data is static. The catalogue changes daily.")
    data = json.loads(r.stdout)
    assert any(n.startswith("Contradiction: data_dynamics") for n in data["notices"])


def test_invalid_profile_names_field_and_allowed_values(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"data_dynamics": "sometimes"}))
    r = invoke("recommend", "--profile", str(path))
    assert r.exit_code == 2
    assert "data_dynamics" in r.output and "'static', 'periodic', 'dynamic'" in r.output


def test_profile_file_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text("{not json")
    r = invoke("recommend", "--profile", str(path))
    assert r.exit_code == 2 and "not valid JSON" in r.output
    assert "Traceback" not in r.output


def test_empty_and_one_megabyte_text() -> None:
    r = invoke("recommend", "--text", "   ")
    assert r.exit_code == 2 and "empty" in r.output
    r = invoke("recommend", "--text", "x" * 1_000_000)
    assert r.exit_code == 2 and "limit" in r.output and "Traceback" not in r.output


def test_exactly_one_input_is_required() -> None:
    r = invoke("recommend")
    assert r.exit_code == 2 and "exactly one" in r.output


def test_batch_jsonl_one_result_per_line(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    lines = [
        {"id": "a", "text": "A chatbot over our 40,000 contracts that must cite the clause."},
        {"id": "b", "profile": {"knowledge_source": "general", "corpus_size": "none"}},
        {"id": "c", "profile": {"budget": "huge"}},
        {"id": "d", "text": ""},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n{broken\n")
    reports = tmp_path / "reports"
    r = invoke("recommend", "--no-citations", "--batch", str(path), "--report", str(reports))
    assert r.exit_code == 0, r.output
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c", "d", 5]
    assert out[0]["approach"] == "rag" and out[1]["approach"] == "prompt_engineering"
    assert "budget" in out[2]["error"] and "'low'" in out[2]["error"]
    assert "empty" in out[3]["error"] and "JSON" in out[4]["error"]
    assert sorted(p.name for p in reports.iterdir()) == ["a.md", "b.md"]


def test_report_file_markdown_and_html(tmp_path: Path) -> None:
    md, page = tmp_path / "r.md", tmp_path / "r.html"
    text = "An assistant over our 60-page handbook <script>alert(1)</script>."
    assert invoke("recommend", "--no-citations", "--text", text, "--report", str(md)).exit_code == 0
    assert invoke("recommend", "--no-citations", "--text", text, "--report", str(page)).exit_code == 0
    assert md.read_text().startswith("# LLM approach decision report")
    html_text = page.read_text()
    assert "<script>alert(1)</script>" not in html_text and "&lt;script&gt;" in html_text


def test_eval_prints_confusion_table_and_accuracy() -> None:
    r = invoke("eval")
    assert r.exit_code == 0
    assert "Given profiles: accuracy 100.0%" in r.stdout
    assert "expected \\ got" in r.stdout and "Given text" in r.stdout
