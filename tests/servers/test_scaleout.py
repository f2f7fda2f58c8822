"""Scale-out mode against real servers: separate processes share one Chroma and one Postgres.

Each process gets its own, empty ``ADVISOR_DATA_DIR``, so the only thing they can
share is the servers: whatever one process sees of another's work came through
Chroma or PostgreSQL, not through a local file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import session_worker
from tests.support.cli import assert_no_traceback
from tests.support.knowledge import use_small_knowledge

pytestmark = pytest.mark.servers

KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"


def _env_with_data_dir(env: dict[str, str], data_dir: Path) -> dict[str, str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    return dict(env, ADVISOR_DATA_DIR=str(data_dir))


def test_index_built_by_one_process_is_searched_by_another(
    scaleout_env, chroma_server, advisor_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three knowledge documents keep the build short; both processes index the same set.
    knowledge = use_small_knowledge(
        tmp_path, monkeypatch, ("overview.md", "glossary.md", "fine_tuning.md")
    )
    scaleout_env = dict(scaleout_env, ADVISOR_KNOWLEDGE_DIR=str(knowledge))
    indexer_env = _env_with_data_dir(scaleout_env, tmp_path / "indexer")
    built = advisor_cli(["index"], env=indexer_env)
    assert built.returncode == 0, built.stdout + built.stderr
    assert_no_traceback(built.stdout, built.stderr)

    # The index lives on the server, not in the indexer's data directory.
    collections = list(chroma_server.client().list_collections())
    assert collections, "advisor index wrote nothing to the Chroma server"
    assert not (tmp_path / "indexer" / "chroma").exists()

    searcher_env = _env_with_data_dir(scaleout_env, tmp_path / "searcher")
    asked = advisor_cli(
        ["ask", "When is fine-tuning worth it over prompting?", "--k", "3", "--json"],
        env=searcher_env,
    )
    assert asked.returncode == 0, asked.stdout + asked.stderr
    payload = asked.json()
    assert payload["query"] == "When is fine-tuning worth it over prompting?"
    assert 1 <= len(payload["results"]) <= 3
    for result in payload["results"]:
        assert result["text"].strip()
        source = Path(result["source"]).name
        assert (knowledge / source).exists(), result["source"]
    assert not (tmp_path / "searcher" / "chroma").exists()


def test_session_started_in_one_process_continues_in_another(
    scaleout_env, postgres_server, advisor_cli, tmp_path: Path
) -> None:
    session = "shared-session-1"
    first_env = _env_with_data_dir(scaleout_env, tmp_path / "instance-a")
    second_env = _env_with_data_dir(scaleout_env, tmp_path / "instance-b")

    first = advisor_cli(
        ["chat", "--session", session, "--json", "--message",
         "We build a support bot for our insurance products; the policy documents "
         "change every day and answers must cite the source document."],
        env=first_env,
    )
    assert first.returncode == 0, first.stdout + first.stderr
    first_turn = first.json()
    assert first_turn["session"] == session
    from agent.profile import DECISION_FIELDS

    learned = {k: v for k, v in first_turn["profile"].items()
               if v is not None and k in DECISION_FIELDS}
    assert learned, "the first turn learned nothing from a fact-rich message"

    # The second process answers the question the first one asked, with its quick reply.
    question = first_turn["question"]
    assert question and first_turn["options"], first_turn
    answer = first_turn["options"][0]
    second = advisor_cli(
        ["chat", "--session", session, "--json", "--message", answer["label"]], env=second_env,
    )
    assert second.returncode == 0, second.stdout + second.stderr
    second_turn = second.json()
    assert second_turn["session"] == session
    # What the first process learned is there in the second, plus the answered field.
    for field, value in learned.items():
        assert second_turn["profile"].get(field) == value, field
    assert second_turn["profile"].get(question["field"]) == answer["value"], question
    assert second_turn["question"] is None or second_turn["question"]["field"] != question["field"]

    # Neither instance wrote a local session file: the sessions are in Postgres.
    for data_dir in (tmp_path / "instance-a", tmp_path / "instance-b"):
        assert not (data_dir / "sessions.sqlite").exists()
    import psycopg

    with psycopg.connect(scaleout_env["ADVISOR_DATABASE_URL"]) as conn:
        rows = conn.execute(
            "SELECT count(*) FROM checkpoints WHERE thread_id = %s", (session,)
        ).fetchone()
    assert rows is not None and rows[0] > 0

    # A third process (in-process service here) sees both turns in order.
    from agent.service import Advisor

    view = Advisor().view(session)
    user_lines = [m.content for m in view.messages if m.role == "user"]
    assert len(user_lines) == 2 and "insurance" in user_lines[0]
    assert user_lines[1] == answer["label"]


def test_twenty_sessions_in_parallel_against_the_servers(
    scaleout_env, tmp_path: Path, figures_recorder
) -> None:
    """4 processes x 5 threads = 20 sessions at once, 3 turns each, all through the servers."""
    processes, threads_each, turns = 4, 5, 3
    specs = [
        {"sessions": [f"srv-p{index}-s{n}" for n in range(threads_each)], "turns": turns}
        for index in range(processes)
    ]
    envs = [
        _env_with_data_dir(scaleout_env, tmp_path / f"instance-{index}")
        for index in range(processes)
    ]
    outcomes, _outputs = session_worker.run_workers(tmp_path, specs, envs, timeout=600)
    assert len(outcomes) == processes * threads_each
    held = session_worker.verify(outcomes, turns)
    figures_recorder.record(
        "concurrency", "servers: 4 processes x 5 threads (Chroma + Postgres)",
        run=len(outcomes), passed=held, unit="sessions",
        detail=f"{turns} turns each, no lost turn, no cross-session leak",
    )
