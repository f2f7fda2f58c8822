"""Cost and effort model: monthly run cost and one-off cost per option.

It uses the product manager's own numbers (monthly requests, prompt size, corpus
size, labelled examples, update frequency) and the dated, sourced prices in
``agent/data/prices.json`` (override with ``ADVISOR_PRICES_FILE``). Every
:class:`CostLine` carries its arithmetic in ``formula`` so the PM can check it.

Optional extra profile fields refine the estimate when present:
``prompt_tokens``, ``output_tokens``, ``corpus_tokens`` and ``corpus_pages``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from agent.profile import Approach, Profile
from agent.recommendation import CostEstimate, CostLine

DEFAULT_PRICES_FILE = Path(__file__).resolve().parent / "data" / "prices.json"


class PriceTable:
    """Prices and default assumptions, each with a source line."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.as_of: str = str(data.get("as_of", "unknown date"))
        self.prices: dict[str, dict[str, Any]] = data.get("prices", {})
        self.assumptions: dict[str, dict[str, Any]] = data.get("assumptions", {})
        self.effort: dict[str, dict[str, Any]] = data.get("effort_weeks", {})
        self.origin: str = str(data.get("_origin", "built-in"))

    def price(self, key: str) -> float:
        """A price value by key."""
        return float(self.prices[key]["value"])

    def assume(self, key: str) -> float:
        """A default assumption by key."""
        return float(self.assumptions[key]["value"])

    def source(self, key: str) -> str:
        """Where a price or assumption comes from."""
        entry = self.prices.get(key) or self.assumptions.get(key) or {}
        return str(entry.get("source", "unknown"))


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


@lru_cache(maxsize=8)
def _load(path: str | None) -> PriceTable:
    data = json.loads(DEFAULT_PRICES_FILE.read_text(encoding="utf-8"))
    if path:
        try:
            override = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"Cannot read prices file {path}: {exc}") from None
        if not isinstance(override, dict):
            raise ValueError(f"Prices file {path} must hold a JSON object.")
        data = _merge(data, override)
        data["_origin"] = path
    return PriceTable(data)


def load_prices(path: str | Path | None = None) -> PriceTable:
    """The price table: built-in, merged with ``path`` or ``ADVISOR_PRICES_FILE``."""
    if path is None:
        from agent.config import get_settings

        configured = get_settings().prices_file
        path = str(configured) if configured else None
    return _load(str(path) if path else None)


def _usd(x: float) -> str:
    return f"${x:,.2f}" if x < 100 else f"${x:,.0f}"


