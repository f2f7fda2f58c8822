"""Generate a runnable, tested starter project for the chosen path.

Templates live in ``prototypes/``: ``shared/`` holds the parts every project
has (README skeleton, pyproject, settings, LLM seam, eval harness, CLI,
Streamlit page, tests); ``prompt_engineering/``, ``rag/`` and ``fine_tuning/``
each add their own modules, tests and README section. A hybrid is the shared
part plus two or three path parts, composed, never copied.

User text is untrusted: it reaches the output only through
:mod:`agent.scaffold_safety` encoders (Jinja filters ``py``, ``toml``, ``md``
and the YAML/JSON writers here). Every write is resolved and checked to stay
inside ``out_dir``, and the rendered files are scanned for secrets before
anything touches the disk.

A folder written by :func:`scaffold_project` carries a marker file,
``.advisor-scaffold.json`` (generator, version, path, and the list of files it
wrote). ``force`` trusts only that marker: it replaces a project we generated
before, removing the files of the previous render that the new one does not
have (files the user added are kept), and it never touches a non-empty folder
without the marker. The marker is not put in the zip: the zip is a hand-out
for a repository, and the marker only describes a folder this tool manages.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2

from agent.config import Settings, get_settings
from agent.profile import APPROACH_LABELS, BASE_APPROACHES, Profile
from agent.recommendation import Recommendation
from agent.scaffold_safety import (
    clean_text,
    json_line,
    md_document,
    md_inline,
    package_identifier,
    py_literal,
    safe_base_url,
    safe_model_name,
    slugify,
    toml_string,
    yaml_dump,
)

#: The templates in a source checkout (editable install): the top-level prototypes/ folder.
REPO_PROTOTYPES_DIR = Path(__file__).resolve().parent.parent / "prototypes"
#: The same folder as shipped in the wheel (pyproject maps it to the data package
#: ``agent._prototypes``), used when there is no checkout next to the package.
PACKAGED_PROTOTYPES = "_prototypes"
#: Written into every generated folder; ``force`` replaces only folders that have it.
MARKER_FILE = ".advisor-scaffold.json"
_MARKER_GENERATOR = "llm-approach-advisor"
_MARKER_FORMAT = 1
PACKAGE_PLACEHOLDER = "__pkg__"
APPROACHES = ("prompt_engineering", "rag", "fine_tuning", "hybrid")
_SHORT = {"prompt_engineering": "prompts", "rag": "rag", "fine_tuning": "finetune"}
#: Fixed timestamp for zip entries so the same input gives the same bytes.
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)

MAX_QUESTIONS = 25
MAX_CRITERIA = 15


class ScaffoldError(ValueError):
    """The project could not be generated; the message says why and what to do."""


@dataclass
class ScaffoldResult:
    """What :func:`scaffold_project` wrote."""

    out_dir: Path
    files: list[str] = field(default_factory=list)
    next_commands: list[str] = field(default_factory=list)
    project_name: str = ""
    package: str = ""
    components: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- inputs


def resolve_components(
    approach: str,
    components: list[str] | None,
    recommendation: Recommendation | None,
) -> list[str]:
    """The base paths to compose, in canonical order, validated."""
    if approach not in APPROACHES:
        raise ScaffoldError(
            f"Unknown approach {approach!r}. Choose one of: {', '.join(APPROACHES)}."
        )
    if approach != "hybrid":
        if components and sorted(set(components)) != [approach]:
            raise ScaffoldError(
                f"--components only applies to 'hybrid' (got {', '.join(components)} "
                f"with approach {approach!r})."
            )
        return [approach]
    chosen = list(components or [])
    if not chosen and recommendation is not None and len(recommendation.components) >= 2:
        chosen = list(recommendation.components)
    if not chosen:
        hint = ""
        if recommendation is not None:
            hint = f" The recommendation is {recommendation.approach!r}, not a hybrid."
        raise ScaffoldError(
            "A hybrid needs two or more components, e.g. --components rag,fine_tuning "
            "(or a recommendation that names them)." + hint
        )
    unknown = [c for c in chosen if c not in BASE_APPROACHES]
    if unknown:
        raise ScaffoldError(
            f"Unknown component(s) {', '.join(map(repr, unknown))}. "
            f"Choose from: {', '.join(BASE_APPROACHES)}."
        )
    ordered: list[str] = [c for c in BASE_APPROACHES if c in chosen]
    if len(ordered) < 2:
        raise ScaffoldError("A hybrid needs at least two different components.")
    return ordered


def _derive_check(criterion: str) -> dict[str, Any] | None:
    """A machine check for criteria that state one (word limit, citations)."""
    lowered = criterion.lower()
    match = re.search(r"(?:under|below|at most|less than|max(?:imum)?|<=?)\s*(\d{1,4})\s*words", lowered)
    if match:
        return {"type": "max_words", "value": int(match.group(1))}
    if re.search(r"\bcit(e|es|ed|ing|ation|ations)\b|\bsources?\b", lowered):
        return {"type": "cites_sources"}
    return None


def _eval_cases(
    profile: Profile, components: list[str], secrets: list[str]
) -> tuple[dict[str, Any], list[str], list[str]]:
    """The eval set seeded from the interview, plus the cleaned questions and criteria."""
    questions = [
        clean_text(q, max_chars=1000, secrets=secrets, multiline=False)
        for q in (profile.sample_questions or [])[:MAX_QUESTIONS]
    ]
    questions = [q for q in dict.fromkeys(questions) if q]
    criteria_text = [
        clean_text(c, max_chars=500, secrets=secrets, multiline=False)
        for c in (profile.success_criteria or [])[:MAX_CRITERIA]
    ]
    criteria_text = [c for c in dict.fromkeys(criteria_text) if c]

    criteria: list[dict[str, Any]] = []
    for i, text in enumerate(criteria_text, 1):
        item: dict[str, Any] = {"id": f"c{i}", "text": text, "origin": "interview"}
        check = _derive_check(text)
        if check:
            item["check"] = check
        criteria.append(item)
    defaults: list[tuple[str, dict[str, Any]]] = [
        ("The answer is not empty", {"type": "not_empty"}),
        ("The answer stays under 200 words", {"type": "max_words", "value": 200}),
    ]
    if "rag" in components:
        defaults.append(("The answer cites at least one source", {"type": "cites_sources"}))
    for text, check in defaults:
        criteria.append(
            {"id": f"c{len(criteria) + 1}", "text": text, "origin": "default", "check": check}
        )

    cases: list[dict[str, Any]] = []
    origin = "interview"
    seeds = questions
    if not seeds:
        origin = "placeholder"
        seeds = ["What can this assistant help me with?"]
    for i, question in enumerate(seeds, 1):
        case: dict[str, Any] = {
            "id": f"q{i}",
            "question": question,
            "origin": origin,
            "expected_keywords": [],
            "reference_answer": "",
        }
        if "rag" in components:
            case["expected_sources"] = []
        cases.append(case)
    if "rag" in components:
        cases.append(
            {
                "id": f"q{len(cases) + 1}",
                "question": "How do I add my own documents to the index?",
                "origin": "starter",
                "expected_keywords": ["docs"],
                "reference_answer": "",
                "expected_sources": ["docs/adding-documents.md"],
            }
        )
    data = {
        "project": {
            "summary": clean_text(profile.product_summary, max_chars=2000, secrets=secrets),
            "domain": clean_text(profile.domain, max_chars=200, secrets=secrets, multiline=False),
        },
        "success_criteria": criteria,
        "cases": cases,
    }
    return data, questions, criteria_text


def _names(profile: Profile, components: list[str], approach: str) -> tuple[str, str]:
    base = slugify(profile.domain, max_words=3, max_chars=30) or slugify(
        profile.product_summary, max_words=3, max_chars=30
    )
    suffix = "hybrid" if approach == "hybrid" else _SHORT[components[0]]
    name = f"{base}-{suffix}-starter" if base else f"llm-{suffix}-starter"
    return name, package_identifier(name)


def build_context(
    approach: str,
    profile: Profile,
    components: list[str],
    recommendation: Recommendation | None,
    settings: Settings,
) -> dict[str, Any]:
    """Everything the templates see. Strings that came from the user are already
    encoded for their destination (``*_md``) or are passed raw only to filters."""
    secrets = settings.secret_values()
    project_name, package = _names(profile, components, approach)
    cases, questions, criteria = _eval_cases(profile, components, secrets)
    label = " + ".join(APPROACH_LABELS[c] for c in components)
    rec_summary = ""
    rec_confidence: str = ""
    if recommendation is not None:
        rec_summary = md_inline(recommendation.summary, max_chars=3000, secrets=secrets)
        rec_confidence = f"{recommendation.confidence:.0%}"
        rec_label = APPROACH_LABELS.get(recommendation.approach, recommendation.approach)
        if recommendation.approach == "hybrid":
            rec_label += " (" + ", ".join(recommendation.components) + ")"
    else:
        rec_label = ""
    model = safe_model_name(settings.model, "gpt-4o-mini")
    return {
        "approach": approach,
        "components": components,
        "has_pe": "prompt_engineering" in components,
        "has_rag": "rag" in components,
        "has_ft": "fine_tuning" in components,
        "is_hybrid": len(components) > 1,
        "approach_label": label,
        "project_name": project_name,
        "package": package,
        "cli_name": project_name,
        "domain_md": md_inline(profile.domain, max_chars=200, secrets=secrets),
        "summary_md": md_inline(profile.product_summary, secrets=secrets),
        "questions_md": [md_inline(q, secrets=secrets) for q in questions],
        "criteria_md": [md_inline(c, secrets=secrets) for c in criteria],
        "placeholder_questions": not questions,
        "rec_label": rec_label,
        "rec_summary_md": rec_summary,
        "rec_confidence": rec_confidence,
        "model": model,
        "base_url": safe_base_url(settings.openai_base_url),
        "description": f"{label} starter for {profile.domain}" if profile.domain else f"{label} starter",
        "title_text": clean_text(
            profile.domain or profile.product_summary or "LLM feature", max_chars=60,
            secrets=secrets, multiline=False,
        ),
        "cases": cases,
        "secrets": secrets,
    }


# --------------------------------------------------------------------------- rendering


def locate_prototypes(
    repo_dir: Path = REPO_PROTOTYPES_DIR, package: str = "agent"
) -> Path:
    """The folder holding the templates: the checkout's copy, else the packaged one.

    A source checkout (editable install) uses ``prototypes/`` next to the package,
    so template edits show at once; a regular install finds the copy shipped in
    the wheel through :mod:`importlib.resources` (``<package>/_prototypes``).
    """
    if (repo_dir / "shared").is_dir():
        return repo_dir
    try:
        packaged = resources.files(package) / PACKAGED_PROTOTYPES
    except ModuleNotFoundError:
        packaged = None
    # Wheels install as plain folders, so the resource is a real directory on disk.
    if packaged is not None and isinstance(packaged, Path) and (packaged / "shared").is_dir():
        return packaged
    raise ScaffoldError(
        f"The starter-project templates are missing: neither {repo_dir} nor the packaged "
        f"{package}/{PACKAGED_PROTOTYPES} exists. Reinstall llm-approach-advisor "
        "(pip install --force-reinstall llm-approach-advisor) or run from a source checkout."
    )


@lru_cache(maxsize=1)
def prototypes_dir() -> Path:
    """:func:`locate_prototypes`, looked up once per process."""
    return locate_prototypes()


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(prototypes_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.do"],
    )
    env.filters["py"] = py_literal
    env.filters["toml"] = toml_string
    env.filters["md"] = md_inline
    return env


@lru_cache(maxsize=8)
def _part_files(part: str) -> tuple[str, ...]:
    """Template-relative paths of one part (files under ``_*`` folders are includes)."""
    templates = prototypes_dir()
    root = templates / part
    if not root.is_dir():
        raise ScaffoldError(f"Template part {part!r} is missing from {templates}.")
    found = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(templates)
        if path.is_file() and not any(p.startswith("_") and p != PACKAGE_PLACEHOLDER
                                      for p in rel.parts[1:]):
            if "__pycache__" in rel.parts:
                continue
            found.append(rel.as_posix())
    return tuple(found)


def _data_files(context: dict[str, Any], profile: Profile, report_markdown: str | None,
                recommendation: Recommendation | None) -> dict[str, str]:
    """Files written from data (not templates): YAML/JSON via the safe dumpers."""
    secrets = context["secrets"]
    files: dict[str, str] = {
        "eval/cases.yaml": yaml_dump(
            context["cases"],
            header="# Eval set seeded from the interview. Add cases, expected keywords and\n"
            "# reference answers; `check` makes a criterion machine-scored offline.\n",
        ),
    }
    if report_markdown:
        report = md_document(report_markdown, secrets=secrets)
    else:
        lines = ["# Decision report", ""]
        if recommendation is not None:
            lines.append(f"**Recommended:** {md_inline(context['rec_label'])}")
            lines.append("")
            lines.append(f"> {context['rec_summary_md']}")
        else:
            lines.append("No decision report was attached when this project was generated.")
        report = "\n".join(lines) + "\n"
    files["docs/decision-report.md"] = report
    questions = [c["question"] for c in context["cases"]["cases"] if c["origin"] == "interview"]
    if context["has_pe"]:
        files["prompts/examples.yaml"] = yaml_dump(
            {"examples": [{"input": q, "ideal_output": ""} for q in questions]},
            header="# Few-shot examples. Fill in ideal_output; examples without one are skipped.\n",
        )
    if context["has_ft"]:
        rows = [json_line({"question": q, "answer": ""}) for q in questions]
        files["data/examples.jsonl"] = "".join(r + "\n" for r in rows)
    return files


@dataclass(frozen=True)
class RenderedProject:
    """A whole project rendered in memory, with the names it was rendered under."""

    files: dict[str, str]
    project_name: str
    package: str
    components: list[str]


def render_project(
    approach: str,
    profile: Profile | None,
    *,
    components: list[str] | None = None,
    recommendation: Recommendation | None = None,
    report_markdown: str | None = None,
    settings: Settings | None = None,
) -> RenderedProject:
    """Render the whole project in memory (the one set-up behind the folder and the zip)."""
    settings = settings or get_settings()
    profile = profile or Profile.model_validate({})
    chosen = resolve_components(approach, components, recommendation)
    context = build_context(approach, profile, chosen, recommendation, settings)
    files = _render_parts(context, chosen)
    for rel, text in _data_files(context, profile, report_markdown, recommendation).items():
        if rel in files:
            raise ScaffoldError(f"A template and a data file both write {rel}.")
        files[rel] = text
    _check_output(files, context["secrets"])
    return RenderedProject(
        files=dict(sorted(files.items())),
        project_name=context["project_name"],
        package=context["package"],
        components=chosen,
    )


def render_files(
    approach: str,
    profile: Profile | None,
    *,
    components: list[str] | None = None,
    recommendation: Recommendation | None = None,
    report_markdown: str | None = None,
    settings: Settings | None = None,
) -> dict[str, str]:
    """Render the whole project in memory: relative POSIX path -> text."""
    return render_project(
        approach,
        profile,
        components=components,
        recommendation=recommendation,
        report_markdown=report_markdown,
        settings=settings,
    ).files


def _render_parts(context: dict[str, Any], chosen: list[str]) -> dict[str, str]:
    """The template files of the shared part and each chosen path part."""
    env = _environment()
    files: dict[str, str] = {}
    for part in ("shared", *chosen):
        for template_path in _part_files(part):
            rel = template_path.split("/", 1)[1].replace(PACKAGE_PLACEHOLDER, context["package"])
            if rel.endswith(".j2"):
                rel = rel[: -len(".j2")]
                try:
                    text = env.get_template(template_path).render(context)
                except jinja2.TemplateError as exc:  # a template bug, not user input
                    raise ScaffoldError(f"Template {template_path} failed: {exc}") from exc
            else:
                text = (prototypes_dir() / template_path).read_text(encoding="utf-8")
            if rel in files:
                raise ScaffoldError(f"Two template parts both write {rel}.")
            files[rel] = text
    return files


def _check_output(files: dict[str, str], secrets: list[str]) -> None:
    """Last line of defence: safe relative paths and no secret anywhere."""
    for rel, text in files.items():
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or "\x00" in rel or not rel:
            raise ScaffoldError(f"Refusing unsafe output path {rel!r}.")
        for secret in secrets:
            if secret and secret in text:
                raise ScaffoldError(
                    f"Refusing to write {rel}: it would contain a secret (the API key)."
                )


def _next_commands(out_dir: Path, cli_name: str, has_rag: bool) -> list[str]:
    return [
        f"cd {out_dir} && python -m pip install -e '.[dev]'",
        f"{cli_name} index && {cli_name} eval" if has_rag else f"{cli_name} eval",
    ]


def scaffold_project(
    approach: str,
    profile: Profile | None,
    *,
    out_dir: Path | str,
    components: list[str] | None = None,
    recommendation: Recommendation | None = None,
    report_markdown: str | None = None,
    settings: Settings | None = None,
    force: bool = False,
) -> ScaffoldResult:
    """Write the starter project into ``out_dir``.

    An empty or new folder is always fine. A non-empty folder is refused, unless
    ``force`` is set and the folder holds our marker (a project generated here
    before): then it becomes exactly the new render, plus any files the user
    added. A non-empty folder without the marker is refused even with ``force``.
    """
    project = render_project(
        approach,
        profile,
        components=components,
        recommendation=recommendation,
        report_markdown=report_markdown,
        settings=settings,
    )
    files = project.files
    target = Path(out_dir).expanduser()
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} exists and is not a directory.")
    previous: list[str] = []
    if target.is_dir() and any(target.iterdir()):
        marker = read_marker(target)
        if marker is None:
            raise ScaffoldError(
                f"{target} is not empty and was not generated by `advisor scaffold` (it has no "
                f"{MARKER_FILE}). Nothing was changed; --force only replaces a project generated "
                "earlier. Choose an empty or new directory."
            )
        if not force:
            raise ScaffoldError(
                f"{target} is not empty: it holds a project generated earlier "
                f"({marker.get('approach', '?')}). Pass --force to replace it with the new "
                "render, or choose an empty directory."
            )
        previous = list(marker["files"])
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScaffoldError(f"Cannot create {target}: {exc.strerror or exc}.") from exc
    root = target.resolve()
    stale = sorted(set(previous) - set(files))
    # Check every destination before writing anything, so a refusal leaves no partial project.
    for rel in files:
        if not (root / rel).resolve().is_relative_to(root):
            raise ScaffoldError(f"Refusing to write outside {root}: {rel}.")
    for rel in stale:
        if not (root / rel).parent.resolve().is_relative_to(root):
            raise ScaffoldError(f"Refusing to remove a file outside {root}: {rel}.")
    # Until the render is complete the marker lists old and new files, so an interrupted
    # run can still be replaced cleanly by the next --force.
    _write_marker(root, project, approach, sorted(set(previous) | set(files)))
    _remove_previous(root, stale)
    for rel, text in files.items():
        dest = (root / rel).resolve()
        if not dest.is_relative_to(root):
            raise ScaffoldError(f"Refusing to write outside {root}: {rel}.")
        dest.parent.mkdir(parents=True, exist_ok=True)
        # Re-check after creating parents: a symlinked folder must not lead outside.
        if not dest.parent.resolve().is_relative_to(root) or dest.is_symlink():
            raise ScaffoldError(f"Refusing to write through a link: {rel}.")
        dest.write_text(text, encoding="utf-8", newline="\n")
    _write_marker(root, project, approach, list(files))
    return ScaffoldResult(
        out_dir=root,
        files=list(files),
        next_commands=_next_commands(root, project.project_name, "rag" in project.components),
        project_name=project.project_name,
        package=project.package,
        components=project.components,
    )


def _advisor_version() -> str:
    try:
        return metadata.version(_MARKER_GENERATOR)
    except metadata.PackageNotFoundError:
        return "unknown"


def _write_marker(
    root: Path, project: RenderedProject, approach: str, files: list[str]
) -> None:
    marker = root / MARKER_FILE
    if marker.is_symlink():
        raise ScaffoldError(f"Refusing to write through a link: {MARKER_FILE}.")
    data = {
        "generator": _MARKER_GENERATOR,
        "format": _MARKER_FORMAT,
        "version": _advisor_version(),
        "approach": approach,
        "components": project.components,
        "project_name": project.project_name,
        "files": sorted(files),
    }
    marker.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8", newline="\n")


def _is_safe_relative(rel: object) -> bool:
    if not isinstance(rel, str) or not rel or "\x00" in rel or "\\" in rel:
        return False
    pure = PurePosixPath(rel)
    return not pure.is_absolute() and ".." not in pure.parts and rel != MARKER_FILE


def read_marker(directory: Path | str) -> dict[str, Any] | None:
    """The marker of a folder :func:`scaffold_project` wrote, or None when it has none.

    A marker that is there but unreadable, from another tool, or that lists an
    unsafe path raises :class:`ScaffoldError`: the folder is then not trusted.
    """
    path = Path(directory) / MARKER_FILE
    if path.is_symlink() or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScaffoldError(
            f"{path} is unreadable ({exc}); not replacing {directory}. "
            "Choose an empty or new directory."
        ) from None
    files = data.get("files") if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or data.get("generator") != _MARKER_GENERATOR
        or not isinstance(files, list)
        or not all(_is_safe_relative(rel) for rel in files)
    ):
        raise ScaffoldError(
            f"{path} is not a valid advisor scaffold marker; not replacing {directory}. "
            "Choose an empty or new directory."
        )
    return data


def _remove_previous(root: Path, stale: list[str]) -> None:
    """Delete files of the previous render the new one does not have, then empty folders.

    Only what the marker lists goes, plus the bytecode Python compiled from it;
    anything the user added stays (a folder with user files is not removed).
    """
    folders: set[Path] = set()
    for rel in stale:
        path = root / rel
        if path.is_symlink() or path.is_file():
            path.unlink()
        if path.suffix == ".py":
            cache = path.parent / "__pycache__"
            for compiled in cache.glob(f"{path.stem}.*.pyc"):
                compiled.unlink()
            folders.add(cache)
        parent = path.parent
        while parent != root and parent.is_relative_to(root):
            folders.add(parent)
            parent = parent.parent
    # Deepest first, so a folder emptied by removing its sub-folder goes too.
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):  # not empty (user files) or already gone
            folder.rmdir()


def zip_files(files: dict[str, str], top: str) -> bytes:
    """A deterministic zip: sorted entries under ``top/``, fixed dates and modes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for rel in sorted(files):
            info = zipfile.ZipInfo(f"{top}/{rel}", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[rel].encode("utf-8"))
    return buffer.getvalue()


def scaffold_zip_bytes(
    approach: str,
    profile: Profile | None,
    *,
    components: list[str] | None = None,
    recommendation: Recommendation | None = None,
    report_markdown: str | None = None,
    settings: Settings | None = None,
) -> bytes:
    """The starter project as zip bytes (one top folder named after the project)."""
    project = render_project(
        approach,
        profile,
        components=components,
        recommendation=recommendation,
        report_markdown=report_markdown,
        settings=settings,
    )
    return zip_files(project.files, project.project_name)
