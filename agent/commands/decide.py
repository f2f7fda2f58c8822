"""CLI commands: `advisor recommend` and `advisor eval`.

Exit codes: 0 success, 2 bad input (invalid profile, empty or unreadable text).
Heavy imports live inside the command functions so `advisor --help` stays fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer

#: Largest text the CLI accepts (1 MB and more is refused with a clear message).
MAX_TEXT_BYTES = 1_000_000


class InputProblem(Exception):
    """Bad user input: the message is shown as-is and the command exits with code 2."""


def _fail(message: str) -> None:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=2)


def _check_text(text: str) -> str:
    if not text or not text.strip():
        raise InputProblem("the text is empty; describe the product in a few sentences.")
    size = len(text.encode("utf-8", errors="replace"))
    if size >= MAX_TEXT_BYTES:
        raise InputProblem(
            f"the text is {size:,} bytes; the limit is {MAX_TEXT_BYTES - 1:,}. "
            "Summarise the product in a few paragraphs instead."
        )
    if "\x00" in text:
        raise InputProblem("the text contains binary data (NUL bytes); pass plain text.")
    return text


def _understand(text: str) -> tuple[Any, str, list[str]]:
    """(Extraction, mode, notices): the LLM extractor when configured, else offline."""
    from agent.config import get_settings
    from agent.extract import extract

    notices: list[str] = []
    if get_settings().llm_enabled:
        try:
            from agent.understand import understand

            result = understand(text, None)
            notices.extend(result.notices)
            return result.extraction, result.mode, notices
        except Exception as exc:  # the offline extractor is always the fallback
            notices.append(f"LLM unavailable ({type(exc).__name__}), used offline extractor.")
    return extract(text), "offline", notices


def run_one(item: dict[str, Any], *, with_citations: bool = True) -> dict[str, Any]:
    """Recommend for one {"text"} or {"profile"} item; returns the JSON result."""
    from agent.engine import recommend
    from agent.profile import Profile, parse_profile

    notices: list[str] = []
    mode = "offline"
    if "profile" in item and item["profile"] is not None:
        profile = parse_profile(item["profile"])
    elif "text" in item:
        text = item["text"]
        if not isinstance(text, str):
            raise InputProblem("'text' must be a string.")
        extraction, mode, notices = _understand(_check_text(text))
        notices += list(getattr(extraction, "notices", []))
        notices += [f"Contradiction: {c}" for c in extraction.contradictions]
        profile = extraction.apply(Profile.model_validate({}))
    else:
        raise InputProblem("each item needs a 'text' or a 'profile'.")
    rec = recommend(profile, with_citations=with_citations)
    data = rec.model_dump(mode="json")
    data["notices"] = notices + data.get("notices", [])
    data["profile"] = profile.model_dump(mode="json", exclude_none=True)
    data["mode"] = mode
    return data


def _human(data: dict[str, Any]) -> str:
    from agent.decision.sensitivity import label

    lines = [label(data["approach"], data["components"]), data["summary"], ""]
    lines.append("Scores: " + ", ".join(f"{k} {v:g}" for k, v in data["scores"].items()))
    costs = {c["approach"]: c for c in data["costs"]}
    lines.append("Costs (monthly / one-off): " + "; ".join(
        f"{a} ${c['monthly_usd']:,.0f} / ${c['one_off_usd']:,.0f}" for a, c in costs.items()))
    changes = data["what_would_change_it"][:5]
    if changes:
        lines.append("What would change it:")
        lines += [f"  - {s['explanation']}" for s in changes]
    if data["notices"]:
        lines.append("Notices:")
        lines += [f"  - {n}" for n in data["notices"]]
    lines.append(f"Mode: {data['mode']}")
    return "\n".join(lines)


def _write_report(path: Path, data: dict[str, Any]) -> None:
    from agent.profile import Profile
    from agent.recommendation import Recommendation
    from agent.report import render_html, render_markdown

    profile = Profile.model_validate(data["profile"])
    rec = Recommendation.model_validate(
        {k: v for k, v in data.items() if k not in ("profile", "mode", "id")}
    )
    text = render_html(profile, rec) if path.suffix.lower() in (".html", ".htm") else render_markdown(profile, rec)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputProblem(f"cannot write the report to {path}: {exc.strerror or exc}") from None


def _read_json_file(path: Path) -> Any:
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputProblem(f"cannot read {path}: {exc}") from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputProblem(f"{path} is not valid JSON ({exc.msg} at line {exc.lineno}).") from None


def recommend_command(
    text: Annotated[str | None, typer.Option("--text", help="Describe the product in plain words.")] = None,
    profile: Annotated[Path | None, typer.Option("--profile", help="A profile JSON file.")] = None,
    batch: Annotated[Path | None, typer.Option("--batch", help='JSON lines of {"id", "text"} or {"id", "profile"}.')] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (Recommendation + profile, mode, notices).")] = False,
    report: Annotated[Path | None, typer.Option("--report", help="Write the decision report (.md or .html); with --batch, a directory of <id>.md reports.")] = None,
    citations: Annotated[bool, typer.Option("--citations/--no-citations", help="Retrieve knowledge-base passages for the deciding factors.")] = True,
) -> None:
    """Recommend prompt engineering, RAG, fine-tuning or a hybrid."""
    from agent.profile import ProfileError

    chosen = [x for x in (text, profile, batch) if x is not None]
    if len(chosen) != 1:
        _fail("give exactly one of --text, --profile or --batch.")
    try:
        if batch is not None:
            _run_batch(batch, with_citations=citations, report_dir=report)
            return
        if profile is not None:
            item: dict[str, Any] = {"profile": _read_json_file(profile)}
        else:
            item = {"text": text if text != "-" else sys.stdin.read()}
        data = run_one(item, with_citations=citations)
        if report is not None:
            _write_report(report, data)
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False) if as_json else _human(data))
    except ProfileError as exc:
        _fail(f"invalid profile.\n{exc}")
    except InputProblem as exc:
        _fail(str(exc))


def _run_batch(path: Path, *, with_citations: bool = True, report_dir: Path | None = None) -> None:
    """One JSON result per input line; with --report, one report per item in that directory."""
    import re

    from agent.profile import ProfileError

    if report_dir is not None:
        try:
            report_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputProblem(f"cannot create report directory {report_dir}: {exc.strerror or exc}") from None

    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputProblem(f"cannot read {path}: {exc.strerror or exc}") from None
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            item_id: Any = None
            try:
                item = json.loads(line)
                if not isinstance(item, dict):
                    raise InputProblem("each line must be a JSON object.")
                item_id = item.get("id", number)
                result = {"id": item_id, **run_one(item, with_citations=with_citations)}
                if report_dir is not None:
                    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(item_id))[:80].strip("._") or str(number)
                    _write_report(report_dir / f"{safe}.md", result)
            except json.JSONDecodeError as exc:
                result = {"id": number, "error": f"line {number} is not valid JSON ({exc.msg})."}
            except (ProfileError, InputProblem) as exc:
                result = {"id": item_id if item_id is not None else number, "error": str(exc)}
            typer.echo(json.dumps(result, ensure_ascii=False))


def load_scenarios(directory: Path | None = None) -> list[dict[str, Any]]:
    """Every scenario in tests/scenarios/*.yaml (id, text, expected, components, profile)."""
    import yaml

    directory = directory or Path(__file__).resolve().parents[2] / "tests" / "scenarios"
    scenarios: list[dict[str, Any]] = []
    for file in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or []
        if not isinstance(data, list):
            continue  # not a scenario file (e.g. retrieval questions kept alongside)
        for item in data:
            item = dict(item)
            item.setdefault("components", [item["expected"]])
            item["file"] = file.name
            scenarios.append(item)
    return scenarios


def is_expected(rec: Any, expected: str, components: Iterable[str]) -> bool:
    """Whether a recommendation is a scenario's expected answer.

    A hybrid's components are a set: [fine_tuning, rag] and [rag, fine_tuning] agree.
    """
    return bool(rec.approach == expected and sorted(rec.components) == sorted(components))


def evaluate(scenarios: list[dict[str, Any]]) -> dict[str, Any]:
    """Accuracy and confusion tables for given profiles and for given text (offline)."""
    from agent.engine import decide
    from agent.extract import extract
    from agent.profile import Profile, parse_profile

    labels = ["prompt_engineering", "rag", "fine_tuning", "hybrid"]
    results: dict[str, Any] = {}
    for mode in ("profile", "text"):
        confusion = {e: dict.fromkeys(labels, 0) for e in labels}
        misses = []
        correct = 0
        for sc in scenarios:
            if mode == "profile":
                profile = parse_profile(sc["profile"])
            else:
                profile = extract(sc["text"]).apply(Profile.model_validate({}))
            rec = decide(profile)
            confusion[sc["expected"]][rec.approach] += 1
            if is_expected(rec, sc["expected"], sc["components"]):
                correct += 1
            else:
                misses.append({"id": sc["id"], "expected": sc["expected"], "got": rec.approach,
                               "components": list(rec.components)})
        results[mode] = {"accuracy": correct / len(scenarios) if scenarios else 0.0,
                         "correct": correct, "total": len(scenarios),
                         "confusion": confusion, "misses": misses}
    return results


def eval_command(
    directory: Annotated[Path | None, typer.Option("--dir", help="Scenario directory.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Score the scenarios: confusion table and accuracy (given profile, given text offline)."""
    scenarios = load_scenarios(directory)
    if not scenarios:
        _fail("no scenarios found.")
    results = evaluate(scenarios)
    if as_json:
        typer.echo(json.dumps(results, indent=2))
        return
    short = {"prompt_engineering": "prompt", "rag": "rag", "fine_tuning": "tune", "hybrid": "hybrid"}
    for mode, title in (("profile", "Given profiles"), ("text", "Given text (offline extractor)")):
        r = results[mode]
        typer.echo(f"\n{title}: accuracy {r['accuracy']:.1%} ({r['correct']}/{r['total']})")
        typer.echo("expected \\ got  " + "".join(f"{short[g]:>8}" for g in r["confusion"]))
        for expected, row in r["confusion"].items():
            typer.echo(f"{short[expected]:<15} " + "".join(f"{n:>8}" for n in row.values()))
        for miss in r["misses"]:
            typer.echo(f"  miss: {miss['id']}: expected {miss['expected']}, got {miss['got']} {miss['components']}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the advisor app."""
    app.command("recommend")(recommend_command)
    app.command("eval")(eval_command)
