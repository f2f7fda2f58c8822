"""Trained reader: profile fields read from a whole product description.

The rules (:mod:`agent.extract`) and the sentence classifier (:mod:`agent.semantic`) read
one phrase or one sentence at a time. People often tell a fact across sentences, or by
what they leave out ("the answer is in the letter itself" means no documents to look up).
The reader looks at the whole description at once: for each field it weighs the
description's sentence vectors (their mean and their maximum, from the bundled MiniLM
model) together with what the rules and the classifier found, and gives a probability
for every value, including "the text does not say".

It is a multinomial logistic regression per field, trained on the labelled held-out
descriptions in ``tests/heldout`` (``python -m agent.reader_training`` retrains it and
reports its leave-one-set-out accuracy; a test fails while the shipped weights are stale).
The weights ship in ``agent/data/reader.npz``; reading is a few small matrix products in
numpy, so nothing is downloaded or trained at run time and the same text always gives
the same result.

How its votes are used (see :func:`decide_field`): it fills fields the rules left unknown;
it replaces a reading it disagrees with when it is sure (70%) or the reading is weak; and
it sets aside a reading below 0.8 when it is sure the text does not say. It never touches a
field the profile already holds, and it reads only texts of description length. These
thresholds were chosen by leave-one-set-out accuracy on the held-out sets.

Counts of worked examples are numbers, not classes, so they get a second, smaller model:
for every number in the text it reads the words around it (and its sentence) and gives the
probability that this number is how many worked examples the team has ("about 45,000
entries coded by certified clerks", "6,000 closed claims with the band the seniors set").
The rules recognise many such phrasings but not all; the model takes a number it is more
likely than not about when the rules found none or a different one (:func:`decide_count`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agent.profile import DECISION_FIELDS, allowed_values

log = logging.getLogger(__name__)

READER_FILE = Path(__file__).parent / "data" / "reader.npz"

#: Fields the reader votes on: the categorical decision fields. Counts and weeks need the
#: user's numbers and units; the rules read those.
READ_FIELDS: tuple[str, ...] = tuple(
    f for f in DECISION_FIELDS if f not in ("labeled_examples", "monthly_requests", "timeline_weeks")
)

#: The reader was trained on descriptions of 27 to 123 words. A reply to a question is
#: shorter and is read against the question asked; a pasted document is far longer and
#: unlike anything it learned from. Both are left to the rules and the classifier.
MIN_WORDS = 20
MAX_WORDS = 250

#: How sure the reader must be to replace a reading or set one aside.
SURE = 0.7
#: A reading below this (the classifier's, or one a rule drew by implication) gives way to
#: any different value the reader prefers.
WEAK_RULE = 0.5
#: A reading at least this confident is never set aside, only replaced by a sure vote.
FIRM_RULE = 0.8
#: Reader findings are scaled below the rules' confidences: they are inferences.
CONFIDENCE_SCALE = 0.6

_DIM = 384  # MiniLM sentence vectors

#: The count field the count model reads (a number of worked examples).
COUNT_FIELD = "labeled_examples"
#: Smaller numbers are a few examples inside a prompt, or not counts at all.
MIN_COUNT = 20
#: Words read on each side of a number.
WINDOW_WORDS = 8
#: A number the count model gives at least this is taken as the example count.
COUNT_TAKE = 0.5
#: The rules' count is set aside when the model gives its number less than this, nothing
#: else reaches :data:`COUNT_TAKE`, and the rules' reading is below :data:`FIRM_RULE`.
COUNT_DOUBT = 0.05
#: The window's vector, its sentence's vector, log-size, and percent / money / year flags.
COUNT_FEATURES = 2 * _DIM + 4


def finding_keys() -> list[tuple[str, Any]]:
    """(field, value) pairs the rules and the classifier can report, in schema order."""
    keys: list[tuple[str, Any]] = []
    for name in READ_FIELDS:
        values = allowed_values(name)
        keys.extend((name, v) for v in (values if values is not None else (True, False)))
    return keys


_KEYS = finding_keys()
_KEY_INDEX = {(name, json.dumps(value)): i for i, (name, value) in enumerate(_KEYS)}
FEATURES = 2 * _DIM + 2 * len(_KEYS)


def features(vectors: np.ndarray, findings: Mapping[str, tuple[Any, float]]) -> np.ndarray:
    """One description's feature row.

    ``vectors``: its sentences' unit vectors (n, 384); ``findings``: field -> (value,
    confidence) from the rules and the classifier. The row is the sentence vectors' mean
    and maximum, then one indicator per (field, value) found and that finding's confidence.
    """
    row = np.zeros(FEATURES, dtype=np.float64)
    if len(vectors):
        row[:_DIM] = vectors.mean(axis=0)
        row[_DIM : 2 * _DIM] = vectors.max(axis=0)
    base = 2 * _DIM
    for name, (value, confidence) in findings.items():
        i = _KEY_INDEX.get((name, json.dumps(value)))
        if i is not None:
            row[base + i] = 1.0
            row[base + len(_KEYS) + i] = float(confidence)
    return row


@dataclass(frozen=True)
class ReaderVote:
    """The reader's reading of one field."""

    field: str
    value: Any  # None: the text does not say
    probability: float
    sentence: str | None  # the sentence that backs the value most (None when unstated)


