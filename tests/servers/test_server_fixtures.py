"""The server fixtures themselves: each server really runs, on loopback, and holds data."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.servers


def test_chroma_server_stores_and_queries_vectors(chroma_server) -> None:
    assert chroma_server.host == "127.0.0.1"
    assert chroma_server.heartbeat()
    chroma_server.wipe()
    client = chroma_server.client()
    collection = client.create_collection("fixture_check", embedding_function=None)
    collection.add(
        ids=["a", "b"],
        embeddings=[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
        documents=["alpha", "beta"],
    )
    # A second, independent client sees what the first wrote: it is a server, not a cache.
    other = chroma_server.client().get_collection("fixture_check", embedding_function=None)
    found = other.query(query_embeddings=[[0.9, 0.1, 0.0]], n_results=1)
    assert found["documents"] == [["alpha"]]
    chroma_server.wipe()
    assert list(chroma_server.client().list_collections()) == []


def test_postgres_server_runs_on_loopback_and_hosts_langgraph_checkpoints(
    postgres_server,
) -> None:
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver

    url = postgres_server.create_database("fixture")
    with psycopg.connect(url, autocommit=True) as conn:
        listen = conn.execute("SHOW listen_addresses").fetchone()
        assert listen == ("127.0.0.1",)
    with PostgresSaver.from_conn_string(url) as saver:
        saver.setup()
        # An empty thread has no checkpoint yet: the tables exist and answer.
        assert saver.get_tuple({"configurable": {"thread_id": "none"}}) is None
    # Databases are isolated from each other.
    other = postgres_server.create_database("fixture")
    assert other != url
