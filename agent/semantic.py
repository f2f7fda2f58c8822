"""Sentence-level classifier: profile fields from phrasings the rules do not know.

The rules in :mod:`agent.extract` are precise, but they only know the phrasings someone
wrote down. People describe the same fact in endless ways ("auditors bounce one draft in
four for layout" is a format gap that survived prompting). This module compares each
sentence of a user's text with a set of labelled example sentences
(``agent/data/paraphrases/*.yaml``) in the embedding space of the bundled MiniLM model,
and lets the nearest ones vote (similarity-weighted k-nearest neighbours).

A field is filled only when the neighbours are close and agree; otherwise it stays unknown
and the interviewer asks. Every value is explainable: its evidence is the user's sentence
and the labelled sentence it resembled most. The same text always gives the same result.

The example sentences' vectors ship precomputed in ``vectors.npz`` next to them, stamped
with a fingerprint of the sentences and the model; ``python -m agent.semantic`` rebuilds
the file after the sentences change (a test fails while it is stale).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import ValidationError

from agent.profile import DECISION_FIELDS, Profile

log = logging.getLogger(__name__)

PARAPHRASE_DIR = Path(__file__).parent / "data" / "paraphrases"
VECTORS_FILE = PARAPHRASE_DIR / "vectors.npz"
MODEL_ID = "all-MiniLM-L6-v2-int8"

#: Fields the classifier may fill. Counts other than labeled examples (volumes, weeks)
#: need unit arithmetic, which the rules do; a sentence's vote only tells that it reports
#: a count of examples, and the number is then read from the user's own words.
CLASSIFIED_FIELDS: tuple[str, ...] = tuple(
    f for f in DECISION_FIELDS if f not in ("monthly_requests", "timeline_weeks")
)
_PRESENCE_FIELDS = ("labeled_examples",)
_PRESENT = "present"


@dataclass(frozen=True)
class Params:
    """How the neighbours vote. Chosen on our own and the held-out sets, never on a blind set."""

    k: int = 8  # neighbours consulted per sentence
    min_similarity: float = 0.5  # the best supporting neighbour must be at least this close
    min_support: float = 0.4  # share of the neighbours' weight that must back the value
    max_confidence: float = 0.55  # below the rules' typical 0.6+, so a rule always wins
    # Fields voted on only by sentences labelled for them and neutral ones. A behaviour gap is
    # nearly always told together with its evidence ("QA rejects 42% of the prompted drafts,
    # and we have 7,000 accepted ones"), so the nearest sentences overall are often about the
    # counts or the tries; those say nothing about which behaviour failed.
    own_pool_fields: tuple[str, ...] = ("behavior_gap",)
    # A pool without the other fields' sentences has fewer close neighbours to dissent, so
    # its votes must be more agreed.
    pool_min_similarity: float = 0.5
    pool_min_support: float = 0.5


DEFAULT_PARAMS = Params()

#: Sentences shorter than this (in words) are bare answers ("yes", "about 5k"); the
#: interviewer reads those against the question it asked.
MIN_WORDS = 5
#: A description has a handful of sentences; a pasted document is not read sentence by
#: sentence (embedding thousands of sentences would stall a chat turn).
MAX_SENTENCES = 40
MAX_SENTENCE_CHARS = 600


@dataclass(frozen=True)
class Exemplar:
    """One labelled example sentence."""

    text: str
    labels: dict[str, Any]
    source: str  # file:line-ish, for error messages


@dataclass(frozen=True)
class SemanticHit:
    """One field value read from one sentence by its nearest labelled neighbours."""

    field: str
    value: Any
    sentence: str
    neighbour: str  # the most similar labelled sentence that backs the value
    similarity: float
    support: float
    confidence: float
    start: int  # where the sentence starts in the text


@dataclass
class ParaphraseIndex:
    """Labelled sentences and their unit vectors."""

    exemplars: list[Exemplar]
    vectors: np.ndarray  # (n, d) float32, unit rows
    _codes: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _values: dict[str, list[Any]] = field(default_factory=dict, repr=False)
    _pools: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._negated = np.array([bool(_NEGATION.search(ex.text)) for ex in self.exemplars])
        # Per field: each sentence's label as a small integer code (-1: not labelled).
        for name in CLASSIFIED_FIELDS:
            values: list[Any] = []
            codes = np.full(len(self.exemplars), -1, dtype=np.int64)
            for i, ex in enumerate(self.exemplars):
                value = ex.labels.get(name)
                if value is None:
                    continue
                if name in _PRESENCE_FIELDS:
                    value = _PRESENT
                if value not in values:
                    values.append(value)
                codes[i] = values.index(value)
            self._codes[name] = codes
            self._values[name] = values
        neutral = np.array([not ex.labels for ex in self.exemplars], dtype=bool)
        self._pools = {name: (self._codes[name] >= 0) | neutral for name in CLASSIFIED_FIELDS}

    def vote(self, vector: np.ndarray, params: Params = DEFAULT_PARAMS) -> dict[str, tuple[Any, float, float, int]]:
        """For one sentence vector: field -> (value, support, best similarity, neighbour index).

        ``support`` is the share of the k nearest sentences' similarity mass that carries the
        value; neighbours without a label for the field count against every value.
        """
        return self.vote_similarities(self.vectors @ vector, params)

    def vote_similarities(
        self, sims: np.ndarray, params: Params = DEFAULT_PARAMS, negated: bool | None = None
    ) -> dict[str, tuple[Any, float, float, int]]:
        """:meth:`vote` for a sentence whose similarities to every labelled sentence are known.

        ``negated``: whether the sentence carries a negation cue. Sentence embeddings barely
        register "no"/"not" ("no money constraints" sits next to "tight money constraints"),
        so when given, only labelled sentences of the same polarity may vote.
        """
        if negated is not None:
            sims = np.where(self._negated == negated, sims, -1.0)
        k = min(params.k, len(sims))
        if k == 0:
            return {}
        nearest = _nearest(sims, k)
        out: dict[str, tuple[Any, float, float, int]] = {}
        for name in CLASSIFIED_FIELDS:
            if name in params.own_pool_fields:
                pool_sims = np.where(self._pools[name], sims, -1.0)
                vote = self._vote_field(
                    name, pool_sims, _nearest(pool_sims, k),
                    params.pool_min_similarity, params.pool_min_support,
                )
            else:
                vote = self._vote_field(name, sims, nearest, params.min_similarity, params.min_support)
            if vote is not None:
                out[name] = vote
        return out

    def _vote_field(
        self, name: str, sims: np.ndarray, top: np.ndarray, min_similarity: float, min_support: float
    ) -> tuple[Any, float, float, int] | None:
        """One field's vote among the neighbours ``top`` (sorted, closest first)."""
        weights = np.clip(sims[top], 0.0, None)
        total = float(weights.sum())
        if total <= 0:
            return None
        codes = self._codes[name][top]
        labelled = codes >= 0
        if not labelled.any():
            return None
        mass = np.bincount(codes[labelled], weights=weights[labelled], minlength=len(self._values[name]))
        code = int(np.argmax(mass))  # ties: the value first seen in the data
        support = float(mass[code]) / total
        first = int(np.flatnonzero(codes == code)[0])  # top is sorted: the closest backer
        similarity = float(sims[top[first]])
        if support >= min_support and similarity >= min_similarity:
            return self._values[name][code], support, similarity, int(top[first])
        return None