@dataclass(frozen=True)
class Reader:
    """Per-field weights: classes are JSON-encoded values ("null" means unstated)."""

    classes: dict[str, list[str]]
    weights: dict[str, np.ndarray]  # (classes, FEATURES)
    biases: dict[str, np.ndarray]  # (classes,)
    fingerprint: str  # of the labelled data it was trained on
    trained_on: int  # number of labelled descriptions
    count_weights: np.ndarray | None = None  # (COUNT_FEATURES,); None: no count model
    count_bias: float = 0.0

    def probabilities(self, row: np.ndarray) -> dict[str, dict[str, float]]:
        """Field -> {JSON value: probability} for one feature row."""
        out: dict[str, dict[str, float]] = {}
        for name in READ_FIELDS:
            if name not in self.weights:
                continue
            logits = self.weights[name] @ row + self.biases[name]
            if len(logits) == 1:  # two-class models store one row, as scikit-learn does
                p1 = float(1.0 / (1.0 + np.exp(-logits[0])))
                probs = np.array([1.0 - p1, p1])
            else:
                z = np.exp(logits - logits.max())
                probs = z / z.sum()
            out[name] = {cls: float(p) for cls, p in zip(self.classes[name], probs, strict=True)}
        return out

    def read(
        self,
        sentences: list[str],
        vectors: np.ndarray,
        findings: Mapping[str, tuple[Any, float]],
    ) -> dict[str, ReaderVote]:
        """The most probable value of every field, with the sentence that backs it most."""
        row = features(vectors, findings)
        votes: dict[str, ReaderVote] = {}
        for name, probs in self.probabilities(row).items():
            best = max(probs, key=lambda c: (probs[c], c))  # ties: a fixed order
            value = json.loads(best)
            sentence = None
            if value is not None and len(sentences):
                sentence = sentences[self._backing_sentence(name, best, vectors)]
            votes[name] = ReaderVote(name, value, round(probs[best], 4), sentence)
        return votes

    def _backing_sentence(self, name: str, cls: str, vectors: np.ndarray) -> int:
        """Index of the sentence whose vector pushes hardest toward ``cls``."""
        w = self.weights[name]
        if len(w) == 1:  # two classes: the row favours the second one
            row = w[0] if self.classes[name].index(cls) == 1 else -w[0]
        else:
            row = w[self.classes[name].index(cls)]
        direction = row[:_DIM] + row[_DIM : 2 * _DIM]
        return int(np.argmax(vectors @ direction))

    def read_counts(self, mentions: list[NumberMention], rows: np.ndarray) -> list[CountVote]:
        """For each number mention, the probability that it counts worked examples."""
        if self.count_weights is None or not mentions:
            return []
        logits = rows @ self.count_weights + self.count_bias
        probs = 1.0 / (1.0 + np.exp(-logits))
        return [CountVote(m, round(float(p), 4)) for m, p in zip(mentions, probs, strict=True)]

    def save(self, path: Path = READER_FILE) -> None:
        """Write the weights as a numpy archive (float32) with a JSON header."""
        arrays: dict[str, np.ndarray] = {}
        for name in self.weights:
            arrays[f"w__{name}"] = self.weights[name].astype(np.float32)
            arrays[f"b__{name}"] = self.biases[name].astype(np.float32)
        if self.count_weights is not None:
            arrays["count_w"] = self.count_weights.astype(np.float32)
            arrays["count_b"] = np.array([self.count_bias], dtype=np.float32)
        meta = {
            "classes": self.classes,
            "fingerprint": self.fingerprint,
            "trained_on": self.trained_on,
            "features": FEATURES,
            "count_features": COUNT_FEATURES,
            "keys": [[n, json.dumps(v)] for n, v in _KEYS],
        }
        arrays["meta"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            np.savez_compressed(fh, allow_pickle=False, **arrays)


class ReaderDataError(ValueError):
    """The weights file does not match this code's feature layout."""


def load_reader(path: Path = READER_FILE) -> Reader:
    """Read a weights file written by :meth:`Reader.save`."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(bytes(data["meta"]).decode())
        if (
            meta.get("features") != FEATURES
            or meta.get("count_features") != COUNT_FEATURES
            or meta.get("keys") != [[n, json.dumps(v)] for n, v in _KEYS]
        ):
            raise ReaderDataError(
                f"{path} was trained for another feature layout; run `python -m agent.reader_training`."
            )
        classes = {k: list(v) for k, v in meta["classes"].items()}
        weights = {k: data[f"w__{k}"].astype(np.float64) for k in classes}
        biases = {k: data[f"b__{k}"].astype(np.float64) for k in classes}
        count_w = data["count_w"].astype(np.float64) if "count_w" in data else None
        count_b = float(data["count_b"][0]) if "count_b" in data else 0.0
    return Reader(
        classes, weights, biases, str(meta["fingerprint"]), int(meta["trained_on"]), count_w, count_b
    )


_LOCK = threading.Lock()
_CACHE: dict[Path, Reader] = {}


def shipped_reader() -> Reader:
    """The bundled reader, loaded once per process."""
    with _LOCK:
        if READER_FILE not in _CACHE:
            _CACHE[READER_FILE] = load_reader(READER_FILE)
        return _CACHE[READER_FILE]


def fingerprint(descriptions: list[tuple[str, dict[str, Any]]]) -> str:
    """Digest of labelled descriptions (text and the labels of the fields read)."""
    digest = hashlib.sha256()
    for text, profile in descriptions:
        digest.update(text.encode())
        labels = {k: profile.get(k) for k in (*READ_FIELDS, COUNT_FIELD)}
        digest.update(json.dumps(labels, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def word_count(text: str) -> int:
    """Whitespace-separated words, as the reader's length window counts them."""
    return len(text.split())


def in_window(text: str) -> bool:
    """Whether ``text`` is description-length, the only length the reader reads."""
    return MIN_WORDS <= word_count(text) <= MAX_WORDS


@dataclass(frozen=True)
class Decision:
    """What to do with one field after the reader voted."""

    action: str  # "fill", "replace", "set_aside" or "keep"
    vote: ReaderVote


def decide_field(vote: ReaderVote, current: tuple[Any, float] | None) -> Decision:
    """Combine the reader's vote with the rules' reading of one field.

    - No rule reading: the reader's value fills the field (an "unstated" vote leaves it
      unknown).
    - A different value: replaces the reading when the reader is sure, or the reading is
      weak (:data:`WEAK_RULE`).
    - "Unstated": a reading below :data:`FIRM_RULE` is set aside when the reader is sure.
    """
    if current is None:
        return Decision("fill" if vote.value is not None else "keep", vote)
    value, confidence = current
    if vote.value is None:
        if confidence < FIRM_RULE and vote.probability >= SURE:
            return Decision("set_aside", vote)
        return Decision("keep", vote)
    if vote.value != value and (confidence < WEAK_RULE or vote.probability >= SURE):
        return Decision("replace", vote)
    return Decision("keep", vote)


def revisions(
    votes: Mapping[str, ReaderVote],
    current: Mapping[str, tuple[Any, float]],
    held: Collection[str] = (),
) -> dict[str, ReaderVote | None]:
    """What the votes change: field -> the vote whose value to take, or None to set it aside.

    Fields in ``held`` (the profile already holds them) are never changed, and a value is
    only taken with a sentence to show as its evidence. The extractor and the training
    measure (:mod:`agent.reader_training`) both apply exactly this.
    """
    out: dict[str, ReaderVote | None] = {}
    for name, vote in votes.items():
        if name in held:
            continue
        action = decide_field(vote, current.get(name)).action
        if action == "set_aside":
            out[name] = None
        elif action in ("fill", "replace") and vote.sentence is not None:
            out[name] = vote
    return out


# --------------------------------------------------------------------------- example counts


@dataclass(frozen=True)
class NumberMention:
    """A number in the text, with the words around it that the count model reads."""

    value: int
    start: int
    end: int
    window: str
    percent: bool  # "22%": a rate, not a count
    money: bool  # "$40,000": an amount
    year: bool  # "since 2019"


_PERCENT_AFTER = re.compile(r"\s*(?:%|percent\b|per cent\b)", re.I)
_MONEY_BEFORE = re.compile(r"(?:[$£€¥₹]|\b(?:usd|eur|gbp))\s*$", re.I)
_YEAR = re.compile(r"(?:19|20)\d\d")


def number_mentions(text: str) -> list[NumberMention]:
    """Every number of at least :data:`MIN_COUNT` in ``text`` (the extractor's number syntax)."""
    from agent.extract import NUM, parse_number  # the one number grammar; imported late (cycle)

    out: list[NumberMention] = []
    for m in re.finditer(NUM, text, re.I):
        raw = m.group("num")
        value = parse_number(raw)
        if value is None or value < MIN_COUNT:
            continue
        start, end = m.span("num")
        before = text[max(0, start - 80) : start].split()[-WINDOW_WORDS:]
        after = text[end : end + 80].split()[:WINDOW_WORDS]
        out.append(
            NumberMention(
                value=value,
                start=start,
                end=end,
                window=" ".join([*before, raw.strip(), *after]),
                percent=bool(_PERCENT_AFTER.match(text, end)),
                money=bool(_MONEY_BEFORE.search(text[max(0, start - 4) : start])),
                year=bool(_YEAR.fullmatch(raw.strip())),
            )
        )
    return out


def count_rows(
    text: str,
    offsets: list[int],
    vectors: np.ndarray,
    encode: Callable[[list[str]], np.ndarray],
) -> tuple[list[NumberMention], np.ndarray]:
    """The count model's input: each number mention and its feature row.

    ``offsets`` and ``vectors`` are the text's sentences (start offsets, unit vectors);
    ``encode`` embeds the mentions' windows (the extractor passes the cached encoder).
    """
    mentions = number_mentions(text)
    rows = np.zeros((len(mentions), COUNT_FEATURES), dtype=np.float64)
    if not mentions:
        return mentions, rows
    windows = encode([m.window for m in mentions])
    for i, m in enumerate(mentions):
        rows[i, :_DIM] = windows[i]
        sentence = max((k for k, off in enumerate(offsets) if off <= m.start), default=0)
        if sentence < len(vectors):
            rows[i, _DIM : 2 * _DIM] = vectors[sentence]
        rows[i, 2 * _DIM :] = (math.log10(m.value + 1) / 7, m.percent, m.money, m.year)
    return mentions, rows


@dataclass(frozen=True)
class CountVote:
    """The count model's probability that one number counts worked examples."""

    mention: NumberMention
    probability: float


def decide_count(
    votes: list[CountVote], current: tuple[Any, float] | None
) -> tuple[str, CountVote | None]:
    """What the count votes do to the rules' example count: (action, vote).

    - "take": the most probable number (at least :data:`COUNT_TAKE`) becomes the count,
      when the rules found none or a number the model doubts more.
    - "set_aside": the rules' positive count (below :data:`FIRM_RULE`) is dropped when the
      model gives its number less than :data:`COUNT_DOUBT` and no number reaches
      :data:`COUNT_TAKE`.
    - "keep" otherwise. An explicit "no examples" (0) is always kept.
    """
    if not votes:
        return "keep", None
    best = max(votes, key=lambda v: (v.probability, -v.mention.start))
    if current is None:
        return ("take", best) if best.probability >= COUNT_TAKE else ("keep", None)
    value, confidence = current
    if not isinstance(value, int) or value <= 0:
        return "keep", None
    backing = max((v.probability for v in votes if v.mention.value == value), default=0.0)
    if best.mention.value != value and best.probability >= COUNT_TAKE and backing < COUNT_TAKE:
        return "take", best
    if best.probability < COUNT_TAKE and backing < COUNT_DOUBT and confidence < FIRM_RULE:
        return "set_aside", None
    return "keep", None
