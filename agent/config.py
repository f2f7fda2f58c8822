"""Configuration: one settings object read from the environment and `.env`.

Every part of the product reads its configuration through :func:`get_settings`.
Tests change the environment with ``monkeypatch`` and call
``get_settings.cache_clear()`` (the root ``conftest.py`` does this for them).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """All runtime settings of the advisor.

    Names map to environment variables as written in each field's alias, so the
    documented variables (``OPENAI_API_KEY``, ``ADVISOR_DATA_DIR``...) work as-is.
    """

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    data_dir: Path = Field(
        default=Path(".advisor"),
        alias="ADVISOR_DATA_DIR",
        description="Where the Chroma index, sessions and generated files live.",
    )
    index_dir: Path | None = Field(
        default=None,
        alias="ADVISOR_INDEX_DIR",
        description="Embedded Chroma directory; defaults to DATA_DIR/chroma.",
    )
    knowledge_dir: Path = Field(
        default=Path(__file__).resolve().parent.parent / "knowledge",
        alias="ADVISOR_KNOWLEDGE_DIR",
        description="The Markdown decision material that is indexed.",
    )

    openai_api_key: SecretStr | None = Field(default=None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, alias="OPENAI_BASE_URL")
    model: str = Field(default="gpt-4o-mini", alias="ADVISOR_MODEL")
    embeddings: Literal["local", "minilm", "static", "openai"] = Field(
        default="local",
        alias="ADVISOR_EMBEDDINGS",
        description=(
            "local = the default local model (agent.embeddings.DEFAULT_LOCAL_MODEL); "
            "minilm = all-MiniLM-L6 int8 ONNX; static = static word vectors fused with BM25; "
            "openai = an OpenAI-compatible embeddings endpoint."
        ),
    )
    openai_embedding_model: str = Field(
        default="text-embedding-3-small", alias="ADVISOR_OPENAI_EMBEDDING_MODEL"
    )
    llm_timeout_s: float = Field(default=30.0, alias="ADVISOR_LLM_TIMEOUT")
    llm_max_retries: int = Field(default=2, alias="ADVISOR_LLM_RETRIES")
    llm_backoff_s: float = Field(
        default=0.5,
        alias="ADVISOR_LLM_BACKOFF",
        description="First retry delay in seconds; doubles per retry, capped at 8x.",
    )

    onnx_threads: int = Field(
        default=0,
        alias="ADVISOR_ONNX_THREADS",
        description="onnxruntime intra-op threads for local embeddings; 0 = min(cores, 4).",
    )

    chroma_host: str | None = Field(default=None, alias="CHROMA_HOST")
    chroma_port: int = Field(default=8000, alias="CHROMA_PORT")

    database_url: str | None = Field(
        default=None,
        alias="ADVISOR_DATABASE_URL",
        description="postgresql://... selects the Postgres checkpointer; unset uses SQLite.",
    )

    prices_file: Path | None = Field(
        default=None,
        alias="ADVISOR_PRICES_FILE",
        description="JSON file overriding agent/data/prices.json (same keys; missing keys fall back).",
    )

    similarity_extractor: bool = Field(
        default=True,
        alias="ADVISOR_SIMILARITY",
        description="Offline extractor also compares sentences with labelled paraphrases "
        "(agent/semantic.py); 0 keeps only the hand-written rules.",
    )

    reader_extractor: bool = Field(
        default=True,
        alias="ADVISOR_READER",
        description="Offline extractor also weighs a whole description with the trained reader "
        "(agent/reader.py) after the rules and the classifier; 0 turns it off.",
    )

    max_questions: int = Field(default=8, alias="ADVISOR_MAX_QUESTIONS")
    max_upload_bytes: int = Field(default=5_000_000, alias="ADVISOR_MAX_UPLOAD_BYTES")
    max_message_chars: int = Field(default=20_000, alias="ADVISOR_MAX_MESSAGE_CHARS")

    @field_validator("openai_api_key", mode="before")
    @classmethod
    def _blank_key_is_none(cls, value: object) -> object:
        # An empty OPENAI_API_KEY= line in .env means "no key", not "an empty key".
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("openai_base_url", "chroma_host", "database_url", "index_dir", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @property
    def llm_enabled(self) -> bool:
        """True when an API key is configured, so the LLM path is tried."""
        return self.openai_api_key is not None

    @property
    def chroma_path(self) -> Path:
        """Directory of the embedded Chroma index."""
        return self.index_dir or (self.data_dir / "chroma")

    @property
    def sessions_db(self) -> Path:
        """SQLite file that holds the LangGraph checkpoints."""
        return self.data_dir / "sessions.sqlite"

    def secret_values(self) -> list[str]:
        """Secrets that must never be written anywhere (logs, checkpoints, zips)."""
        if self.openai_api_key is None:
            return []
        return [self.openai_api_key.get_secret_value()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once from env and `.env`."""
    return Settings()
