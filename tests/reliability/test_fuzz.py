"""Hypothesis fuzzing of every user-facing entry point: no traceback ever reaches the user.

Targets: profile loading (``parse_profile``), ``advisor recommend --profile FILE``
(fuzzed JSON and bytes), ``advisor recommend --text``, ``advisor ask``,
``advisor chat`` (the CLI over the service), the chat turn (``Advisor.send``) and
uploads (``add_user_document``). Each runs at least 500 examples (derandomized,
so a run is reproducible); the number actually executed is counted and written
to the reliability figures. The CLI runs in-process through typer's CliRunner
for speed; the process-level behaviour is covered by the crash and server tests.

Oracles are strict: a valid profile must be accepted (exit 0) and an invalid one
rejected with a non-zero exit and a message; a CLI call never ends in an
exception other than SystemExit; the service returns a TurnResult or raises one
of the product's own documented errors with a readable message.
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.profile import DECISION_FIELDS, DESCRIPTIVE_FIELDS, Profile, ProfileError, parse_profile
from tests.support.cli import assert_no_traceback

EXAMPLES = 500
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
FIELDS = (*DECISION_FIELDS, *DESCRIPTIVE_FIELDS)


class Counter:
    """Counts executed examples and clean outcomes for the figures file."""

    def __init__(self) -> None:
        self.run = 0
        self.clean = 0

    def check(self, fn: Callable[[], None]) -> None:
        self.run += 1
        fn()
        self.clean += 1


def _record(figures: Any, key: str, counter: Counter, detail: str) -> None:
    assert counter.run >= EXAMPLES, f"only {counter.run} examples ran for {key}"
    figures.record("fuzz", key, run=counter.run, passed=counter.clean, unit="examples",
                   detail=detail)


# --------------------------------------------------------------------------- strategies

# Text a user could paste: anything unicode, control characters, surrogate-free.
any_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=300
)
wordy_text = st.lists(
    st.sampled_from(
        [
            "rag", "fine-tuning", "prompt", "budget", "low", "high", "daily", "static",
            "citations", "insurance", "10000", "requests", "self-hosted", "cloud", "skip",
            "just tell me", "/recommend", "no", "yes", "labelled", "examples", "0", "-1",
            "1e309", "NaN", "null", "{", "}", "\"", "'", "\\", "\x00", "\u202e", "😀",
        ]
    ),
    max_size=40,
).map(" ".join)
user_text = st.one_of(any_text, wordy_text, st.just(""), st.just(" \n\t "))

json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False), st.text(max_size=40),
)
json_value = st.recursive(
    json_scalar,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def _field_value(field: str) -> st.SearchStrategy[Any]:
    """Plausible and implausible values for one profile field."""
    from agent.profile import allowed_values

    options = allowed_values(field)
    plausible: st.SearchStrategy[Any] = (
        st.sampled_from(options) if options else st.one_of(st.integers(0, 10**7), st.text(max_size=30))
    )
    return st.one_of(plausible, json_value)


profile_dicts = st.one_of(
    st.fixed_dictionaries({}, optional={f: _field_value(f) for f in FIELDS}),
    st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=12)), json_value, max_size=6),
    json_value,
)


def _profile_file_bytes() -> st.SearchStrategy[bytes]:
    return st.one_of(
        profile_dicts.map(lambda d: json.dumps(d).encode()),
        st.binary(max_size=300),
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
        profile_dicts.map(lambda d: json.dumps(d).encode()[:-1]),  # truncated JSON
    )


def _expected_profile(raw: bytes) -> Profile | None:
    """What the file means: a Profile, or None when it is not a valid profile."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    try:
        return parse_profile(data)
    except ProfileError:
        return None


# --------------------------------------------------------------------------- CLI helper


def _cli() -> Any:
    from typer.testing import CliRunner

    from agent.cli import app

    return CliRunner(), app


def _assert_clean_cli(result: Any) -> str:
    """No exception escaped (only SystemExit), no traceback in any output; returns all output."""
    output = (result.stdout or "") + (getattr(result, "stderr", "") or "")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(
            f"{type(result.exception).__name__}: {result.exception} escaped the CLI; output:\n"
            f"{output[-1500:]}"
        ) from result.exception
    assert_no_traceback(output)
    return output


