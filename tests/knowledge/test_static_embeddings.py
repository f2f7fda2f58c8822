"""The static local model: offline, package-shipped files, sensible vectors, clear failures."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from agent import embeddings
from agent.config import Settings
from agent.embeddings import (
    DEFAULT_LOCAL_MODEL,
    LOCAL_MODEL_ID,
    STATIC_DIMENSION,
    STATIC_MODEL_ID,
    EmbeddingUnavailable,
    MiniLMInt8EmbeddingFunction,
    StaticWordEmbeddingFunction,
    embedding_model_id,
    get_embedding_function,
    retrieval_mode,
    static_tokenizer_file,
    static_weights_file,
)


def _settings(mode: str) -> Settings:
    return Settings(_env_file=None, ADVISOR_EMBEDDINGS=mode)  # type: ignore[call-arg, arg-type]


def test_modes_resolve_and_name_their_collections() -> None:
    assert retrieval_mode(_settings("static")) == "static"
    assert retrieval_mode(_settings("minilm")) == "minilm"
    assert retrieval_mode(_settings("local")) == DEFAULT_LOCAL_MODEL
    assert embedding_model_id(_settings("static")) == STATIC_MODEL_ID
    assert embedding_model_id(_settings("minilm")) == LOCAL_MODEL_ID
    assert embedding_model_id(_settings("local")) == embedding_model_id(
        _settings(DEFAULT_LOCAL_MODEL)
    )
    assert isinstance(get_embedding_function(_settings("static")), StaticWordEmbeddingFunction)
    assert isinstance(get_embedding_function(_settings("minilm")), MiniLMInt8EmbeddingFunction)


def test_unknown_mode_is_rejected_by_settings() -> None:
    with pytest.raises(ValueError, match="ADVISOR_EMBEDDINGS"):
        _settings("word2vec")


def test_similar_sentences_are_closer_than_unrelated_ones() -> None:
    ef = StaticWordEmbeddingFunction()
    a, b, c = ef.encode(
        [
            "How much does it cost to fine-tune a language model?",
            "What is the price of fine-tuning a custom language model on our data?",
            "The cat slept on the warm windowsill all afternoon.",
        ]
    )
    assert float(a @ b) > float(a @ c) + 0.1


def test_vectors_are_unit_length_and_deterministic() -> None:
    ef = StaticWordEmbeddingFunction()
    texts = ["retrieval augmented generation", "", "x" * 5000, "🙂 émoji and accents"]
    first = ef.encode(texts)
    second = ef.encode(list(reversed(texts)))[::-1]
    assert first.shape == (4, STATIC_DIMENSION) and first.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(first, second, atol=1e-6)
    assert ef.encode([]).shape == (0, STATIC_DIMENSION)


def test_chromadb_protocol() -> None:
    ef = StaticWordEmbeddingFunction()
    assert not ef.is_legacy()
    assert ef.default_space() == "cosine"
    assert ef.name() == "advisor-wordllama-l2-256"
    rebuilt = StaticWordEmbeddingFunction.build_from_config(ef.get_config())
    vectors = rebuilt(["hello world"])
    assert len(vectors) == 1 and vectors[0].shape == (STATIC_DIMENSION,)


def test_model_files_ship_inside_the_wordllama_wheel() -> None:
    assert static_weights_file().stat().st_size > 10_000_000
    assert static_tokenizer_file().suffix == ".json"


def test_embedding_makes_no_network_call(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network is forbidden in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    encoder = embeddings._StaticEncoder()  # fresh: loads the files under the ban
    vectors = encoder.encode(["is anything downloaded?", "no"])
    assert vectors.shape == (2, STATIC_DIMENSION)
    assert attempts == []


def test_wordllama_package_code_is_never_imported() -> None:
    # WordLlama.load() would try Hugging Face; only the data files are read.
    code = (
        "import sys; from agent.embeddings import StaticWordEmbeddingFunction as S; "
        "S().encode(['x']); print('wordllama' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_weights_file_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "wordllama"
    (package / "tokenizers").mkdir(parents=True)
    (package / "tokenizers" / "l2_supercat_tokenizer_config.json").write_text("{}")
    monkeypatch.setattr(embeddings, "_wordllama_dirs", lambda: [package])
    with pytest.raises(EmbeddingUnavailable) as caught:
        embeddings._StaticEncoder().encode(["hello"])
    message = str(caught.value)
    assert "weights missing" in message
    assert "l2_supercat_256.safetensors" in message
    assert "ADVISOR_EMBEDDINGS=minilm" in message


def test_damaged_weights_file_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "wordllama"
    (package / "weights").mkdir(parents=True)
    (package / "weights" / "l2_supercat_256.safetensors").write_bytes(b"not safetensors")
    (package / "tokenizers").mkdir()
    (package / "tokenizers" / "l2_supercat_tokenizer_config.json").write_text("{}")
    monkeypatch.setattr(embeddings, "_wordllama_dirs", lambda: [package])
    with pytest.raises(EmbeddingUnavailable, match="cannot load the static embedding model"):
        embeddings._StaticEncoder().encode(["hello"])


def test_missing_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "wordllama" else real(name, *a),
    )
    with pytest.raises(EmbeddingUnavailable, match="wordllama is not installed"):
        static_weights_file()