def _n(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() or x >= 100 else f"{x:g}"


class _Inputs:
    """The numbers one estimate uses, with the assumptions that filled the gaps."""

    def __init__(self, profile: Profile, table: PriceTable) -> None:
        self.notes: list[str] = []
        extra = profile.model_extra or {}

        def num(name: str, default_key: str) -> float:
            value = extra.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
                return float(value)
            return table.assume(default_key)

        if profile.monthly_requests is not None:
            self.requests = float(profile.monthly_requests)
        else:
            self.requests = table.assume("monthly_requests")
            self.notes.append(f"Volume unknown: assumed {_n(self.requests)} requests/month.")
        self.prompt = num("prompt_tokens", "prompt_tokens")
        self.output = num("output_tokens", "output_tokens")
        self.rag_ctx = table.assume("rag_context_tokens")
        self.tuned_prompt = table.assume("tuned_prompt_tokens")
        pages = extra.get("corpus_pages")
        if isinstance(extra.get("corpus_tokens"), int | float) and not isinstance(
            extra.get("corpus_tokens"), bool
        ):
            self.corpus = float(extra["corpus_tokens"])
        elif isinstance(pages, int | float) and not isinstance(pages, bool):
            self.corpus = float(pages) * table.assume("tokens_per_page")
        elif profile.corpus_size == "fits_in_prompt":
            self.corpus = table.assume("corpus_tokens_fits_in_prompt")
            self.notes.append(f"Corpus size not given: assumed {_n(self.corpus)} tokens (fits in prompt).")
        elif profile.corpus_size == "none":
            self.corpus = 0.0
        else:
            self.corpus = table.assume("corpus_tokens_large")
            self.notes.append(f"Corpus size not given: assumed {_n(self.corpus)} tokens.")
        if profile.labeled_examples is not None and profile.labeled_examples >= 10:
            self.examples = float(profile.labeled_examples)
        else:
            self.examples = table.assume("examples_if_unknown")
            self.notes.append(
                f"Training set priced at {_n(self.examples)} examples (you have "
                f"{profile.labeled_examples if profile.labeled_examples is not None else 'an unknown number'})."
            )
        self.dynamics = profile.data_dynamics
        self.self_hosted = profile.privacy == "self_hosted"


def _llm_lines(label: str, requests: float, tokens_in: float, tokens_out: float,
               price_in: float, price_out: float) -> list[CostLine]:
    cost_in = requests * tokens_in * price_in / 1e6
    cost_out = requests * tokens_out * price_out / 1e6
    return [
        CostLine(item=f"{label}: input tokens", amount_usd=round(cost_in, 2),
                 formula=f"{_n(requests)} requests x {_n(tokens_in)} tokens x ${price_in}/1M"),
        CostLine(item=f"{label}: output tokens", amount_usd=round(cost_out, 2),
                 formula=f"{_n(requests)} requests x {_n(tokens_out)} tokens x ${price_out}/1M"),
    ]


def _engineering(table: PriceTable, approach: str) -> CostLine:
    weeks = float(table.effort.get(approach, {}).get("weeks", 4))
    rate = table.price("engineer_week")
    return CostLine(item="Build and evaluate a first version", amount_usd=round(weeks * rate, 2),
                    formula=f"{_n(weeks)} engineer-weeks x {_usd(rate)}/week")


def _prompting(inp: _Inputs, t: PriceTable, fits: bool) -> CostEstimate:
    monthly = _llm_lines("Hosted model", inp.requests, inp.prompt, inp.output,
                         t.price("base_input_per_1m"), t.price("base_output_per_1m"))
    if fits and inp.corpus > 0:
        cached_price = t.price("base_input_per_1m") * (1 - t.price("prompt_cache_discount"))
        cost = inp.requests * inp.corpus * cached_price / 1e6
        monthly.append(CostLine(
            item="Whole corpus in the prompt (cached)", amount_usd=round(cost, 2),
            formula=(f"{_n(inp.requests)} requests x {_n(inp.corpus)} tokens x "
                     f"${t.price('base_input_per_1m')}/1M x (1 - {t.price('prompt_cache_discount')} cache discount)")))
    return _estimate("prompt_engineering", monthly, [_engineering(t, "prompt_engineering")], t,
                     ["Prompt design and evals", "Domain expertise to write examples"])


def _retrieval_lines(inp: _Inputs, t: PriceTable, *, big: bool) -> tuple[list[CostLine], list[CostLine]]:
    emb = t.price("embedding_per_1m")
    q_tokens = t.assume("query_embedding_tokens")
    monthly = [CostLine(item="Query embeddings", amount_usd=round(inp.requests * q_tokens * emb / 1e6, 2),
                        formula=f"{_n(inp.requests)} requests x {_n(q_tokens)} tokens x ${emb}/1M")]
    if inp.dynamics == "dynamic":
        churn = t.assume("corpus_churn_dynamic")
        amount = inp.corpus * churn * 30 * emb / 1e6
        monthly.append(CostLine(item="Re-embedding changed documents", amount_usd=round(amount, 2),
                                formula=f"{_n(inp.corpus)} tokens x {churn} changed/day x 30 days x ${emb}/1M"))
    elif inp.dynamics == "periodic":
        churn = t.assume("corpus_churn_periodic")
        amount = inp.corpus * churn * emb / 1e6
        monthly.append(CostLine(item="Re-embedding changed documents", amount_usd=round(amount, 2),
                                formula=f"{_n(inp.corpus)} tokens x {churn} changed/month x ${emb}/1M"))
    if inp.self_hosted:
        key, label = "vector_db_self_hosted_monthly", "Vector store (self-hosted Chroma/pgvector)"
    elif big:
        key, label = "vector_db_standard_monthly", "Vector store (managed, standard tier)"
    else:
        key, label = "vector_db_small_monthly", "Vector store (managed, small tier)"
    monthly.append(CostLine(item=label, amount_usd=t.price(key), formula=f"flat {_usd(t.price(key))}/month"))
    one_off = [CostLine(item="Embed the corpus once", amount_usd=round(inp.corpus * emb / 1e6, 2),
                        formula=f"{_n(inp.corpus)} tokens x ${emb}/1M")]
    return monthly, one_off


def _rag(inp: _Inputs, t: PriceTable) -> CostEstimate:
    monthly = _llm_lines("Hosted model", inp.requests, inp.prompt + inp.rag_ctx, inp.output,
                         t.price("base_input_per_1m"), t.price("base_output_per_1m"))
    r_monthly, r_once = _retrieval_lines(inp, t, big=inp.corpus > 5e6)
    return _estimate("rag", monthly + r_monthly, r_once + [_engineering(t, "rag")], t,
                     ["Document pipeline (parsing, chunking)", "Retrieval evaluation",
                      "A managed RAG service needs no ML skills"])


def _tuning_lines(inp: _Inputs, t: PriceTable, prompt_tokens: float) -> tuple[list[CostLine], list[CostLine]]:
    hours = t.assume("hours_per_month")
    rate = t.price("tuned_hosting_per_hour")
    host_label = ("Dedicated GPU for the open-weight model (priced at the Azure hosting rate)"
                  if inp.self_hosted else "Tuned model hosting (Azure Standard)")
    monthly = [CostLine(item=host_label, amount_usd=round(hours * rate, 2),
                        formula=f"{_n(hours)} hours x ${rate}/hour")]
    monthly += _llm_lines("Tuned model", inp.requests, prompt_tokens, inp.output,
                          t.price("tuned_input_per_1m"), t.price("tuned_output_per_1m"))
    train_key = "training_open_weight_per_1m" if inp.self_hosted else "training_hosted_per_1m"
    train_price = t.price(train_key)
    epochs = t.assume("epochs")
    per_ex = t.assume("tokens_per_example")
    run = inp.examples * per_ex * epochs * train_price / 1e6
    run_formula = f"{_n(inp.examples)} examples x {_n(per_ex)} tokens x {_n(epochs)} epochs x ${train_price}/1M"
    retrains = {"dynamic": t.assume("retrains_per_month_dynamic"),
                "periodic": t.assume("retrains_per_month_periodic")}.get(inp.dynamics or "", 0.0)
    if retrains:
        monthly.append(CostLine(item="Retraining to keep up with changes", amount_usd=round(run * retrains, 2),
                                formula=f"{retrains:g} runs/month x ({run_formula})"))
    one_off = [CostLine(item="Training run", amount_usd=round(run, 2), formula=run_formula)]
    return monthly, one_off


def _fine_tuning(inp: _Inputs, t: PriceTable) -> CostEstimate:
    monthly, once = _tuning_lines(inp, t, inp.tuned_prompt)
    return _estimate("fine_tuning", monthly, once + [_engineering(t, "fine_tuning")], t,
                     ["Training-data curation (JSONL chat examples)", "LoRA/PEFT or a hosted tuning service",
                      "Evals comparing tuned model with the prompting baseline", "Model hosting and MLOps"])


def _hybrid(inp: _Inputs, t: PriceTable, components: list[str]) -> CostEstimate:
    if "rag" not in components:
        # Prompt + fine-tuning: the tuned model reads the whole reference material each time.
        monthly, once = _tuning_lines(inp, t, inp.tuned_prompt + inp.corpus)
        return _estimate("hybrid", monthly, once + [_engineering(t, "hybrid")], t,
                         ["Long-context prompt design and prompt caching", "Everything fine-tuning needs",
                          "Evals that separate missing facts from behaviour errors"])
    monthly, once = _tuning_lines(inp, t, inp.tuned_prompt + inp.rag_ctx)
    r_monthly, r_once = _retrieval_lines(inp, t, big=inp.corpus > 5e6)
    return _estimate("hybrid", monthly + r_monthly, once + r_once + [_engineering(t, "hybrid")], t,
                     ["Everything RAG needs", "Everything fine-tuning needs",
                      "Evals that separate retrieval errors from style errors"])


def _estimate(approach: Approach, monthly: list[CostLine], one_off: list[CostLine],
              t: PriceTable, skills: list[str]) -> CostEstimate:
    effort = t.effort.get(approach, {})
    return CostEstimate(
        approach=approach,
        monthly_usd=round(sum(c.amount_usd for c in monthly), 2),
        one_off_usd=round(sum(c.amount_usd for c in one_off), 2),
        monthly_lines=monthly,
        one_off_lines=one_off,
        time_to_first_version_weeks=str(effort.get("first_version", "")),
        skills_needed=skills,
    )


def estimate_costs(profile: Profile, *, include_hybrid: bool = True,
                   table: PriceTable | None = None,
                   hybrid_components: list[str] | None = None) -> list[CostEstimate]:
    """Cost estimates for prompting, RAG, fine-tuning and the hybrid.

    The hybrid is RAG + fine-tuning unless ``hybrid_components`` says otherwise
    (prompt engineering + fine-tuning keeps the reference material in the prompt).
    """
    t = table or load_prices()
    inp = _Inputs(profile, t)
    fits = profile.corpus_size == "fits_in_prompt"
    estimates = [_prompting(inp, t, fits), _rag(inp, t), _fine_tuning(inp, t)]
    if include_hybrid:
        estimates.append(_hybrid(inp, t, hybrid_components or ["rag", "fine_tuning"]))
    common = [f"Prices as of {t.as_of} ({t.origin}); override with ADVISOR_PRICES_FILE."]
    common += inp.notes
    common.append(
        f"Per request: {_n(inp.prompt)} prompt tokens, {_n(inp.output)} output tokens, "
        f"{_n(inp.rag_ctx)} retrieved tokens for RAG, {_n(inp.tuned_prompt)} prompt tokens for a tuned model."
    )
    for est in estimates:
        est.notes = list(common)
        if est.approach == "fine_tuning" and fits:
            est.notes.append("A tuned model still needs the corpus in its prompt if it must quote it.")
    return estimates


def assumption_sources(table: PriceTable | None = None) -> list[tuple[str, str, str]]:
    """(name, value with unit, source) for every price and assumption, for the report."""
    t = table or load_prices()
    rows = []
    for group in (t.prices, t.assumptions):
        for key, entry in group.items():
            rows.append((key, f"{entry.get('value')} {entry.get('unit', '')}".strip(), str(entry.get("source", ""))))
    return rows