# --------------------------------------------------------------------------- targets


def test_fuzz_parse_profile(figures: Any) -> None:
    counter = Counter()

    @FUZZ
    @given(data=profile_dicts)
    def run(data: Any) -> None:
        def body() -> None:
            try:
                profile = parse_profile(data)
            except ProfileError as exc:
                message = str(exc)
                assert message.strip() and "Traceback" not in message
                assert len(message) < 20_000
            else:
                assert isinstance(profile, Profile)
                # A loaded profile's own fields survive a JSON save/load round trip.
                again = parse_profile(json.loads(json.dumps(profile.model_dump(mode="json"))))
                assert again.model_dump(include=set(FIELDS)) == profile.model_dump(
                    include=set(FIELDS)
                )

        counter.check(body)

    run()
    _record(figures, "profile loading (parse_profile)", counter,
            "fuzzed dicts, wrong types, unknown keys, non-dict JSON")


def test_fuzz_cli_recommend_profile_file(
    knowledge_index: Any, tmp_path: Path, figures: Any
) -> None:
    runner, app = _cli()
    counter = Counter()
    path = tmp_path / "profile.json"

    @FUZZ
    @given(raw=_profile_file_bytes())
    def run(raw: bytes) -> None:
        def body() -> None:
            path.write_bytes(raw)
            result = runner.invoke(app, ["recommend", "--profile", str(path), "--json"])
            output = _assert_clean_cli(result)
            expected = _expected_profile(raw)
            if expected is None:
                assert result.exit_code != 0, output[-1500:]
                assert output.strip(), "an invalid profile was rejected without a message"
            else:
                assert result.exit_code == 0, output[-1500:]
                payload = json.loads(result.stdout)
                assert payload, output[-500:]

        counter.check(body)

    run()
    _record(figures, "advisor recommend --profile FILE", counter,
            "fuzzed JSON files, binary, truncated JSON; invalid ones exit non-zero with a message")


def test_fuzz_cli_recommend_text(knowledge_index: Any, figures: Any) -> None:
    runner, app = _cli()
    counter = Counter()

    @FUZZ
    @given(text=user_text)
    def run(text: str) -> None:
        def body() -> None:
            result = runner.invoke(app, ["recommend", "--text", text])
            output = _assert_clean_cli(result)
            assert output.strip(), "no output at all"
            if result.exit_code != 0:
                assert len(output.strip()) > 10, output

        counter.check(body)

    run()
    _record(figures, "advisor recommend --text", counter, "unicode, control characters, keywords")


def test_fuzz_cli_ask(knowledge_index: Any, figures: Any) -> None:
    runner, app = _cli()
    counter = Counter()

    @FUZZ
    @given(question=user_text, k=st.one_of(st.none(), st.integers(-5, 200)), as_json=st.booleans())
    def run(question: str, k: int | None, as_json: bool) -> None:
        def body() -> None:
            args = ["ask", question]
            if k is not None:
                args += ["--k", str(k)]
            if as_json:
                args.append("--json")
            result = runner.invoke(app, args)
            output = _assert_clean_cli(result)
            if result.exit_code == 0 and as_json:
                payload = json.loads(result.stdout)
                assert isinstance(payload["results"], list)
            elif result.exit_code != 0:
                assert output.strip(), "failed without a message"

        counter.check(body)

    run()
    _record(figures, "advisor ask", counter, "fuzzed questions and --k values, text and --json")


def test_fuzz_cli_chat(knowledge_index: Any, figures: Any) -> None:
    runner, app = _cli()
    counter = Counter()
    session_ids = st.one_of(
        st.sampled_from(["fuzz-a", "fuzz-b", "fuzz-c"]),
        st.text(alphabet=string.printable, max_size=20),
    )

    @FUZZ
    @given(session=session_ids, message=user_text)
    def run(session: str, message: str) -> None:
        def body() -> None:
            result = runner.invoke(app, ["chat", "--session", session, "--message", message,
                                         "--json"])
            output = _assert_clean_cli(result)
            if result.exit_code == 0:
                payload = json.loads(result.stdout)
                assert payload["session"] == session
                assert isinstance(payload["reply"], str) and payload["reply"].strip()
            else:
                assert output.strip(), "failed without a message"

        counter.check(body)

    run()
    _record(figures, "advisor chat --session --message", counter,
            "fuzzed session ids and messages, one turn each")


