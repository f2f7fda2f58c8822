"""Start a fine-tuning job on an OpenAI-compatible API. Dry run unless asked.

Where fine-tuning is still offered changes: see the README before launching.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .llm import LLMError, OpenAIChat
from .settings import Settings, load_settings


@dataclass
class LaunchPlan:
    """What would be (or was) sent."""

    base_model: str
    train_file: Path
    val_file: Path | None
    epochs: int
    dry_run: bool
    job_id: str | None = None
    status: str = "planned"


def launch_job(train_file: Path, val_file: Path | None, *, base_model: str, epochs: int = 3,
               dry_run: bool = True, settings: Settings | None = None, client: Any = None
               ) -> LaunchPlan:
    """Upload the files and create the job; with ``dry_run`` only return the plan."""
    plan = LaunchPlan(base_model, train_file, val_file, epochs, dry_run)
    if not train_file.is_file():
        raise FileNotFoundError(f"training file not found: {train_file}")
    if dry_run:
        return plan
    settings = settings or load_settings()
    if client is None:
        if not settings.api_key:
            raise LLMError("set OPENAI_API_KEY (and OPENAI_BASE_URL) to launch a job")
        client = OpenAIChat(settings).client()
    with train_file.open("rb") as handle:
        train = client.files.create(file=handle, purpose="fine-tune")
    val_id = None
    if val_file is not None:
        with val_file.open("rb") as handle:
            val_id = client.files.create(file=handle, purpose="fine-tune").id
    job = client.fine_tuning.jobs.create(
        model=base_model, training_file=train.id, validation_file=val_id,
        hyperparameters={"n_epochs": epochs},
    )
    plan.job_id, plan.status = job.id, str(job.status)
    return plan