def _nearest(sims: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest similarities, highest first (ties: lower index first)."""
    top = np.argpartition(-sims, k - 1)[:k]
    return top[np.argsort(-sims[top], kind="stable")]


# --------------------------------------------------------------------------- data


#: libyaml's safe loader when present: ten times faster on the few thousand sentences.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ParaphraseDataError(ValueError):
    """A labelled sentence file is malformed (named file, item and reason)."""


def load_exemplars(directory: Path = PARAPHRASE_DIR) -> list[Exemplar]:
    """Read and validate every ``*.yaml`` file of labelled sentences, in name order."""
    exemplars: list[Exemplar] = []
    for path in sorted(directory.glob("*.yaml")):
        items = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or []
        if not isinstance(items, list):
            raise ParaphraseDataError(f"{path.name}: expected a list of {{text, labels}} items")
        for n, item in enumerate(items, 1):
            where = f"{path.name} item {n}"
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ParaphraseDataError(f"{where}: needs a 'text' string")
            labels = item.get("labels") or {}
            if not isinstance(labels, dict):
                raise ParaphraseDataError(f"{where}: 'labels' must be a mapping")
            unknown = set(labels) - set(Profile.model_fields)
            if unknown:
                raise ParaphraseDataError(f"{where}: unknown field(s) {sorted(unknown)}")
            try:
                Profile.model_validate(labels)
            except ValidationError as exc:
                raise ParaphraseDataError(f"{where}: {exc.errors()[0]['msg']}") from exc
            exemplars.append(Exemplar(text=" ".join(item["text"].split()), labels=labels, source=where))
    return exemplars


def fingerprint(exemplars: list[Exemplar]) -> str:
    """A stamp of the sentences, their labels and the model: vectors are valid for it only."""
    digest = hashlib.sha256(MODEL_ID.encode())
    for ex in exemplars:
        digest.update(ex.text.encode())
        digest.update(json.dumps(ex.labels, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def _encode(texts: list[str]) -> np.ndarray:
    from agent.embeddings import MiniLMInt8EmbeddingFunction

    return MiniLMInt8EmbeddingFunction().encode(texts)


_SENTENCE_CACHE_SIZE = 16
_sentence_cache: dict[tuple[str, ...], np.ndarray] = {}
_sentence_lock = threading.Lock()


def encode_sentences(found: list[str]) -> np.ndarray:
    """Unit vectors of a text's sentences, remembered for the last few texts.

    The classifier and the trained reader (:mod:`agent.reader`) both need them for the
    same text in one turn; the model runs once.
    """
    key = tuple(found)
    with _sentence_lock:
        hit = _sentence_cache.get(key)
    if hit is not None:
        return hit
    vectors = _encode(list(found)) if found else np.zeros((0, 384), np.float32)
    vectors.setflags(write=False)
    with _sentence_lock:
        if len(_sentence_cache) >= _SENTENCE_CACHE_SIZE:
            _sentence_cache.pop(next(iter(_sentence_cache)))
        _sentence_cache[key] = vectors
    return vectors


def build_vectors(exemplars: list[Exemplar]) -> np.ndarray:
    """Embed the labelled sentences (about a minute for a few thousand on two cores)."""
    return _encode([ex.text for ex in exemplars])


def write_vectors(path: Path = VECTORS_FILE, directory: Path = PARAPHRASE_DIR) -> int:
    """Rebuild the shipped vector file; returns the number of sentences."""
    exemplars = load_exemplars(directory)
    vectors = build_vectors(exemplars).astype(np.float16)
    with path.open("wb") as fh:
        np.savez_compressed(fh, vectors=vectors, fingerprint=np.array(fingerprint(exemplars)))
    return len(exemplars)


_INDEX_LOCK = threading.Lock()


@cache
def _cached_index() -> ParaphraseIndex:
    exemplars = load_exemplars()
    vectors: np.ndarray | None = None
    if VECTORS_FILE.is_file():
        with np.load(VECTORS_FILE) as data:
            if str(data["fingerprint"]) == fingerprint(exemplars):
                vectors = data["vectors"].astype(np.float32)
    if vectors is None:
        log.warning(
            "%s is missing or stale; embedding %d labelled sentences now "
            "(run `python -m agent.semantic` to ship fresh vectors)",
            VECTORS_FILE.name, len(exemplars),
        )
        vectors = build_vectors(exemplars)
    return ParaphraseIndex(exemplars=exemplars, vectors=vectors)


def paraphrase_index() -> ParaphraseIndex:
    """The labelled sentences and vectors, loaded once per process."""
    with _INDEX_LOCK:
        return _cached_index()


# --------------------------------------------------------------------------- reading text

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+\s*(?:[-*\u2022]\s*)?|\s+[-\u2022]\s+(?=[A-Z])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_NEGATION = re.compile(
    r"\b(?:no|not|never|none|nobody|nothing|neither|nor|without|cannot|zero)\b|n't\b", re.I
)


def sentences(text: str) -> list[tuple[int, str]]:
    """(start offset, sentence) pairs worth classifying, at most :data:`MAX_SENTENCES`."""
    out: list[tuple[int, str]] = []
    pos = 0
    for piece in _SENTENCE_END.split(text):
        start = text.find(piece, pos) if piece else pos
        pos = start + len(piece)
        sentence = piece.strip(" \t-*\u2022")
        if len(_WORD.findall(sentence)) < MIN_WORDS:
            continue
        out.append((max(start, 0), sentence[:MAX_SENTENCE_CHARS]))
        if len(out) >= MAX_SENTENCES:
            break
    return out


_COUNT = re.compile(
    r"(?<![\w$€£.,])(?:about |around |roughly |over |some |nearly |almost )?"
    r"(\d{1,3}(?:,\d{3})+(?![\d,])|\d+(?:\.\d+)?\s?[kKmM]\b|\d+(?![\d.,]))(?!\s?%|[\s-]?(?:ms|s|sec|seconds?|minutes?"
    r"|hours?|days?|weeks?|months?|years?|yrs?|pages?|tokens?|words?|GB|MB|TB)\b)"
)


def count_in(sentence: str) -> int | None:
    """The largest plain count in a sentence (not a percentage, duration, size or year)."""
    from agent.extract import parse_number

    best: int | None = None
    for m in _COUNT.finditer(sentence):
        raw = m.group(1)
        if re.fullmatch(r"(?:19|20)\d\d", raw):
            continue  # a year
        value = parse_number(raw)
        if value is not None and value > 0 and (best is None or value > best):
            best = value
    return best


def classify(text: str, skip: set[str] | frozenset[str] = frozenset(),
             params: Params | None = None, index: ParaphraseIndex | None = None) -> list[SemanticHit]:
    """Field values the labelled neighbours of each sentence agree on (fields in ``skip`` ignored).

    When several sentences fill one field, the best-supported reading wins; a sentence
    that reports labelled examples gives its largest plain count.
    """
    found = sentences(text)
    if not found:
        return []
    params = params or DEFAULT_PARAMS
    index = index or paraphrase_index()
    # One product for all sentences: cheaper than one per sentence right after the model ran.
    similarities = encode_sentences([s for _, s in found]) @ index.vectors.T
    best: dict[str, SemanticHit] = {}
    for (start, sentence), sims in zip(found, similarities, strict=True):
        negated = bool(_NEGATION.search(sentence))
        for name, (value, support, similarity, idx) in index.vote_similarities(sims, params, negated).items():
            if name in skip:
                continue
            if name in _PRESENCE_FIELDS:
                value = count_in(sentence)
                if value is None:
                    continue
            confidence = round(min(params.max_confidence, support * similarity), 2)
            hit = SemanticHit(
                field=name, value=value, sentence=sentence, neighbour=index.exemplars[idx].text,
                similarity=round(similarity, 3), support=round(support, 3),
                confidence=confidence, start=start,
            )
            old = best.get(name)
            if old is None or (hit.confidence, hit.similarity) > (old.confidence, old.similarity):
                best[name] = hit
    return sorted(best.values(), key=lambda h: CLASSIFIED_FIELDS.index(h.field))


def main() -> None:
    """``python -m agent.semantic``: rebuild the shipped vectors after editing the sentences."""
    n = write_vectors()
    print(f"embedded {n} labelled sentences into {VECTORS_FILE}")


if __name__ == "__main__":
    main()