def test_fuzz_chat_turn(figures: Any) -> None:
    from agent.service import Advisor

    advisor = Advisor(with_citations=False)
    counter = Counter()
    sessions = [advisor.new_session() for _ in range(3)]
    special = st.sampled_from(["skip", "/recommend", "just tell me", "Skip / don't know"])

    huge = st.builds(lambda n, t: (t or "x") * (n // max(len(t), 1) + 1),
                     st.integers(20_000, 40_000), st.text(min_size=1, max_size=20))

    # About one message in ten is oversized (20-40k characters; each costs ~1 s to read).
    mixed = st.integers(0, 9).flatmap(lambda i: huge if i == 0 else st.one_of(user_text, special))

    @FUZZ
    @given(which=st.integers(0, 2), message=mixed)
    def run(which: int, message: str) -> None:
        def body() -> None:
            if counter.run % 40 == 0:  # fresh sessions now and then: bounded history size
                sessions[:] = [advisor.new_session() for _ in range(3)]
            sid = sessions[which]
            before = len(advisor.view(sid).messages)
            result = advisor.send(sid, message)
            assert result.session == sid
            assert result.reply.strip(), "a turn ended with an empty reply"
            after = len(advisor.view(sid).messages)
            assert after >= before, "a turn lost earlier messages"
            # Answered questions may restart the interview, but the log only grows.

        counter.check(body)

    run()
    _record(figures, "chat turn (Advisor.send)", counter,
            "free text, commands, 20k-character messages, control characters")


def test_fuzz_upload(isolated_settings: Path, figures: Any) -> None:
    from agent.ingest import add_user_document

    counter = Counter()
    names = st.one_of(
        st.sampled_from(["notes.md", "policy.txt", "guide.pdf", "a.md", "image.png", "x"]),
        st.text(max_size=40),
        st.sampled_from(["../../escape.md", "/etc/passwd.md", "..\\..\\win.txt", "", ".md",
                         "a/b/c.md", "\x00.md", "CON.txt"]),
    )
    contents = st.one_of(
        st.binary(max_size=2000),
        any_text.map(lambda t: t.encode("utf-8")),
        wordy_text.map(lambda t: ("# Heading\n\n" + t).encode()),
        st.just(b""),
        st.just(b"%PDF-1.4\n%broken pdf\n"),
        st.just(b"\x89PNG\r\n\x1a\n" + bytes(range(256))),
    )
    outside = Path("/tmp/escape.md")
    existed = outside.exists()

    @FUZZ
    @given(name=names, data=contents)
    def run(name: str, data: bytes) -> None:
        def body() -> None:
            result = add_user_document(name, data)
            assert result.status in ("added", "skipped", "error"), result
            if result.status != "added":
                assert str(result.message).strip(), result
            assert_no_traceback(str(result.message))

        counter.check(body)

    run()
    assert outside.exists() == existed, "an upload name escaped to /tmp"
    _record(figures, "uploads (add_user_document)", counter,
            "binary, empty, broken PDF, hostile file names")


@pytest.mark.slow
def test_fuzz_chat_turn_long(figures: Any) -> None:
    """The long variant: 5,000 random (not derandomized) chat turns."""
    from agent.service import Advisor

    advisor = Advisor(with_citations=False)
    sid = advisor.new_session()
    counter = Counter()

    @settings(max_examples=5000, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(message=user_text)
    def run(message: str) -> None:
        counter.check(lambda: None if advisor.send(sid, message).reply.strip() else 1 / 0)

    run()
    figures.record("fuzz", "chat turn, long (slow marker)", run=counter.run,
                   passed=counter.clean, unit="examples", detail="random seed")
