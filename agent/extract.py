"""Offline, deterministic extraction of profile fields from what a user writes.

Each field has a small table of patterns. A pattern match becomes a *hit*
(value, evidence span, confidence); negation cues just before a match in the
same clause flip or drop it ("we don't need citations", "no labelled data").
Numbers with units are normalised ("2 million a month", "50k requests per day",
"3,000 letters", "a 60-page handbook"). When several hits disagree the most
confident (then the latest) wins and the disagreement is reported in
``Extraction.contradictions``. Nothing here calls a network or a model, so the
same text always gives the same result.

The LLM extractor (:mod:`agent.understand`) returns the same :class:`Extraction`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from agent.profile import DECISION_FIELDS, Profile, known_fields

#: Longest text the extractor reads; longer input is cut (and a notice given).
MAX_TEXT_CHARS = 200_000
#: Tokens per page and per kind of item, used to size a corpus (facts sheet: ~200K tokens is
#: about 500 pages, so ~400 tokens a page).
TOKENS_PER_PAGE = 400
CONTEXT_WINDOW_TOKENS = 200_000


class Finding(BaseModel):
    """One extracted value with the words it came from."""

    value: Any
    span: str = Field(description="The words in the user's text that support the value.")
    confidence: float = Field(ge=0.0, le=1.0)
    basis: str | None = Field(
        default=None,
        description="How the value was read when not by a rule, e.g. the labelled sentence it resembled.",
    )


class Extraction(BaseModel):
    """What one text says about the profile."""

    findings: dict[str, Finding] = Field(default_factory=dict)
    contradictions: list[str] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)

    def apply(self, profile: Profile | None = None) -> Profile:
        """A new profile: ``profile`` updated with the findings (lists are extended)."""
        base = profile.model_dump() if profile is not None else {}
        for name, finding in self.findings.items():
            if name in ("success_criteria", "sample_questions"):
                items = list(base.get(name) or [])
                for item in finding.value or []:
                    if item not in items:
                        items.append(item)
                base[name] = items
            elif name == "product_summary" and base.get(name):
                continue  # keep the first summary the user gave
            else:
                base[name] = finding.value
        return Profile.model_validate(base)


# --------------------------------------------------------------------------- numbers

_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "hundred": 100, "a hundred": 100, "a dozen": 12, "dozen": 12, "a couple of": 2,
    "a couple": 2, "couple of": 2, "a few": 3, "few": 3, "several": 5, "a handful of": 5,
    "a few hundred": 300, "several hundred": 400, "hundreds of": 300, "a few thousand": 3000,
    "several thousand": 4000, "thousands of": 3000, "tens of thousands of": 30_000,
    "hundreds of thousands of": 300_000, "millions of": 2_000_000, "a million": 1_000_000,
    "half a million": 500_000,
}
_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = {"thirteen": 13, "fourteen": 14, "sixteen": 16, "seventeen": 17, "eighteen": 18,
          "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_WORD_NUMBERS.update(_TEENS)
_WORD_NUMBERS.update(_TENS)
# "twenty-four", "twenty four"
for _tens_word, _tens_value in _TENS.items():
    for _unit_value, _unit_word in enumerate(_UNITS, start=1):
        for _joiner in ("-", " "):
            _WORD_NUMBERS[f"{_tens_word}{_joiner}{_unit_word}"] = _tens_value + _unit_value
_SCALE = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "mm": 1_000_000, "million": 1_000_000,
          "mn": 1_000_000, "b": 1_000_000_000, "billion": 1_000_000_000, "hundred": 100}

_WORDNUM_ALT = "|".join(sorted((re.escape(w) for w in _WORD_NUMBERS), key=len, reverse=True))
#: A quantity: "3,000", "2.5 million", "50k", "a few hundred", "two".
NUM = (
    # A number starts where no digit precedes it and is at most 12 digits long: without the
    # anchors a long digit run is re-tried from every position (quadratic time per search).
    r"(?P<num>(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d{1,12}(?:\.\d{1,6})?)(?![\d,])\s*(?:k|m|mm|mn|b|thousand|million|billion|hundred)?\b\+?"
    rf"|(?<![\w&'])(?:{_WORDNUM_ALT})\b(?:\s+(?:thousand|million|hundred)\b)?)"
)


def parse_number(text: str) -> int | None:
    """'3,000' -> 3000, '2 million' -> 2000000, '50k' -> 50000, 'a few hundred' -> 300."""
    t = text.strip().lower().rstrip("+")  # "2M+" is at least two million
    if t in _WORD_NUMBERS:
        return _WORD_NUMBERS[t]
    m = re.fullmatch(r"([\d,]+(?:\.\d+)?)\s*([a-z]+)?", t)
    if m:
        base = float(m.group(1).replace(",", ""))
        scale = _SCALE.get(m.group(2) or "", 1)
        return int(round(base * scale))
    m = re.fullmatch(r"(.+?)\s+(thousand|million|hundred)", t)
    if m and m.group(1) in _WORD_NUMBERS:
        return _WORD_NUMBERS[m.group(1)] * _SCALE[m.group(2)]
    return None


_PER = {
    "second": 2_592_000, "sec": 2_592_000, "minute": 43_200, "min": 43_200, "hour": 720,
    "day": 30, "daily": 30, "weekday": 22, "business day": 22, "working day": 22,
    "week": 4.33, "weekly": 4.33, "month": 1, "monthly": 1, "quarter": 1 / 3, "year": 1 / 12,
    "yearly": 1 / 12, "annually": 1 / 12, "annum": 1 / 12,
}
_RATE = (
    r"(?:(?:per|a|an|each|every|/)\s*(?P<per>second|sec|minute|min|hour|business day|working day|weekday|day|week|month|quarter|year|annum)"
    r"|(?P<per2>daily|weekly|monthly|yearly|annually))"
)

# --------------------------------------------------------------------------- clauses

_NEG = re.compile(
    r"\b(?:no|not|never|without|none|nor|neither|zero|lack|lacks|lacking|hardly|barely|nobody|no one|noone)\b"
    r"|n't\b|\bcannot\b",
    re.I,
)
_CLAUSE_SPLIT = re.compile(
    r"(?:[.;!?](?=\s|$)|[;!?\n])+|,\s*(?=(?:but|however|although|though|while|whereas|yet)\b)"
    r"|\b(?:but|however|although|whereas)\b"
)


@dataclass(frozen=True)
class Clause:
    """A clause of the text with its offset."""

    text: str
    start: int


def clauses(text: str) -> list[Clause]:
    """Split text into clauses at sentence ends and contrast words ("but", "however")."""
    out = []
    pos = 0
    for m in _CLAUSE_SPLIT.finditer(text):
        if m.start() > pos:
            out.append(Clause(text[pos:m.start()], pos))
        pos = m.end()
    if pos < len(text):
        out.append(Clause(text[pos:], pos))
    return [c for c in out if c.text.strip()]


def negated(clause: str, start: int, window: int = 48) -> bool:
    """Whether a negation cue sits shortly before position ``start`` in the clause."""
    before = clause[max(0, start - window):start]
    # "not only" and "no longer" style cues that do not negate the match; "no later
    # than" / "no more than" bound a quantity rather than deny it.
    before = re.sub(
        r"\bnot only\b|\bno matter\b|\bno doubt\b|\bno (?:later|more|longer) than\b"
        r"|\bnot (?:later|more|longer) than\b",
        " ",
        before,
        flags=re.I,
    )
    # A negation does not reach past the start of a new clause joined by "and"/"so" with
    # its own subject ("we haven't tried prompting, and there are 100 examples"), nor does
    # a determiner "no"/"zero" reach past the noun phrase it quantifies ("no technical
    # staff and a tight budget").
    cues = list(_NEG.finditer(before))
    if not cues:
        return False
    last = cues[-1]
    scope = before[last.end():]
    if _NEW_CLAUSE.search(scope):
        return False
    return not (last.group(0).lower() in ("no", "zero") and _NP_END.search(scope))


#: ", and we ...", "and there are", "so the team": a coordinated clause with its own subject.
_NEW_CLAUSE = re.compile(
    r"(?:,\s*|\b)(?:and|so|plus|then)\s+(?:we|we're|we've|they|it|it's|there|our|the|users?|"
    r"customers?|i|he|she|everyone|everything)\b"
    r"|(?:(?:,\s*|\b)(?:and|so|plus|then)\s+(?:[\w'-]+\s+){0,2}?|,\s*(?:[\w'-]+\s+){1,2}?)"
    r"(?:must|should|need|needs|has to|have to|will|would|can|could|are|is|was|were)\b",
    re.I,
)
#: The end of a noun phrase after "no X": a coordinator or a comma followed by an article.
_NP_END = re.compile(r"(?:,|\band\b|\bbut\b|\bwith\b)\s*(?:a|an|the|our|some|plenty|lots|\d)\b", re.I)


# --------------------------------------------------------------------------- pattern table

Value = Any | Callable[[re.Match[str]], Any]


@dataclass(frozen=True)
class Pattern:
    """A regex that implies ``value`` for ``field`` (``if_negated`` when a negation precedes)."""

    field: str
    regex: re.Pattern[str]
    value: Value
    confidence: float
    if_negated: Value = None
    #: Set for patterns that carry their own negation ("doesn't change"): skip the cue check.
    self_negating: bool = False
    #: Characters before the match searched for a negation cue.
    negation_window: int = 48


def P(field: str, pattern: str, value: Value, confidence: float, if_negated: Value = None,
      self_negating: bool = False, negation_window: int = 48) -> Pattern:
    """Build a case-insensitive Pattern."""
    return Pattern(field, re.compile(pattern, re.I), value, confidence, if_negated, self_negating,
                   negation_window)


_DOC_UNITS = {
    "page": 1.0, "pages": 1.0, "slide": 0.5, "slides": 0.5,
    "document": 5.0, "documents": 5.0, "doc": 5.0, "docs": 5.0, "file": 5.0, "files": 5.0,
    "pdf": 10.0, "pdfs": 10.0, "article": 3.0, "articles": 3.0, "contract": 20.0,
    "contracts": 20.0, "manual": 50.0, "manuals": 50.0, "report": 10.0, "reports": 10.0,
    "policy": 10.0, "policies": 10.0, "procedure": 3.0, "procedures": 3.0, "guide": 20.0,
    "guides": 20.0, "faq": 0.5, "faqs": 0.5, "entries": 0.5, "entry": 0.5, "product": 0.5,
    "products": 0.5, "item": 0.5, "items": 0.5, "sku": 0.5, "skus": 0.5, "listing": 0.5,
    "listings": 0.5, "record": 0.5, "records": 0.5, "case": 5.0, "cases": 5.0,
    "ruling": 10.0, "rulings": 10.0, "filing": 20.0, "filings": 20.0, "paper": 10.0,
    "papers": 10.0, "notes": 1.0, "recipes": 1.0, "recipe": 1.0, "spec": 10.0, "specs": 10.0,
    "book": 300.0, "books": 300.0, "handbook": 60.0, "wiki pages": 2.0, "tickets": 1.0,
    "emails": 1.0, "transcripts": 5.0, "studies": 10.0, "trials": 20.0, "regulations": 10.0,
    "standards": 30.0, "patents": 15.0, "datasheets": 5.0, "pager": 1.0, "pagers": 1.0,
    # Legal, public-sector and quality documents, a few pages each.
    "judgments": 10.0, "judgements": 10.0, "circulars": 3.0, "decrees": 3.0, "bylaws": 5.0,
    "statutes": 10.0, "leases": 15.0, "sops": 5.0, "bulletins": 2.0, "notices": 1.0,
    "memos": 3.0, "opinions": 10.0, "dossiers": 50.0, "directives": 5.0, "clauses": 0.25,
}
_DOC_UNIT_ALT = "|".join(sorted((re.escape(u) for u in _DOC_UNITS), key=len, reverse=True))
_EXAMPLE_NOUNS = (
    r"examples?|pairs?|samples?|letters?|replies|responses|answers|summaries|descriptions|"
    r"translations|transcripts|conversations|emails|tickets|labels|annotations|reports|notes|"
    r"chats|dialogues|messages|write-?ups|drafts|essays|reviews|cases|records|rows|outputs|"
    r"utterances|captions|scripts|programs|queries|snippets|completions|prs|pull requests|"
    r"abstracts|decisions|instructions|itineraries|briefs|posts|motions"
)
_EXAMPLE_QUALIFIERS = (
    r"labell?ed|annotated|curated|approved|gold|graded|reviewed|human[- ]written|hand[- ]written|"
    r"expert[- ]written|past|previous|historical|archived|high[- ]quality|good|signed[- ]off|"
    r"example|training|sample|resolved|answered|corrected|edited|vetted|checked|rated|scored|"
    r"validated|verified|accepted|logged|submitted|expert|shipped|merged|decided|abstracted|"
    r"marked[- ]up|signed|coded|adjudicated|audited|published|completed|"
    r"[\w-]+-(?:reviewed|corrected|written|labell?ed|approved|checked|annotated|rated|graded|edited|verified|passed|decided|tested|vetted|tagged|answered|coded|signed|scored|adjudicated|marked)"
)
#: What makes a record a worked example: the output a person decided, wrote or checked.
_GOLD_OUTPUT = (
    r"final|validated|approved|accepted|correct|corrected|verified|expert|human|actual|agreed|"
    r"signed|decision|decisions|outcome|outcomes|resolution|resolutions|answer|answers|reply|"
    r"replies|rationale|rationales|label|labels|code|codes|grade|grades|translation|translations|"
    r"verdicts?|pass/fail|ratings?|scores?|hand-\w+"
)
_AUTHORSHIP = (
    r"written|wrote|approved|labell?ed|annotated|reviewed|rated|graded|marked up|corrected|coded|adjudicated|"
    r"signed off|checked|curated|as examples|to train|for training|to learn from|we could use|"
    r"we can use|as training data|to mine|for fine-?tuning|to learn|(?:double|second)[- ]marked|qc'?d|"
    r"with (?:\w+ )?(?:sign-?off|approval)|(?:coded|checked|verified|graded|marked|accepted|signed|approved|validated|reviewed|rated|scored) (?:and [\w']+ )?by|"
    r"hand-wr(?:ote|itten)|(?:that|which) (?:scored|rated|were rated|were scored)|"
    r"in our (?:voice|style|format)|handled|answered|resolved|translated|drafted|moderated|triaged|"
    r"(?:from|by) (?:our |the |their )?(?:(?:best|top|senior|expert|experienced|human|own|star)\s+)+[\w-]+"
)


def _pages_value(m: re.Match[str]) -> str | None:
    n = parse_number(m.group("num"))
    if n is None:
        return None
    unit = m.group("unit").lower()
    pages = n * _DOC_UNITS.get(unit, 5.0)
    return "fits_in_prompt" if pages * TOKENS_PER_PAGE <= CONTEXT_WINDOW_TOKENS else "large"


def _items_times_pages(m: re.Match[str]) -> str | None:
    items = parse_number(m.group("num"))
    pages = parse_number(m.group("per_num"))
    if items is None or pages is None:
        return None
    return "fits_in_prompt" if items * pages * TOKENS_PER_PAGE <= CONTEXT_WINDOW_TOKENS else "large"


def _requests_value(m: re.Match[str]) -> int | None:
    n = parse_number(m.group("num"))
    per = (m.group("per") or m.group("per2") or "month").lower()
    if n is None:
        return None
    return int(round(n * _PER.get(per, 1)))


def _examples_value(m: re.Match[str]) -> int | None:
    return parse_number(m.group("num"))


def _weeks_value(m: re.Match[str]) -> int | None:
    n = parse_number(m.group("num"))
    if n is None:
        return None
    unit = m.group("tunit").lower().rstrip("s")
    factor = _TIME_UNIT_WEEKS[_TIME_UNIT_ALIASES.get(unit, unit)]
    amount = n + (0.5 if m.groupdict().get("half") else 0)
    return max(1, int(round(amount * factor)))


_TIME_UNIT_WEEKS = {"day": 1 / 7, "week": 1, "fortnight": 2, "sprint": 2, "month": 4.33,
                    "quarter": 13, "year": 52}
_TIME_UNIT_ALIASES = {"wk": "week", "mo": "month", "mth": "month", "yr": "year"}
#: Units of a delivery time; "years" only after "in/within/by" (see the timeline patterns).
_TUNIT = r"(?P<tunit>days?|weeks?|wks?|fortnights?|sprints?|months?|mos|mths?|quarters?)"
_TUNIT_YEARS = r"(?P<tunit>years?|yrs?)"
_HALF = r"(?P<half>\s+and\s+a\s+half)?"
#: Not a delivery time: "3 months ago", "2 years of data".
_NOT_A_DEADLINE = r"(?!\s+of\b)(?![^.]{0,12}\b(?:ago|of (?:data|history|logs|records)))"


def _latency_bound(m: re.Match[str]) -> bool | None:
    """A bound of milliseconds, or of up to ten seconds, means someone waits on the answer."""
    n = parse_number(m.group("num"))
    if n is None:
        return None
    unit = m.group("lunit").lower()
    if unit.startswith(("ms", "msec", "milli")):
        return True
    return True if n <= 10 else None


def _money_budget(m: re.Match[str]) -> str | None:
    n = parse_number(m.group("num"))
    if n is None:
        return None
    monthly = bool(m.group("per") or m.group("per2"))
    if monthly:
        return "low" if n <= 500 else "medium" if n <= 5_000 else "high"
    return "low" if n <= 20_000 else "medium" if n <= 150_000 else "high"


_RATE_AHEAD = re.compile(r"^\s*,?\s*" + _RATE, re.I)

#: A small count in words or digits ("8", "five", "a dozen").
_COUNT = r"(?:\d{1,4}|a (?:few|handful of|dozen)|several|(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)(?:[- ]\w+)?)"
#: Things an answer can be traced to (a source document or a part of one).
_SOURCE_NOUN = (
    r"(?:sources?|documents?|docs?|pages?|sections?|clauses?|paragraphs?|passages?|articles?|"
    r"stor(?:y|ies)|entr(?:y|ies)|records?|protocols?|manuals?|polic(?:y|ies)|guidelines?|"
    r"regulations?|rules?|contracts?|files?|reports?|tickets?|notes?|chapters?|papers?|"
    r"stud(?:y|ies)|rulings?|statutes?|precedents?|standards?|specs?|links?|urls?|references?|"
    r"filings?|memos?|sops?|procedures?|wiki pages?|pdfs?|emails?|transcripts?|excerpts?|quotes?)"
)
#: "... it came from", "... the answer used", "... an answer is based on".
_PROVENANCE = (
    r"(?:(?:came|comes|come|is coming) from\b|(?:is|are|was|were) (?:based|grounded) (?:on|in)\b|"
    r"(?:is|was|are|were) (?:drawn|taken|pulled|sourced) from\b|(?:relied|relies|rely|drew|draws|draw) on\b|"
    r"used\b(?!\s+to\b)|uses\b|quoted\b|cited\b|supports? (?:it|the answer|that)\b)"
)

PATTERNS: tuple[Pattern, ...] = (
    # ---------------- needs_citations
    P("needs_citations", r"\b(?:cite|cites|citing|citations?|footnotes?|provenance|audit[- ]?trail|traceab\w+)\b", True, 0.8, False),
    P("needs_citations", r"\b(?:link|links|linking|point|points|pointing|refer|refers) (?:back )?to (?:the )?(?:[\w-]+ ){0,2}(?:source|document|page|section|clause|paragraph|policy|article|regulation)", True, 0.75, False),
    P("needs_citations", r"\b(?:which|what) (?:page|document|doc|source|section|file|record|manual|memo|article|clause)s? (?:the |an |each |every |this )?(?:answer|info\w*|fact|statement|claim|reply|it)s? (?:came|comes|come|is coming) from\b|\btrac\w+ (?:\w+ ){0,3}back to (?:the |its |their |a )?(?:\w+ )?(?:source|document|record|page|origin)", True, 0.75, False),
    P("needs_citations", r"\b(?:show|shows|showing|say|says|tell|tells|state|states) (?:users? |the user |them |us )?(?:where|which (?:document|source|page|section|clause)) (?:the |each |an |every )?(?:answer|information|fact|claim)", True, 0.8, False),
    P("needs_citations", r"\b(?:quote|quotes|quoting|reference|references|referencing) (?:the )?(?:exact |original |relevant |specific )?(?:source|document|page|section|clause|paragraph|policy|passage|article|regulation|rule)s?\b", True, 0.7, False),
    P("needs_citations", r"\b(?:sources?|references?) (?:must|should|need to|has to|have to) be (?:shown|given|listed|cited|linked|included)", True, 0.8, False),
    # "show which precedent each clause came from", "say which decree and which article".
    P("needs_citations", r"\b(?:which|what) (?:[\w-]+ ){1,2}?(?:each |the |an |every |this |a )?(?:[\w-]+ )?(?:came|comes|come|is coming|was taken|is taken|was drawn|is drawn|rests?|is based|was based) (?:from|on)\b", True, 0.7, False),
    P("needs_citations", r"\b(?:say|says|state|states|tell|tells|show|shows|name|names|give|gives|indicate|indicates|specify|specifies|mention|mentions)\s+(?:the user |users |them |the caller |citizens |staff )?which (?:exact |specific )?(?:decree|article|law|regulation|clause|section|paragraph|page|document|source|rule|policy|circular|judgment|case|manual|sop|standard|precedent|memo|ticket|record|file|bulletin|guideline)s?\b", True, 0.75, False),
    P("needs_citations", r"\bverif(?:y|iable)\b[^.]{0,40}\bsources?\b", True, 0.6, False),
    # Provenance: a display verb, a source noun and where the answer came from ("show the
    # clause it relied on", "see which entry an answer is based on", "name the source record").
    P("needs_citations", r"\b(?:show|see|name|cite|reference|display|indicate|identify|mention|tell|point (?:at|to)|surface|highlight|flag|list|reveal|know)(?:s|ed|ing)?\s+(?:\w+\s+){0,2}?(?:the|which|what|its|their)\s+(?:[\w-]+\s+)?" + _SOURCE_NOUN + r"(?:\s+(?:and|or|&)\s+" + _SOURCE_NOUN + r")?\s+(?:that\s+|which\s+)?(?:(?:it|they|this|(?:(?:the|an?|each|every|its|their)\s+)?(?:answers?|repl(?:y|ies)|responses?|figures?|facts?|numbers?|claims?|statements?|quotes?|summar(?:y|ies)|suggestions?|recommendations?|model|bot|assistant))\s+)?" + _PROVENANCE, True, 0.8, False),
    P("needs_citations", r"\b(?:show|name|cite|quote|reference|display|identify|point (?:at|to)|link (?:back )?to|links? to|linking to|surface|list|attach|mention|give)(?:s|ed|ing)?\s+(?:\w+\s+)?(?:the|its|their|each|every|an?)\s+(?:exact|original|specific|underlying|source|originating|supporting|precise|primary)\s+(?:[\w-]+\s+)?" + _SOURCE_NOUN + r"\b", True, 0.75, False),
    P("needs_citations", r"\b(?:exact|original|specific|precise|source)\s+(?:[\w-]+\s+)?" + _SOURCE_NOUN + r"\s+(?:\w+\s+)?(?:quoted|cited|referenced|linked|named|shown)\b", True, 0.75, False),
    P("needs_citations", r"\b(?:answers?|claims?|statements?|replies|responses?|figures?|facts?)\s+(?:must|should|need to|needs to|has to|have to|will)\s+be\s+(?:backed up|supported|justified|grounded)\s+(?:by|with|in)\s+(?:a |an |the )?(?:sources?|references?|links?|quotes?|evidence|passages?|citations?)\b", True, 0.75, False),
    P("needs_citations", r"\b(?:back(?:ed|s|ing)? up|support(?:ed|s|ing)?|justif(?:y|ies|ied))\s+(?:each |every |its |their |the )?(?:answers?|claims?|statements?|replies|responses?)\s+with\s+(?:a |an |the )?(?:sources?|references?|links?|quotes?|evidence|passages?)\b", True, 0.75, False),
    P("needs_citations", r"\b(?:citations?|sources?|references?|footnotes?)\s+(?:aren't|isn't|are not|is not|are never|won't be|will not be)\s+(?:really\s+)?(?:needed|required|necessary|important|expected|wanted|a (?:requirement|must|priority))\b", False, 0.85, self_negating=True),
    # ---------------- prompting_tried
    P("prompting_tried", r"\b(?:tried|try|trying|tested|experimented with|iterated on|spent \w+ (?:weeks|months) (?:on|tuning|writing)|been using|use|using|wrote|written|built) (?:\w+ ){0,3}(?:prompts?|prompting|few-shot|system prompts?|prompt engineering|prompt[- ](?:only|based))\b", True, 0.75, False),
    P("prompting_tried", r"\b(?:weeks?|months?|days?|sprints?|rounds?|iterations?) of (?:\w+ )?(?:prompt(?:ing| engineering| tweak\w*| tuning| iterations?| work)|few-shot)\b|\bprompt (?:iterations?|tweak\w*|experiments?)\b", True, 0.75, False),
    P("prompting_tried", r"\b(?:in|on|against) (?:our |the |their |thier |my )?(?:own )?(?:evals?|eval(?:uation)? set|evaluations?|testing|tests|test (?:set|suite)|benchmarks?|offline eval\w*|held[- ]out (?:set|data|eval\w*)|holdout(?: set)?)\b|\b(?:eval(?:uation)?s?|eval set|test set|benchmark) of \d", True, 0.6, False),
    P("prompting_tried", r"\b(?:prompts?|prompting|prompt engineering|few-shot examples?|instructions)\b[^.]{0,40}\b(?:fail\w*|(?:isn't|is not|wasn't|was not|aren't|are not|weren't) (?:enough|sufficient|reliable|consistent)|not enough|falls? short|fell short|(?:didn't|doesn't|did not|does not|couldn't|could not|can't|cannot|won't) (?:fix|solve|get|keep|make|hold|stop|work|help|stick)|plateau\w*|stops? working|gets? us (?:to )?(?:about |around )?\d+\s?%|scor(?:es|ed|ing)? (?:it |them |only |about |around |just |below |under |at )*(?:\d|poorly|badly|low))", True, 0.8),
    P("prompting_tried", r"\b(?:even with|despite|in spite of|after) (?:\w+ ){0,3}(?:prompts?|prompting|instructions|few-shot|examples in the prompt|prompt engineering|prompt tweaks|system prompts?)\b", True, 0.8),
    P("prompting_tried", r"\b(?:baseline|eval(?:uation)?s?|eval set|test set|benchmark)\b[^.]{0,40}\b(?:shows?|showed|measur\w+|scor\w+|exists?|in place|we have|we built|reach\w*|gets?|got|hits?|%)", True, 0.7, False),
    P("prompting_tried", r"\b(?:measured|we have) (?:a |an |our )?(?:prompting )?(?:baseline|eval set|evals|evaluation set)\b", True, 0.8, False),
    # A prompted model's measured result: "prompted model gets 78% on a 2k-message eval",
    # "prompt + 15 examples ... rated 2.9/5", "few-shot tested on 250 essays".
    P("prompting_tried", r"\b(?:prompted|prompting|prompts?|prompt ?\+|few-shot|system prompt)\b[^.;]{0,120}?(?:\d+(?:\.\d+)? ?%|\b\d(?:\.\d)? ?/ ?(?:5|10)\b|\bf1\b|\baccuracy\b|\b(?:tested|evaluated|scored|rated|measured|benchmarked) on (?:a |an |our )?[\d,.]+k?\b)", True, 0.7, False),
    P("prompting_tried", r"\b(?:haven't|have not|havent|hasn't|has not|didn't|did not|never|not yet|nobody has|no one has|nobody's) (?:\w+ ){0,4}?(?:tried|tested|built|started|written|done|experimented with|set|sat down|measured|evaluated|benchmarked|played with|run)\b[^.]{0,25}?\b(?:prompt\w*|anything|something|evals?|baseline|prototype)", False, 0.75, self_negating=True),
    P("prompting_tried", r"\b(?:haven't|have not|havent|hasn't|has not|didn't|did not|never|not yet)\s+(?:\w+\s+)?(?:prototyped|piloted|trialled|trialed)\b", False, 0.7, self_negating=True),
    P("prompting_tried", r"\b(?:we've|we have|we had|i've|i have)\s+(?:already\s+)?(?:done|tried|used|built|written|iterated on)\s+[^.;]{0,40}?(?:prompt\w*|few-shot|chain[- ]of[- ]thought)", True, 0.65, False),
    # A model was run with a prompt and looked at: that is a prompting baseline.
    P("prompting_tried", r"\b(?:ran|run|tested|tried|evaluated|benchmarked|measured|piloted)\s+(?:(?:the|a|an|our|gpt[-\w.]*|claude|gemini|base|hosted|big|large)\s+)*(?:model|llm|version|bot|assistant)s?\s+with\s+(?:a|an|our|the|some)?\s*(?:[\w-]+\s+){0,2}?(?:prompts?|instructions|few-shot examples)\b", True, 0.75, False),
    P("prompting_tried", r"\b(?:no|without (?:a|any)) (?:prompting )?(?:baseline|evals?|evaluation set|eval set|prototype)\b|\bnothing (?:is )?built yet\b|\b(?:start\w*|build\w*|begin\w*|we're|we are|it's|it is)\s+(?:\w+\s+){0,2}?from scratch\b|\bstill an idea\b|\bhaven't built\b|\bhave not built\b|\bnot (?:yet )?started\b|\bbefore we build\b|\bearly idea\b|\bjust an idea\b", False, 0.7, self_negating=True),
    # ---------------- behaviour gap: "none" when prompting already works
    P("behavior_gap", r"\b(?:prompting|prompts?|the (?:base |hosted )?model|gpt[-\w.]*|claude|gemini|it)\b (?:already |mostly |generally )?(?:works?|does|handles?|gets?|writes?|produces?|performs?) (?:\w+ ){0,4}(?:well|fine|great|good|nicely|perfectly)\b", "none", 0.7),
    P("behavior_gap", r"\b(?:format|formatting|tone|style|voice|output|quality|answers|writing)\b (?:is|are|looks?|seems?) (?:already )?(?:fine|ok|okay|good|great|acceptable|right|consistent)\b", "none", 0.65, None),
    P("behavior_gap", r"\b(?:off[- ]the[- ]shelf |base |existing |current |stock |general |frontier |hosted )?(?:models?|llms?|chatgpt)\b (?:already|mostly|generally|basically) (?:[\w-]+ ){1,4}?(?:fine|well|great|nicely|perfectly|accurately|correctly)\b", "none", 0.6),
    P("behavior_gap", r"\b(?:fine[- ]?tun\w*|train\w*)\s+(?:it |the model |a model |the bot |our model |the assistant )?(?:on|for|to (?:match|learn|capture|get|nail|sound like))\s+(?:our |the |its |their |a )?(?:brand |house |company |own |signature )?(?:tone|voice|style|persona)\b", "style", 0.55),
    P("behavior_gap", r"\b(?:prompting|prompts?|the (?:base |hosted |default |current )?model|it)\s+(?:already\s+)?(?:gives|delivers|produces|provides|achieves|meets|hits|reaches)\s+(?:us\s+)?(?:the\s+|a\s+)?(?:good|great|acceptable|excellent|high|strong|the)?\s*(?:quality|results|accuracy|output)\b", "none", 0.65, None),
    P("behavior_gap", r"\b(?:happy|satisfied|pleased|content)\s+with\s+(?:what (?:the model|it) (?:produces|writes|gives)|the (?:model's )?(?:output|outputs|results|quality|answers|drafts))\b", "none", 0.6, None),
    P("behavior_gap", r"\bno (?:problems?|issues?|complaints?) with (?:the )?(?:format|formatting|tone|style|output|quality|answers)\b", "none", 0.7, self_negating=True),
)

# Behaviour-gap topics: a topic plus a failure cue in the same sentence means a gap.
_GAP_TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("format", re.compile(r"\b(?:format\w*|structure[ds]?|template|schema|json|xml|layout|fields|sections|headings|mandated (?:wording|order)|regulatory wording|boilerplate|markup|mark-up|field (?:order|names?|values?|mapping)|(?:section|field|column) order|order of (?:the )?(?:sections|fields|columns)|columns?|tables?|bullet\w*|conventions?|paragraphs|numbering|(?:statutory|prescribed|mandated|mandatory|required|fixed|standard) (?:[\w-]+ )?(?:form|order|wording|layout|paragraphs?|blocks?|sections?|clauses?))\b", re.I)),
    ("style", re.compile(r"\b(?:tone|voice|brand[- ]voice|house style|style|persona|on[- ]brand|off[- ]brand|register|sounds? (?:like us|robotic|generic|bland)|wording|phrasing|(?:our|the|call|sales|support|phone|approved|brand|agent|house|their) scripts?|scripted|personality|character|friendly|formal|apologetic|empathetic|playful|quirky|signature|sound\w*|stiff|wooden|corporate|warm\w*|cheeky|unnatural|human[- ]like|spots? (?:the )?(?:ai|bot|machine)|plain[- ]language|plain english|readab\w+|reading[- ](?:level|age)|grade level|jargon|bureaucratic|legalese|chatty)\b", re.I)),
    ("reasoning", re.compile(r"\b(?:(?:step|check) order|order of (?:the )?(?:steps|checks)|reason\w*|calculat\w*|math\w*|arithmetic|logic\w*|multi[- ]step|judg(?:e)?ments?|conclusions?|inferences?|deduc\w+|diagnos\w+|severity|triage|escalat\w+|prioriti[sz]\w*|(?:wrong|bad|poor|odd|incorrect) (?:\w+ )?(?:calls?|tools?|steps?|actions?|decisions?|choices?|escalations?|codes?|grades?|scores?|priorit\w+)|suggestions?|recommend\w*|assessments?|grad(?:e|es|ed|ing)(?! level)|decisions?|edge[- ]cases?|marking|overrid\w+|overrode|next (?:best )?(?:step|action))\b", re.I)),
    ("new_skill", re.compile(r"\b(?:our own (?:taxonomy|categories|codes|query language|dsl|labels|classification)|(?:custom|internal|proprietary|in-house|domain[- ]specific) (?:[\w-]+ )?(?:taxonomy|codes|coding scheme|query language|dsl|classification|label(?:s|ling)? scheme|language|notation)|new (?:task|skill)|(?:dsl|query language)\b|notation|categor(?:y|ies)|classif\w+|labels?|tagging|compil\w+|syntax|grammar|lint(?:er|ing)?\b|validator|parser|(?:invalid|valid) (?:config\w*|code|commands?|scripts?|queries|syntax|rules?)|(?:commands?|keywords?|functions?) that (?:don't|do not) exist|scripting language|in-house (?:language|syntax))", re.I)),
)
_GAP_FAILURE = re.compile(
    r"\b(?:fail\w*|inconsisten\w*|drifts?|drifting|var(?:y|ies)|breaks?(?![- ]?even)|broke|broken|wrong|miss(?:es|ing)?|ignor\w+|"
    r"(?:can't|cannot|couldn't|doesn't|don't|didn't|won't|isn't|aren't|wasn't|hasn't|haven't|has not|have not|never) (?:\w+ ){0,3}(?:follow|keep|get|match|stick|hold|sound|capture|do|handle|reproduce|learn|produce|reliabl\w*|consistent\w*|right|fix(?:ed)?|solv(?:e|ed)|chang(?:e|ed)|improv(?:e|ed)|come close|came close)|"
    r"(?:only |maybe |about |roughly |around )?(?:half|a third|a quarter|two thirds)(?: of)? the time|\d+ (?:[\w-]+ )?(?:in|out of) (?:\d+|every \w+) (?:cases|times|outputs|answers|replies)?|badly|poorly|"
    r"unreliabl\w*|keeps? (?:\w+ ){0,2}(?:changing|slipping|drifting|getting|breaking|going)|off[- ]brand|(?:sounds?|too|feels?|reads?|very|so) generic|bland|robotic|"
    r"wobbl\w+|overdo\w*|overshoot\w*|all over the place|(?:from )?run[- ]to[- ]run|off[- ](?:format|template|spec|schema|tone|script)|"
    r"(?:don't|doesn't|won't|didn't|do not|does not|fails? to) (?:even )?(?:parse|compile|validate|execute)|(?:got|gets|getting) (?:us )?close but|"
    r"struggl\w+|falls? short|fell short|not good enough|(?<![./])invalid(?![./]\w)|incorrect|inaccurate|shallow|poor|weak|mediocre|unusable|skips?|skipped|skipping|varied|omits?|omitting|leaves? out|drops?(?! off)|"
    r"(?:hasn't|has not|haven't|have not|hadn't|never|not) (?:\w+ )?(?:managed|able)|unable|"
    r"scores? (?:it |us )?(?:only )?\d{1,6}(?: out of|/)|not consistent\w*|"
    # Shares and ratings ("rejects 42%", "2.5/5") are masked before this is searched and
    # judged by _share_polarity; "2 of 5" is left to this.
    r"[0-2](?:\.\d)? ?of ?5|3(?:\.0)? ?of ?5|(?:below|under|short of) (?:the |our )?(?:bar|target|threshold)|"
    r"disagree\w*|regress\w*|breach\w*|mangl\w*|garbl\w*|botch\w*|butcher\w*|(?:mess|messes|messed|screws?|screwed) up|violat\w*|stuck at|too (?:generous|lenient|harsh|strict|literal|verbose|wordy|long-winded)|(?:isn't|is not|not) (?:our|on) (?:voice|brand|tone|style)|plateau\w*|kappa|"
    r"(?:rated|called|labell?ed|described as|judged) (?:the |it |them |its |their )?(?:[\w-]+ )?[\"'\u201c]?(?:too )?(?:corporate|generic|bland|robotic|stiff|wooden|flat|cold|clinical|off|chatty|bureaucratic)|"
    r"(?:hate|dislike)[sd]?|(?:fell|dropped|fall|drops?) (?:by )?\d+ points|reads? like|preferred (?:the )?human|"
    r"(?:half|a third|a quarter|a fifth|two thirds) of (?:the |our )?(?:cases|outputs|drafts|answers|replies|letters|messages|suggestions|summaries|programs|queries|results|generations)|hit[- ]or[- ]miss|sloppy|mistakes?|errors?|hallucinat\w+ (?:steps|logic)|deviat\w+|overrode|(?:still|heavily|had to|have to|needed? to|needs? a|needed a|must) (?:be )?(?:re-?writ\w+|edit\w*|fix\w*|correct\w*|redo\w*|redone|reformat\w*|rework\w*)|rework(?:s|ed|ing)?|(?:rewrite|rewrote|rewriting|rewrites) (?:\w+ ){0,2}(?:half|most|many|all|each|every)|spots? (?:the )?(?:ai|bot|machine)|(?:sounds?|sounded|reads?|feels?|felt) (?:\w+ ){0,2}(?:stiff|wooden|flat|off|wrong|corporate|foreign|unnatural|fake|forced|awkward|cold|clinical|neutral|machine[- ]made|like a (?:robot|machine|bot|foreigner)))\b",
    re.I,
)

#: A task that transforms its input ("translate", "summarising", "rewritten"): the facts
#: arrive with the input. A bare verb opening a sentence ("Translate all of your
#: instructions") is an order to the reader, not a description of the feature, so base
#: forms count only mid-sentence; a task word inside a complaint is vetoed in
#: _not_a_quantity.
_TASK_WORD_RULE = P("knowledge_source", r"(?:(?<=[a-z,] )(?:translate|summari[sz]e|rewrite|paraphrase|proofread|brainstorm)\b|\b(?:translat(?:ion|ions|ing|es|ed|ors?)|summari[sz](?:ing|es|ed|ations?|ers?)|rewrit(?:ing|es|ten|ers?)|paraphras(?:ing|es|ed|ers?)|proofread(?:ing|s|ers?)|brainstorm(?:ing|s|ers?))\b)(?!\s+(?:more than |over |about |nearly |almost |roughly )?(?:half|most|many|all|each|every|\d|a third|a quarter|them\b|it\b|the (?:drafts?|outputs?|answers?|replies|results|summar)))", "general", 0.4, None)

_MORE: list[Pattern] = [
    # ---------------- knowledge_source
    P("knowledge_source", r"\b(?:our|the company's|company|internal|in-house|private|proprietary|confidential|customer|customers'|client|clients')\s+(?:own\s+)?(?:internal\s+)?(?:(?!public\b|publicly\b|open\b)\w+\s+)?(?:manuals?|help (?:cent(?:er|re)|pages|articles)|intranet|handbooks?|policies|policy documents|playbooks?|wiki|knowledge base|documentation|docs|documents|contracts?|records|database|tickets|transactions?|inventory|catalog(?:ue)?s?|price ?lists?|pricing|specs|specifications|guidelines|procedures|sops|case files|files|reports|data|datasets?|product (?:information|data|details)|account (?:data|details|history)|orders?|order history|history|notes|memos|research|filings|archives?|runbooks?|faqs?|terms|library|libraries|precedents?)\b(?![\s-]+(?:desk|team|department|staff|managers?|officers?|clerks?|agents?|volumes?|process|pipeline|flow|workflow)\b)", "proprietary", 0.7, None),
    P("knowledge_source", r"\b(?:nothing|none of it(?: is)?|not) (?:proprietary|confidential|private|internal|secret|sensitive)\b", "general", 0.75, None, self_negating=True),
    P("knowledge_source", r"(?<!nothing )(?<!not )\b(?:proprietary|confidential|internal[- ]only|not (?:publicly )?available|not public|isn't public|non-public|behind (?:our|the) (?:firewall|login)|(?:the |a |any )?(?:base |public |off-the-shelf )?model (?:doesn't|does not|can't|cannot|won't|wouldn't) know|models? (?:lacks?|haven't seen|have never seen|never saw))\b", "proprietary", 0.75, None, self_negating=True),
    P("knowledge_source", r"\b(?:their|his|her|your|each (?:client|customer|user|patient)'s) (?:own )?(?:\w+ )?(?:accounts?|account activity|transactions|orders|records|history|portfolios?|positions|data|bookings|claims|polic(?:y|ies)|balances?|details|profiles?|plans?|cover|coverage|subscriptions?)\b|\baccount (?:activity|history|balances?|data)\b", "proprietary", 0.7, None),
    P("knowledge_source", r"\b(?:nothing|none of it|no \w+)\b[^.;]{0,30}?\b(?:the |a |any )?(?:base |public |off-the-shelf )?model (?:wouldn't|doesn't|does not|would not|can't|cannot|won't) (?:already )?know\b", "general", 0.8, None, self_negating=True),
    P("knowledge_source", r"\b(?:any|every|a|the)\s+(?:decent|good|modern|off-the-shelf|general|standard|capable|frontier|base|stock)\s+(?:model|llm)\s+(?:can|could|would|will|should)\s+(?:easily\s+)?(?:do|handle|manage|cope with|write|answer)\b", "general", 0.55, None),
    P("knowledge_source", r"\b(?:only|just) needs? (?:what(?: is|'s) in )?(?:the|its|their|each|what the user|what they) (?:[\w-]+ )?(?:text|transcript|thread|email|message|input|document|note|description|conversation|ticket|form|pastes?|gives? it|provides?|types?)s?\b|\beverything (?:it|the model) needs is (?:right )?(?:there )?in\b", "general", 0.55, None),
    # The facts arrive with the input: "everything needed is in the order itself", "all
    # product facts come from the sheet sent with each request".
    P("knowledge_source", r"\b(?:everything|all (?:the |of the )?(?:[\w-]+\s+)?(?:facts|information|info|data|details|content)|the (?:[\w-]+\s+)?(?:facts|information|details)|all (?:it|the model) needs)\b(?:\s+[\w-]+){0,3}?\s+(?:is|are|comes?|come|arrives?|arrive|sits?|lives?)\s+(?:already\s+|right\s+)?(?:in|with|inside|from)\s+(?:the|each|every|that|its|their)\s+(?:[\w-]+\s+){0,3}?(?:itself|themselves|request|input|message|email|ticket|form|transcript|payload)\b|\b(?:sent|supplied|provided|passed|included|attached|comes?|arrives?)\s+(?:in\s+)?(?:with|in)\s+(?:each|every)\s+(?:request|call|message|query|order|ticket|submission)\b", "general", 0.75, None),
    P("knowledge_source", r"\b(?:general|common|public|everyday|widely known|well[- ]known|world|generic) (?:[\w-]+ )?(?:knowledge|information|facts|topics|questions|categories|language|content|stuff)\b|\b(?:the model|llms?|gpt[-\w.]*|it) already knows?\b|\bpublicly available\b", "general", 0.6, None),
    _TASK_WORD_RULE,
    P("knowledge_source", r"\b(?:grammar|spelling|tagline|slogan|social media posts?|cover letters?|product names?|classif\w+ (?:the )?(?:sentiment|emails?|messages?|tickets?))\b", "general", 0.4, None),
    P("knowledge_source", r"\bno (?:internal|proprietary|company|private|special|extra|domain) (?:data|documents|knowledge|information|docs)\b|\bdoesn't need (?:any )?(?:our|company|internal|private) (?:data|documents)\b", "general", 0.65, None, self_negating=True),
    # ---------------- corpus_size
    P("corpus_size", NUM + r"[\s-]*(?:(?!\d)[\w-]+\s+){0,2}?(?P<unit>" + _DOC_UNIT_ALT + r")\b", _pages_value, 0.75, None),
    P("corpus_size", NUM + r"\s+(?:[\w-]+\s+){0,2}?[\w-]+s\b,?\s+(?:each\s+)?(?:of\s+)?(?:about\s+|roughly\s+|around\s+|up to\s+)?(?P<per_num>\d[\d,]*|one|two|three|four|five|ten|twenty|fifty|a few)[\s-]+pages?(?:\s+each|\s+long)?\b", lambda m: _items_times_pages(m), 0.8, None),
    P("corpus_size", r"\b(?:thousands|millions|tens of thousands|hundreds of thousands) of (?:\w+\s+){0,2}(?:documents|docs|pages|files|pdfs|articles|contracts|reports|records|products|items|listings|cases|manuals|policies|tickets|emails|papers)\b", "large", 0.7, None),
    P("corpus_size", r"\b(?:huge|massive|vast|large|big|growing|enormous|sprawling|extensive) (?:\w+\s+){0,2}(?:archive|corpus|collection|library|knowledge base|document base|catalog(?:ue)?|repository|database|wiki|intranet|data ?set|body of (?:documents|text))\b|\bdecades of\b|\byears of (?:\w+\s+)?(?:documents|records|reports|tickets|filings|case law|cases)\b|\bentire (?:catalog(?:ue)?|archive|intranet|wiki|library)\b", "large", 0.6, None),
    P("corpus_size", r"\b(?:short|small|brief|single|one|compact|slim|thin|concise)\s+(?:\w+\s+){0,1}(?:handbook|guide|policy|faq|document|manual|rulebook|style guide|brochure|playbook|menu|price list|glossary)\b|\bfits? (?:easily )?(?:in|into) (?:the|a|one) (?:prompt|context(?: window)?)\b|\bfew (?:pages|documents|paragraphs)\b|\bone[- ]pager\b", "fits_in_prompt", 0.65, None),
    P("corpus_size", r"\b(?:no|without|don't have|do not have|zero) (?:any )?(?:documents|docs|document collection|knowledge base|corpus|reference (?:material|documents|data)|documentation|files)\b|\bnothing to look up\b|\bno (?:data|documents) to (?:search|retrieve|look up)\b", "none", 0.7, None, self_negating=True),
    P("corpus_size", r"\b(?:doc|document|manual|guide|faq|policy|handbook|schema|spec|sheet|rulebook|glossary)s?\s+(?:is|are)\s+(?:very\s+|quite\s+|pretty\s+|really\s+)?(?:tiny|short|small|brief|compact|only a few pages|a few pages)\b", "fits_in_prompt", 0.6, None),
    P("corpus_size", r"\b(?:only|just) needs? (?:what(?: is|'s) in )?(?:the|its|their|each|what the user|what they) (?:[\w-]+ )?(?:text|transcript|thread|email|message|input|note|description|conversation|pastes?|gives? it|types?)s?\b|\beverything (?:it|the model) needs is (?:right )?(?:there )?in\b|\b(?:transcript|text|record|email|note|message|description|draft|bullets|notes)s?\s+(?:that\s+)?(?:the\s+|a\s+)?[\w-]+\s+(?:pastes?|types?|enters?|uploads?|submits?|forwards?|drops?|dictates?)(?: in)?\b", "none", 0.55, None),
    P("corpus_size", r"\b(?:pastes?|pasted|uploads?|uploaded|forwards?|drops?) (?:in |into (?:\w+ ){0,2})?(?:the|their|a|his|her|each|an) (?:[\w']+ )?(?:transcripts?|text|documents?|emails?|notes?|files?|articles?|messages?)\b", "none", 0.5, None),
    # ---------------- data_dynamics
    P("data_dynamics", r"\b(?:real[- ]?time|live|up[- ]to[- ]the[- ](?:minute|second)|streaming|intraday)\s+(?:\w+\s+)?(?:data|prices?|pricing|inventory|stock|feeds?|information|updates?|rates?|figures|numbers|availability|positions|scores|balances?|transactions|status|market)\b", "dynamic", 0.85, None),
    P("data_dynamics", r"\b(?:every|each|once an?|once per)\s+(?:single\s+)?(?:day|hour|minute|second|morning|night|evening)\b|\b(?:daily|hourly|nightly|constantly|continuously|continually|minute by minute|by the (?:minute|hour)|(?:several|many|multiple|a few) times (?:a|per) day|throughout the day|around the clock|all day)\b", "dynamic", 0.8, None),
    P("data_dynamics", r"\b(?:chang\w+|updat\w+|mov\w+|fluctuat\w+)\s+(?:\w+\s+)?(?:all the time|constantly|frequently|often|quickly|rapidly|fast|every day|daily|hourly|by the minute|in real[- ]time)\b|\bchang\w* (?:whenever|any ?time|at any time|as soon as)\b|\b(?:fast|quickly|rapidly|ever|constantly|always)[- ]changing\b|\b(?:today's|this morning's|current|latest|live) (?:prices?|stock levels?|inventory|balances?|rates?|availability|positions|schedules?|news|headlines|weather|scores|orders?)\b|\bbreaking news\b|\bstock levels?\b", "dynamic", 0.75, None),
    P("data_dynamics", r"\breal[- ]?time\b", "dynamic", 0.55, None),
    # Live records and feeds beyond the usual nouns ("the live alert stream", "outage status is live").
    P("data_dynamics", r"\blive\s+(?:[\w-]+\s+){0,2}?(?:streams?|accounts?|alerts?|events?|orders?|tickets?|metrics|telemetry|topology|traffic|outages?|sessions?|queues?|positions|trades|standings|stats|scores)\b|\b(?:status|data|prices?|stock|figures|numbers|availability|inventory|schedules?|rates)\s+(?:is|are)\s+live\b|\bsame[- ]day\s+(?:[\w-]+\s+){0,2}?(?:data|feeds?|reports?|routing|prices?|weather|status|information)\b", "dynamic", 0.7, None),
    # Several times a week is too fast for any retraining cycle: it is changing data.
    P("data_dynamics", r"\bevery\s+(?:few|couple of|other|two|2|three|3)\s+days\b|\b(?:several|many|multiple|a few)\s+times\s+(?:a|per|each)\s+week\b", "dynamic", 0.6, None),
    # Each user's own account data changes with every transaction (FIELDS: account data).
    P("data_dynamics", r"\b(?:customer|user|client|patient|member|citizen|subscriber|policyholder|caller)s?'s?\s+(?:own\s+|current\s+|latest\s+|live\s+|recent\s+)?(?:account|plan|usage|balance|orders?|transactions|bookings?|claim status|tickets?|positions|trades)\b|\b(?:account|transaction)\s+(?:data|events|history|activity)\b", "dynamic", 0.6, None),
    # New items by the day: "~300 new ones per day", "dozens of edits a day".
    P("data_dynamics", r"\b(?:dozens|hundreds|thousands|\d[\d,.]*k?)\s+(?:of\s+)?(?:new|fresh|more)\s+(?!(?:customers|users|clients|members|sign-?ups|subscribers|visitors|employees|hires|people|requests|questions|queries|calls|chats|conversations)\b)(?:[\w-]+\s+){0,2}?(?:a|per|each)\s+(?:day|hour|minute)\b|\b(?:dozens|hundreds|thousands|\d[\d,.]*k?)\s+(?:of\s+)?(?:edits|updates|changes|deploys|deployments|commits|additions)\s+(?:a|per|each)\s+(?:day|hour)\b", "dynamic", 0.7, None),
    # "every few seconds", "every 15 minutes", "most days", "several times a day".
    P("data_dynamics", r"\bevery\s+(?:few|couple of|\d{1,3}|two|five|ten|fifteen|thirty)\s+(?:seconds|minutes|hours)\b|\b(?:most|every other)\s+(?:days|weekdays|business days)\b|\b(?:several|many|multiple|a few)\s+times\s+(?:a|per|each)\s+(?:day|hour)\b", "dynamic", 0.6, None),
    P("data_dynamics", r"\b(?:every|each|once an?|once per|per)\s+(?:(?:couple of |few |two |2 |three |3 |four |4 |six |6 |other )?(?:weeks?|months?|quarters?)|(?:other )?years?|releases?|seasons?|semesters?|terms?|sprints?)\b|\b(?:weekly|fortnightly|biweekly|monthly|quarterly|annually|yearly|seasonally|periodically|occasionally|from time to time|now and then|(?:twice|thrice|(?:a few|several|two|three|four) times) (?:a|per|each) (?:year|month|quarter))\b|\bnew (?:versions?|editions?|releases?) (?:\w+ ){0,3}(?:released|published|come out|ship)\b", "periodic", 0.7, None),
    P("data_dynamics", r"\b(?:static|unchanging|never (?:really |actually |ever )?chang\w+|rarely (?:really |ever )?chang\w+|seldom chang\w+|hardly ever chang\w+|stable|frozen|fixed (?:set|content|corpus|body)|set in stone|same for years|once a decade|(?:every|once in|once every) (?:a )?(?:few|couple of|several|two|three|four|five|ten|\d{1,2}) years|historical (?:archive|records|data)|(?:don't|doesn't|do not|does not|won't|will not|didn't|hasn't|haven't) (?:really )?chang\w+(?: much| often)?)\b", "static", 0.75, None, self_negating=True),
    # ---------------- focus
    P("focus", r"\b(?:niche|highly speciali[sz]ed|speciali[sz]ed|deep[- ]domain|domain[- ]specific|expert[- ]level|narrow (?:domain|field|use case)|jargon|technical vocabulary|subject[- ]matter experts?)\b", "niche", 0.75, None),
    P("focus", r"\b(?:radiologists?|underwriters?|insurers?|actuar(?:y|ies)|agronom\w+|clinicians?|patholog\w+|cardiolog\w+|oncologists?|pharmacists?|lawyers?|attorneys?|paralegals?|regulators?|engineers? of record|geologists?|epidemiolog\w+|toxicolog\w+|(?:our|their|the company's) (?:domain |subject[- ]matter |in-house )?(?:experts|specialists)|expert[- ](?:written|reviewed|curated|judg\w+|knowledge))\b", "niche", 0.55, None),
    P("focus", r"\b(?:insurance|actuarial|underwriting|legal|law firm|litigation|medical|clinical|pharma\w*|radiology|oncology|tax|accounting|auditing|auditors?|compliance|regulatory|patent|maritime|aerospace|semiconductor|geolog\w+|reinsurance|derivatives|biotech|veterinary|nuclear|mining|oil and gas|customs|tariff|agricultur\w*|agronomy|extension (?:service|officers?|workers?|agents?)|aviation|avionics|forensic\w*|hydrolog\w+|seismic|metallurg\w+|petrochemical|veterinar\w+|dental|dentistry|histopatholog\w+|credit risk|anti-money laundering|aml|kyc)\b", "niche", 0.5, None),
    # Expert judgement as the standard: "the way our extension officers reason about soils".
    P("focus", r"\b(?:the way|how)\s+(?:our|the|their)\s+(?:[\w-]+\s+){0,2}?(?:officers|experts|engineers|doctors|lawyers|adjusters|underwriters|technicians|mechanics|analysts|specialists|clinicians|radiologists|nurses|pharmacists|planners|inspectors|surveyors|editors|coders|assessors|examiners|partners)\s+(?:actually\s+|really\s+)?(?:reason|think|advise|decide|judge|diagnose|assess|weigh|grade|code|triage)\b", "niche", 0.6, None),
    P("focus", r"\b(?:broad|general[- ]purpose|general audience|everyone|anyone|any topic|wide (?:range|variety)|all kinds of|mass[- ]market|general public|consumers?|everyday (?:users|questions|tasks))\b", "broad", 0.6, None),
    # ---------------- interaction_complexity
    P("interaction_complexity", r"\b(?:multi[- ]?step|multi[- ]?turn|back[- ]and[- ]forth|follow[- ]up questions?|several steps|many steps|step[- ]by[- ]step|plan(?:s|ning)? (?:\w+ )?(?:trips?|itinerar\w+|steps|projects?)|weigh\w* (?:options|trade[- ]?offs|alternatives)|negotiat\w+|troubleshoot\w*|diagnos\w+|walks? (?:them|users|customers) through|chain of thought|tree of thought|what[- ]if|edge cases|branching|complex (?:questions|conversations|interactions|requests|workflows?|cases|reasoning|queries))\b", "complex", 0.65, None),
    P("interaction_complexity", r"\b(?:simple|one[- ]shot|single[- ]turn|short answers?|quick (?:answers?|lookups?|questions?)|straightforward|one question at a time|yes/no|one[- ]line|look[- ]?ups?|a single (?:field|label|category|answer))\b", "simple", 0.6, "complex"),
    # One-shot task shapes: sorting an input into a fixed set of buckets, or turning one
    # input into one output. A conversational cue above (0.65) still wins over these.
    P("interaction_complexity", r"\b(?:classif\w*|categori[sz]\w*|tag(?:s|ged|ging)?|label(?:s|led|ling)?|sort(?:s|ed|ing)?|bucket(?:s|ed|ing)?|rout(?:e|es|ed|ing)|triag\w*|assign(?:s|ed|ing)?|map(?:s|ped|ping)?)\b[^.;]{0,60}?\b(?:into|to|as|by|among)\s+(?:one of\s+)?(?:the\s+|our\s+)?(?:" + _COUNT + r"\s+)?(?:[\w-]+\s+){0,2}?(?:categories|buckets|classes|labels|intents|queues|types|groups|tiers|codes|topics|teams|departments)\b", "simple", 0.55, None),
    P("interaction_complexity", r"\b(?:classif\w*|categori[sz]\w*|tag(?:s|ged|ging)?|label(?:s|led|ling)?|sort(?:s|ed|ing)?|bucket(?:s|ed|ing)?|flag(?:s|ged|ging)?|mark(?:s|ed|ing)?|rat(?:e|es|ed|ing)|scor(?:e|es|ed|ing))\s+(?:[\w-]+\s+){0,3}?as\s+[\w-]+\s*(?:/|,|\bor\b)\s*[\w-]+", "simple", 0.55, None),
    P("interaction_complexity", r"\b(?:intent|sentiment|spam|topic|language|toxicity|priority|urgency)\s+(?:classifier|classification|detection|detector|scoring|tagging|labell?ing|router|routing)\b|\bscor(?:e|es|ed|ing) (?:the )?sentiment\b", "simple", 0.55, None),
    P("interaction_complexity", r"\b(?:turn(?:s|ed|ing)?|convert(?:s|ed|ing)?|transform(?:s|ed|ing)?|rewrit(?:e|es|ing|ten)|restructur(?:e|es|ed|ing)|reformat(?:s|ted|ting)?|translat(?:e|es|ed|ing))\b[^.;]{0,80}?\binto\b|\bsummari[sz](?:e|es|ed|ing)\b|\b(?:extract|pull)(?:s|ed|ing)?\s+(?:[\w-]+\s+){0,2}?(?:fields|entities|data points|values|details|line items)\s+(?:out of|from)\b", "simple", 0.5, None),
    # ---------------- labeled_examples (numbers of outputs written by people)
    P("labeled_examples", NUM + r"\s+(?:(?:" + _EXAMPLE_QUALIFIERS + r"|[\w-]+)\s+){0,3}(?:" + _EXAMPLE_NOUNS + r")\b(?=[^.]{0,60}\b(?:" + _EXAMPLE_QUALIFIERS + r"|" + _AUTHORSHIP + r"))", _examples_value, 0.75, None),
    P("labeled_examples", NUM + r"\s+(?:[\w/-]+\s+){0,2}?[\w-]+s\b(?=\s+(?:that\s+|which\s+)?(?:(?:our|the|my|their)\s+(?:[\w-]+\s+){0,2}?)?(?:" + _AUTHORSHIP + r")\b)", _examples_value, 0.7, None),
    # Input-output pairs: "18k closed claims with the final decision", "60,000 invoices with
    # their validated XML", "2M query->category outputs that passed QA".
    P("labeled_examples", NUM + r"\s+(?:[\w/>-]+\s+){0,3}?[\w>-]+s\b(?=(?:\s+(?:in|from|on)\s+(?:the\s+|our\s+)?[\w-]+)?\s+(?:(?:each\s+)?(?:paired|matched|stored|archived|filed|saved|kept)\s+)?(?:(?:with|carrying|bearing|showing|recording|holding)\s+(?:(?:their|the|its|our|each)\s+)?|(?:and|alongside)\s+(?:their|the|its|our|each)\s+)(?:[\w'-]+\s+){0,2}?(?:" + _GOLD_OUTPUT + r")\b)", _examples_value, 0.7, None),
    # "aligned input-to-output pairs for roughly 20,000 programmes": the count follows the pairs.
    P("labeled_examples", r"\b(?:pairs|examples)\s+(?:for|from|covering|across|of)\s+(?:about\s+|around\s+|roughly\s+|some\s+|over\s+|nearly\s+|almost\s+)?" + NUM + r"\s+(?:[\w-]+\s+){0,1}?[\w-]+s\b", _examples_value, 0.7, None),
    # The count after the noun: "a decade of adjuster-graded claims, about 14k".
    P("labeled_examples", r"\b(?:" + _EXAMPLE_QUALIFIERS + r")\s+(?:[\w-]+\s+)?[\w-]+s,?\s+(?:about|around|roughly|some|over|nearly|almost|approximately|a bit over|just over)\s+" + NUM + r"(?!\s*(?:%|percent|pages?|tokens|words|a (?:day|week|month|year)|per\b))", _examples_value, 0.7, None),
    # "5,000 procedures paired with the protocol file that ran": pairs are worked examples.
    P("labeled_examples", NUM + r"\s+(?:[\w/>-]+\s+){0,3}?[\w>-]+s\b(?=,?\s+(?:each\s+|all\s+)?(?:paired|matched|linked|mapped|aligned)\s+(?:up\s+)?(?:with|to)\b)", _examples_value, 0.7, None),
    P("labeled_examples", NUM + r"\s+(?:[\w/>-]+\s+){0,3}?[\w>-]+s\b(?=\s+(?:that|which)\s+(?:passed|cleared|got|were|have been)\s+(?:\w+\s+)?(?:qa|review|approved|accepted|signed off|replies|sign-?off)\b)", _examples_value, 0.7, None),
    P("labeled_examples", r"\b(?:labell?ed|annotated|collected|curated|wrote|written|reviewed|prepared|gathered|corrected|graded|abstracted|edited|approved|decided|tagged|transcribed|signed off(?: on)?|coded|scored|rated|verified|validated|adjudicated|answered|resolved|translated|drafted|marked|moderated|triaged|classified|categori[sz]ed|assessed)\s+(?:about\s+|around\s+|over\s+|some\s+|roughly\s+|nearly\s+|almost\s+)?" + NUM + r"\s+(?:[\w/-]+\s+){0,2}?(?:" + _EXAMPLE_NOUNS + r"|[\w-]+s)\b", _examples_value, 0.75, None),
    P("labeled_examples", NUM + r"\s+(?:(?:[\w-]+)\s+){0,3}?(?:" + _EXAMPLE_QUALIFIERS + r")\s+(?:(?:[\w/-]+)\s+){0,3}?(?:" + _EXAMPLE_NOUNS + r"|[\w-]+s)\b", _examples_value, 0.8, None),
    P("labeled_examples", NUM + r"\s+(?:[\w&/-]+\s+){0,2}?(?:examples?|pairs|training examples|labell?ed (?:examples|samples|rows|records))\b", _examples_value, 0.8, None),
    P("labeled_examples", r"\b(?:no|zero|without|don't have (?:any )?|do not have (?:any )?|lack)\s*(?:labell?ed|annotated|training|example)\s*(?:data|examples|samples|pairs|set)\b|\bno (?:examples|training data)\b|\bnothing labell?ed\b", 0, 0.8, None, self_negating=True),
    # ---------------- monthly_requests
    P("monthly_requests", NUM + r"\s*(?:[\w-]+(?:\s+|(?=\s*/))){0,3}?" + _RATE + r"\b", _requests_value, 0.75, None),
    P("monthly_requests", r"\b(?:high[- ]volume|huge volume|massive scale|at scale)\b", 2_000_000, 0.45, None),
    P("monthly_requests", r"\b(?:low[- ]volume|a handful of (?:users|requests|people)|a few (?:users|requests|people) (?:a|per) (?:day|week))\b", 2_000, 0.5, None),
    # ---------------- latency_sensitive
    P("latency_sensitive", r"\b(?:latency|instant\w*|sub-?second|under (?:a |one |\d+ ?)(?:second|seconds|ms|milliseconds)|within (?:a |one |\d+ ?)(?:second|seconds|ms|milliseconds)|fast (?:responses?|answers?|replies)|snappy|while (?:the |a )?(?:customer|user|caller|agent|patient) (?:waits|is waiting|is on the (?:phone|line))|on the phone|live (?:chat|calls?|conversations?|agents?)|voice (?:assistant|bot|agent|calls?)|autocomplete|type-?ahead|real[- ]?time (?:responses?|answers?|replies|chat|suggestions|conversation|assistance))\b", True, 0.7, False),
    P("latency_sensitive", r"\b(?:batch(?:es|ed)?|overnight|nightly|asynchronous(?:ly)?|async|no rush|not (?:time[- ])?(?:critical|urgent)|(?:can|could) take (?:a few |several )?(?:minutes|hours)|by (?:the )?next (?:morning|day)|offline processing|in the background)\b", False, 0.6, None),
    P("latency_sensitive", r"\blatency (?:is|isn't|is not|does not|doesn't) (?:not )?(?:a )?(?:concern|matter|issue|critical|important|problem)\b|\bspeed (?:doesn't|does not|isn't|is not) (?:matter|critical|important)\b", False, 0.75, None, self_negating=True),
    # A response-time bound: any milliseconds, or a few seconds ("< 200 ms", "within two seconds").
    P("latency_sensitive", r"(?:<|≤|\bunder|\bbelow|\bwithin|\bless than|\bfaster than|\bno (?:more|longer) than|\bat most|\bmax(?:imum)?(?: of)?|\bsub)\s*(?:~\s*|(?:about|around|roughly|approximately|approx\.?)\s+)?" + NUM + r"[\s-]*(?P<lunit>ms|msecs?|milliseconds?|s|secs?|seconds?)\b", _latency_bound, 0.75, None),
    P("latency_sensitive", r"\b(?:too|painfully|far too|way too) (?:slow|sluggish|laggy)\b|\btakes? (?:far |way )?too long to (?:respond|reply|answer|return|come back)\b", True, 0.65, None),
    P("latency_sensitive", r"\b(?:users?|customers?|callers?|shoppers?|players?|agents?|reps?|patients?|guests?|visitors?|people|drivers?|staff|clinicians|buyers|students)\s+(?:are\s+|is\s+|sit\s+|sits\s+|stand\s+|will be\s+|would be\s+|are left\s+)?(?:\w+\s+)?(?:waiting|wait)\s+(?:on|for|in|at|while)\b", True, 0.7, False),
    P("latency_sensitive", r"\b(?:nobody|no one|no-one)\s+(?:is\s+|will be\s+|sits\s+|has to\s+)?(?:\w+\s+)?wait(?:s|ing)?\b", False, 0.7, None, self_negating=True),
    P("latency_sensitive", r"\b(?:repl(?:y|ies)|responses?|answers?|results?|suggestions?|completions?|output)\s+(?:\w+\s+){0,3}?(?:be|come back|arrive|appear|return|show up)\s+(?:really\s+|very\s+|super\s+|near[- ])?(?:fast|quick(?:ly)?|instant(?:ly|aneous(?:ly)?)?|immediate(?:ly)?|snappy|speedy)\b", True, 0.7, False),
    P("latency_sensitive", r"\b(?:speed|latency|response times?|responsiveness)\s+(?:really\s+)?(?:matters?|is (?:critical|key|crucial|important|essential|a (?:priority|must|big deal))|counts)\b", True, 0.7, None),
    P("latency_sensitive", r"\b(?:during|mid|in the middle of)[ -](?:the |a |an )?(?:live )?(?:calls?|conversations?|checkout|sessions?)\b|\b(?:at|in|during) (?:the )?checkout\b", True, 0.6, None),
    # ---------------- privacy
    P("privacy", r"\b(?:on[- ]?prem(?:ise|ises)?|self[- ]host\w*|air[- ]?gapped|(?:our|own) (?:servers|data ?cent(?:er|re)s?|hardware|infrastructure|gpus?|private cloud|vpc)|sovereign\w*|open[- ]weights?|local(?:ly hosted)? (?:model|llm)s?|behind (?:our|the) firewall|in[- ]house (?:servers|hosting|only))\b", "self_hosted", 0.75, "cloud_ok"),
    P("privacy", r"\b(?:data|nothing|it|records|documents|information)\s+(?:\w+\s+){0,3}(?:can't|cannot|must not|mustn't|may not|can never|is not allowed to|isn't allowed to|are not allowed to|aren't allowed to|should never|must never|never)\s+(?:\w+\s+){0,2}(?:leaves?|go to|goes to|be sent|be shared|be uploaded|touch|touches|pass through|passes through)\b|\b(?:won't|will not|doesn't|does not|don't|do not|can't|cannot|never|not) (?:let|allow) (?:\w+\s+){0,3}?(?:data|records|logs|files|documents|information|it|anything)\s+(?:to\s+)?(?:leave|go to|be sent|out of)\b|\b(?:no|not allowed to use|can't use|cannot use|forbidden to use) (?:any )?(?:external|third[- ]party|cloud|hosted|public) (?:apis?|services|providers|llms?|models)\b", "self_hosted", 0.8, None, self_negating=True),
    P("privacy", r"\bon[- ]?device\b|\bon the (?:device|tablets?|phones?|laptops?|handsets?)\b|\b(?:no|without(?: an?)?) (?:internet|network|connectivity)(?: (?:connection|access))?\b|\b(?:fully|runs?|works?|running) offline\b", "self_hosted", 0.7, None, self_negating=True),
    P("privacy", r"\b(?:hipaa|gdpr|patient data|health records|classified|itar|pii|personal data|bank secrecy)\b", "self_hosted", 0.45, None),
    P("privacy", r"\b(?:cloud (?:is|would be) (?:fine|ok|okay|acceptable)|(?:fine|happy|ok|okay|comfortable) (?:with |to )?(?:us(?:e|ing) )?(?:openai|azure|the cloud|cloud|hosted|an api|external apis?|aws|gcp|vertex)|no (?:special )?(?:privacy|data residency) (?:concerns|constraints|requirements|issues)|(?:data|it) (?:is|isn't|is not) (?:not )?(?:sensitive|public)|already (?:use|on) (?:azure|aws|gcp|openai)|(?:we )?use (?:the )?(?:openai|azure openai|claude|gemini|gpt)[\w.-]* api)\b", "cloud_ok", 0.6, None),
    # ---------------- budget
    P("budget", r"\b(?:small|tight|limited|low|shoestring|minimal|tiny|no real|thin|lean)\s+(?:\w+\s+)?budget\b|\bbudget (?:is|'s) (?:very |quite |pretty )?(?:small|tight|limited|low|minimal|thin)\b|\b(?:can't|cannot|can not) (?:afford|spend)\b|\bbootstrapp\w+|\bnon-?profit\b|\bcheap(?:ly|est)?\b|\bcost[- ](?:sensitive|conscious)\b|\b(?:keep|keeping) (?:the )?costs? (?:down|low|minimal)\b|\b(?:cost|price|money|spend)\b[^.]{0,20}\b(?:main|biggest|key|top|primary|major) (?:concern|driver|motive|worry|constraint|issue)\b|\bfrugal\b|\bunder (?:\$|usd ?)?\d{1,9}(?:k)? (?:a|per) month\b", "low", 0.7, None),
    P("budget", r"\b(?:big|large|generous|healthy|substantial|significant|high|ample|serious|sizeable|sizable|strong)\s+(?:\w+\s+)?budget\b|\bwell[- ]funded\b|\b(?:budget|money|cost|funding|price|spend)\s+(?:is|isn't|is not|won't be|will not be)\s+(?:not\s+)?(?:really\s+)?(?:a |an |the |our )?(?:main |big |real )?(?:issue|concern|constraint|problem|limit|object|blocker)\b|\bmoney is no object\b|\bwhatever it takes\b", "high", 0.7, None, self_negating=True),
    P("budget", r"\b(?:zero|no|little|nearly no|almost no|hardly any|basically (?:no|zero)) (?:real )?budget\b(?! (?:constraints?|limits?|concerns?|issues?|cap))|\b(?:without|not) spend\w* (?:much|a lot|too much)\b|\bspend as little as\b|\bcosts? (?:has|have|need|needs|must|should) to (?:stay|be|remain|be kept) (?:really |very |super |extremely )?(?:low|minimal|down|small|tiny)\b", "low", 0.65, None, self_negating=True),
    P("budget", r"\b(?:moderate|modest|medium|reasonable|decent|some|mid-?sized|average|normal|fair)\s+(?:\w+\s+)?budget\b", "medium", 0.6, None),
    # Money words with a quantifier: "no money set aside", "not a lot of cash to spend".
    P("budget", r"\b(?:no|little|not (?:a lot of|much)|barely any|hardly any|very little|zero|scarcely any)\s+(?:real\s+|spare\s+|extra\s+)?(?:money|funding|cash|funds)\b(?!\s+(?:constraints?|limits?|concerns?|issues?|cap|object|problems?))", "low", 0.65, None, self_negating=True),
    P("budget", r"\bwhatever it costs\b|\bdeep pockets\b|\b(?:fully|generously|well) (?:funded|resourced)\b|\bcost is (?:secondary|not a factor)\b", "high", 0.65, None, self_negating=True),
    # "our budget is medium", "Budget: high" — the level after the noun.
    P("budget", r"\bbudget\s*(?:is|'s|was|will be|:|-)\s*(?:very |quite |pretty |fairly |rather |relatively |reasonably )?(?:moderate|medium|reasonable|decent|average|mid-?sized|normal|fair|ok|okay)\b", "medium", 0.6, None),
    P("budget", r"\bbudget\s*(?:is|'s|was|will be|:|-)\s*(?:very |quite |pretty |fairly |rather |relatively |reasonably )?(?:big|large|generous|healthy|substantial|significant|high|ample|sizeable|sizable)\b", "high", 0.6, None),
    P("budget", r"\bbudget\s*(?:is|'s|was|will be|:|-)\s*(?:very |quite |pretty |fairly |rather |relatively |reasonably )?(?:small|tight|limited|low|minimal|tiny|thin|lean)\b", "low", 0.6, None),
    P("budget", r"(?:\$|usd ?|€|£)\s?" + NUM + r"(?:\s*(?:[\w-]+\s+){0,2}?" + _RATE + r")?", _money_budget, 0.55, None),
    # ---------------- ml_skills
    P("ml_skills", r"\b(?:no|zero|without (?:an? |any )?)\s*(?:in-house\s+)?(?:ml|machine[- ]learning|data[- ]science|ai|deep[- ]learning)\s*(?:engineers?|experts?|expertise|skills|team|people|staff|experience|background|knowledge)?\b|\bno data scientists?\b|\bno ?one (?:\w+ ){0,3}(?:has|knows|with) (?:any )?(?:ml|machine[- ]learning|data[- ]science|ai)\b|\b(?:non-?technical|not technical|no[- ]code|low[- ]code)\b|\b(?:only|just) (?:\w+ ){0,2}(?:web|frontend|front-end|app|mobile|full-?stack) (?:developers?|devs|engineers?)\b|\b(?:web|frontend|front-end|app|mobile) (?:developers?|devs) only\b", "none", 0.7, None, self_negating=True),
    P("ml_skills", r"\b(?:don't|do not|doesn't|does not|lack)\s+(?:have\s+)?(?:an?\s+|any\s+)?(?:ml|machine[- ]learning|data[- ]science|ai)\s*(?:engineers?|experts?|expertise|skills|team|people|staff|experience)?\b|\b(?:don't|do not) have (?:an? |any )?(?:data scientists?|ml engineers?)\b", "none", 0.75, None, self_negating=True),
    P("ml_skills", r"\b(?:strong|experienced|seasoned|dedicated|senior|large|solid|world[- ]class|mature|full)\s+(?:in-house\s+)?(?:ml|machine[- ]learning|data[- ]science|ai|research|mlops|applied science)\s+(?:team|engineers|people|expertise|skills|group|org|department|function|bench|staff|folks|talent|crew)\b|\b(?:team|group|bench) of (?:\d+ |several |many )?(?:ml engineers|machine learning engineers|data scientists|researchers|applied scientists)\b|\b(?:we|team|they)(?:'ve)?\s+(?:have\s+|has\s+)?(?:already\s+)?(?:fine[- ]?tuned|trained|deployed|shipped)\s+(?:\w+\s+)?(?:models|llms|transformers|classifiers)\b|\bmlops\b|\bphds?\b|\bml platform\b", "strong", 0.7, "none"),
    P("ml_skills", r"\b(?:nobody|no ?one|none of us)\b(?: \w+){0,3}? (?:has|have|knows?|with|did)(?: (?:ever |really )?(?:done|used|worked (?:with|on)|touched|trained|any))? (?:any )?(?:ml|machine[- ]learning|data[- ]science|ai|fine[- ]?tuning|model training)\b", "none", 0.7, None, self_negating=True),
    P("ml_skills", r"\b(?:a|an|our|the|in-house|internal)\s+(?:ml|machine[- ]learning|data[- ]science|ai)\s+(?:team|group|department|org)\b(?! (?:is|are) (?:small|junior|new|tiny))", "strong", 0.6, "none"),
    P("ml_skills", r"\b(?:done|used|run|shipped|experience (?:with|in)|experienced (?:with|in)|comfortable(?: with)?|know|knows|familiar with|good at)\s+(?:\w+\s+)?(?:lora|q?lora|peft|fine[- ]?tuning|training (?:\w+ )?models?|model training)\b", "strong", 0.7, "none"),
    P("ml_skills", r"\b(?:small|tiny|junior|new|young|fledgling|nascent|two-person|one-person)\s+(?:in-house\s+)?(?:ml|machine[- ]learning|data[- ]science|ai|data)\s+(?:team|group|function|squad)\b", "some", 0.65, "none"),
    P("ml_skills", r"\b(?:ml|machine[- ]learning|data[- ]science|ai)\s+team\s+of\s+(?:\d+|two|three|four|five|six|seven|eight|nine|ten|a dozen|several)\b", "strong", 0.6, "none"),
    # Role nouns: the people the team does have are not ML people.
    P("ml_skills", r"\b(?:not|aren't|isn't|rather than|instead of)\s+(?:data scientists|ml (?:engineers|engs|people|folks|experts|specialists)|machine[- ]learning (?:engineers|people|experts)|ai (?:engineers|experts|specialists))\b|\b(?:no|zero|without(?: any)?)\s+(?:technical|tech|engineering|developer|dev|software)\s+(?:staff|people|team|folks|resources|background|skills|capacity|expertise|help)\b|\b(?:part-time|freelance|contract|solo|lone|single)\s+(?:dev|developer|coder|programmer|web developer)s?\b|\b(?:devs|developers|engineers|team|we)\s+(?:are|'re)\s+(?:\w+\s+)?(?:web|frontend|front-end|mobile|app|wordpress|it|product)\s+(?:folks|people|devs|developers|engineers|generalists)\b", "none", 0.65, None, self_negating=True),
    P("ml_skills", r"\b(?:an?|one|two|a couple of|a junior|one junior)\s+(?:junior\s+)?(?:data scientists?|data engineers?|ml engs?|ml engineers?|machine learning engineers?)\b|\bsome (?:ml|machine[- ]learning|data[- ]science|python|engineering) (?:experience|skills|background|knowledge)\b|\b(?:backend|python|software|platform) (?:engineers|developers|team)\b|\bfamiliar with (?:ml|machine learning|python)\b", "some", 0.5, "none"),
    # ---------------- timeline_weeks
    # A negation cue counts only right before the time ("not in 2 weeks"): a "no" earlier
    # in the sentence ("no ML engineers and need it in 2 weeks") is about something else.
    P("timeline_weeks", r"\b(?:in|within|by|next|over|about|around|under|less than|the next|than|only|have|got|for)\s+(?:the\s+)?(?:next\s+)?(?:(?:about|around|roughly|just|like|maybe|approximately|approx\.?|say|perhaps)\s+|~\s*)?" + NUM + r"\s*" + _TUNIT + r"\b" + _HALF + _NOT_A_DEADLINE, _weeks_value, 0.7, None, negation_window=12),
    P("timeline_weeks", r"\b(?:in|within|by|under|less than)\s+(?:the\s+)?(?:next\s+)?(?:about\s+|around\s+|roughly\s+)?" + NUM + r"\s*" + _TUNIT_YEARS + r"\b" + _HALF + _NOT_A_DEADLINE, _weeks_value, 0.65, None, negation_window=12),
    P("timeline_weeks", NUM + r"[\s-]*" + _TUNIT + _HALF + r"\s+(?:deadline|timeline|timeframe|window|runway|to (?:launch|ship|deliver|build|go live|demo|get|have|show|release))\b", _weeks_value, 0.75, None, negation_window=12),
    P("timeline_weeks", NUM + r"\s*" + _TUNIT + _HALF + r"\s+(?:from (?:now|today)|away|out)\b", _weeks_value, 0.7, None, negation_window=12),
]

_TIMELINE_WORDS: tuple[tuple[re.Pattern[str], int, float], ...] = (
    (re.compile(r"\b(?:this|next) week\b|\bin a (?:few|couple of) days\b", re.I), 1, 0.6),
    (re.compile(r"\b(?:end of (?:the |this )?month|(?<!end of )next month|this month)\b", re.I), 4, 0.6),
    (re.compile(r"\bend of next month\b", re.I), 6, 0.6),
    (re.compile(r"\b(?:end of (?:the |this )?quarter|this quarter|(?<!end of )next quarter|(?:by|in) q[1-4])\b", re.I), 12, 0.55),
    (re.compile(r"\bend of next quarter\b", re.I), 20, 0.55),
    (re.compile(r"\b(?:in|within|by|over)\s+(?:the next\s+)?half a year\b|\bsix[- ]month (?:deadline|timeline|timeframe|window)\b", re.I), 26, 0.6),
    (re.compile(r"\b(?:this year|end of (?:the )?year|next year|no (?:hard |fixed |real )?deadline|no rush|long[- ]term (?:project|roadmap))\b", re.I), 40, 0.45),
)
_DEADLINE = re.compile(
    r"\b(?:launch\w*|ship\w*|deadline|demo|pilot|mvp|first version|live|deliver\w*|due|ready|prototype|release|timeline|timeframe|time ?frame|runway|go[- ]live|board|conference|deploy\w*|need (?:it|this|something)|have to|must|weeks?|months?)\b",
    re.I,
)

_DOMAINS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rx, re.I))
    for name, rx in (
        ("insurance", r"\b(?:insur\w+|underwrit\w+|claims? (?:handling|adjust\w+)|policyholders?|actuar\w+)\b"),
        ("banking and finance", r"\b(?:bank\w*|financ\w+|fintech|trading|investment|wealth|loans?|mortgage|credit card|payments?|brokerage)\b"),
        ("healthcare", r"\b(?:health\w*|medical|clinic\w*|patients?|hospital|doctors?|nurses?|pharma\w*|radiolog\w+)\b"),
        ("legal", r"\b(?:legal|law firm|lawyers?|contracts?|litigation|attorneys?|paralegal|case law)\b"),
        ("e-commerce and retail", r"\b(?:e-?commerce|retail\w*|shop\w*|store|catalog(?:ue)?|products?|skus?|merchants?)\b"),
        ("travel", r"\b(?:travel|trips?|hotels?|flights?|itinerar\w+|booking)\b"),
        ("education", r"\b(?:students?|teachers?|courses?|school|universit\w+|education\w*|tutor\w*|learners?)\b"),
        ("human resources", r"\b(?:hr|human resources|employees?|onboarding|benefits|payroll|recruit\w+)\b"),
        ("customer support", r"\b(?:customer (?:support|service)|help ?desk|support tickets?|support agents?|call cent(?:er|re))\b"),
        ("software engineering", r"\b(?:developers?|code|codebase|api docs|sdk|devops|engineering team)\b"),
        ("government and public sector", r"\b(?:government|public sector|citizens?|municipal\w*|agency|ministry)\b"),
        ("manufacturing", r"\b(?:manufactur\w+|factory|machines?|maintenance|equipment|industrial)\b"),
        ("media and marketing", r"\b(?:marketing|copywrit\w+|brand|campaigns?|newsroom|journalis\w+|media)\b"),
        ("real estate", r"\b(?:real estate|propert(?:y|ies)|listings?|tenants?|landlords?)\b"),
        ("logistics", r"\b(?:logistics|shipping|shipments?|freight|warehouses?|fleet|deliveries)\b"),
    )
)

_SUCCESS = re.compile(
    r"(?:success (?:means|is|would be|looks like|will be measured by)|we(?:'ll| will| would) (?:judge|measure|call it a) success (?:by|if|when)?|"
    r"(?:our|the) (?:goal|aim|target|kpi|objective) is(?: to)?|we want to (?:reduce|cut|increase|improve|halve|double|raise|lower)|"
    r"(?:it|this) (?:works|is a success) if)\s*:?\s*(?P<crit>[^.;!?\n]{4,200})",
    re.I,
)
_QUOTED = re.compile(r"[\"“”«]([^\"“”«»]{6,240}?)[\"“”»]|(?<![A-Za-z])'([^'\n]{6,240}?\?)'")
_ASK_LIKE = re.compile(
    r"\b(?:ask(?:s|ing)?|questions?|queries|requests?) (?:like|such as|e\.g\.|for example)[:,]?\s+(?P<q>[^.!?\n]{6,200}\?)",
    re.I,
)


# --------------------------------------------------------------------------- extraction


@dataclass
class _Hit:
    field: str
    value: Any
    span: str
    confidence: float
    position: int
    end: int = -1


_EXAMPLE_HINT = re.compile(r"\b(?:" + _EXAMPLE_QUALIFIERS + r")\b", re.I)
_EXAMPLE_NEXT = re.compile(r"^\s+(?:[\w-]+\s+)?(?:" + _EXAMPLE_NOUNS + r")\b", re.I)


_ARRIVALS = re.compile(r"\b(?:new|fresh|edits|updates|changes|deploys|deployments|commits|additions)\b", re.I)


def _drop_overlaps(hits: list[_Hit]) -> list[_Hit]:
    """Resolve words claimed by two readings.

    A request rate ("50k requests per day") says nothing about how fast data changes, and
    a count of labelled examples ("labeled 12,000 notes") is not a document collection.
    """
    def spans(field: str) -> list[tuple[int, int]]:
        return [(h.position, h.end) for h in hits if h.field == field and h.end > 0]

    examples = spans("labeled_examples")

    def inside(h: _Hit, ranges: list[tuple[int, int]]) -> bool:
        return any(a <= h.position < b or h.position <= a < max(h.end, h.position + 1) for a, b in ranges)

    # But new items by the day ("300 new judgments per day") are data arriving, not requests.
    arrivals = [(h.position, h.end) for h in hits
                if h.field == "data_dynamics" and h.end > 0 and _ARRIVALS.search(h.span)]
    hits = [h for h in hits if not (h.field == "monthly_requests" and inside(h, arrivals))]
    rates = spans("monthly_requests")

    out = []
    for h in hits:
        if h.field in ("data_dynamics", "timeline_weeks") and inside(h, rates):
            continue
        if h.field == "corpus_size" and h.end > 0 and inside(h, examples):
            continue
        out.append(h)
    return out


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _resolve(field: str, value: Value, m: re.Match[str]) -> Any:
    return value(m) if callable(value) else value


_ARTICLES = ("a", "an")
_EVAL_SET_BEFORE = re.compile(
    r"\b(?:evals?|eval(?:uation)? set|test (?:set|suite)|benchmark|hold-?out(?: set)?)\s+(?:of\s+)?$", re.I
)
_PROMPT_AFTER = re.compile(r"^\s*(?:long\s+)?(?:system\s+)?(?:prompts?|instructions)\b", re.I)
#: A word after a document word that makes it a modifier ("a listing assistant"), i.e.
#: not a function word that would continue the noun phrase ("a page of", "a FAQ that").
_NOUN_AFTER = re.compile(
    r"^[ -]+(?!(?:that|which|with|of|and|or|for|in|on|to|from|is|are|was|were|we|it|"
    r"they|you|covering|about|by|at|as|but|so|has|have|had|will|can|must|should)\b)[a-z]",
    re.I,
)
_PAST_AFTER = re.compile(
    r"\s*,?\s*(?:now\s+|already\s+)?(?:we|i|they|the team|our team|our \w+)\s+(?:have\s+|'ve\s+|had\s+|'d\s+)?"
    r"(?:\w+\s+)?(?:tried|tested|ran|run|piloted|iterated|used|worked|spent|experimented|been|played|prompted|"
    r"tweaked|fiddled|trialled|trialed|evaluated|compared|reviewed)\b",
    re.I,
)
_PAST_CUE = re.compile(r"\b(?:'ve|have|has|had|spent|been|tried|iterated|used|worked|ran|run)\b", re.I)


def _not_a_quantity(field: str, m: re.Match[str], clause: str) -> bool:
    """General reasons a number-shaped match is not the quantity its field wants.

    - An article is not a count: "a pilot in a month" is no request volume and "a scored
      eval" no example set; "a listing assistant" uses a small document word as a modifier.
    - "an eval set of 400 cases" is a test set, not a collection to retrieve from.
    - "a six page prompt" is the prompt's length, not a document collection.
    - "for two months" after "we've iterated" is time already spent, not a deadline.
    """
    groups = m.groupdict()
    num = (groups.get("num") or "").strip().lower()
    after = clause[m.end():m.end() + 40]
    if field in ("monthly_requests", "labeled_examples") and num in _ARTICLES:
        return True
    # "40,000 past contracts" is a collection: a time word ("past", "archived") does not make
    # documents into written examples unless a real example qualifier is there too.
    if field == "labeled_examples" and _weak_examples(m.group(0)):
        return True
    if field == "labeled_examples" and num:
        # "0 of 40 account questions answered correctly": what an evaluation ran on.
        if _MEASURED_ON_BEFORE.search(clause[max(0, m.start() - 60):m.start()]):
            return True
        # "7 years of approved descriptions" is how long they have been collected.
        if _DURATION_AFTER.match(clause, m.end("num")):
            return True
        # "a prompt with 5 past releases pasted in" are few-shot examples inside a prompt,
        # not a training set; a handful is all a prompt holds.
        count = parse_number(num)
        if count is not None and count <= 20 and _IN_PROMPT.search(clause):
            return True
    # "several times a day" / "twice a week" is how often something happens, not a volume.
    if field == "monthly_requests" and num and _TIMES_AFTER.match(clause, m.end("num")):
        return True
    if field == "corpus_size" and num:
        unit = (groups.get("unit") or "").lower()
        if (num in _ARTICLES and "per_num" not in groups and _DOC_UNITS.get(unit, 5.0) < 20
                and _NOUN_AFTER.match(after)):
            return True
        # "three recipe ideas": a light singular item word after a plural count modifies the
        # next noun; a length or hyphenated size ("a 60-page handbook") is not that.
        count = parse_number(num)
        if (unit and not unit.endswith("s") and _DOC_UNITS.get(unit, 5.0) <= 1.0
                and unit not in ("page", "pager") and "-" not in m.group(0)
                and count is not None and count > 1 and _NOUN_AFTER.match(after)
                and (after.split() or [""])[0].strip(".,;:").lower() not in _DOC_UNITS):
            return True
        if _EVAL_SET_BEFORE.search(clause[max(0, m.start() - 40):m.start()]):
            return True
        if _PROMPT_AFTER.match(after):
            return True
        # "a 400-document test set", "on 1,000 test reports", "tested it on 2,000 claims",
        # "29% of 400 files": what an evaluation was run on, not a collection to search.
        counted = m.group(0)[len(groups.get("num") or ""):] if groups.get("num") else m.group(0)
        if _TEST_WORD_AFTER.match(counted + after):
            return True
        if _MEASURED_ON_BEFORE.search(clause[max(0, m.start() - 60):m.start()]):
            return True
        if _THROUGH_AFTER.match(after):  # "ran 400 real tickets through it"
            return True
        # "a 40-field JSON report", "three-line handover notes": the count sizes a part of
        # one item (its fields, lines, words), not a number of documents.
        if _PART_MODIFIER.match(m.group(0)[len(groups.get("num") or ""):]):
            return True
        # "a one-page summary", "each transcript is 30 to 80 pages", "usually two typed pages":
        # the length of what goes in or comes out per request, not a collection to draw on.
        if unit in ("page", "pages", "pager") and (
            _OUTPUT_AFTER.match(after) or _PER_ITEM_BEFORE.search(clause[max(0, m.start() - 30):m.start()])
        ):
            return True
        # "prompt with a rubric and 20 worked cases": a handful of examples in a prompt.
        if (unit in _EXAMPLE_LIKE_UNITS and count is not None and count <= 20
                and _IN_PROMPT.search(clause)):
            return True
    # "52% needed a rewrite", "sounds machine-translated", "analysts rewrite the tone of most":
    # a complaint about the output, not a rewriting or translation task.
    if field == "knowledge_source" and m.re is _TASK_WORD_RULE.regex and (
        _COMPLAINT_BEFORE.search(clause[max(0, m.start() - 30):m.start()])
        or _MEASURED.search(clause)
        or _GAP_FAILURE.search(clause)
    ):
        return True
    if field == "timeline_weeks" and m.group(0).lower().startswith("for "):
        # "we have tried for 5 weeks" and "For 5 weeks we tried prompts": effort spent.
        return bool(_PAST_CUE.search(clause[:m.start()]) or _PAST_AFTER.match(clause[m.end():]))
    return False


_PART_MODIFIER = re.compile(
    r"^-(?:field|line|word|column|row|sentence|paragraph|character|char|token|bullet|point|step|digit|cell)s?\b", re.I
)
_OUTPUT_AFTER = re.compile(
    r"^[\s-]*(?:[\w-]+\s+)?(?:summar(?:y|ies)|briefs?|brief(?:ing)?s?|abstracts?|digests?|recaps?|overviews?|"
    r"synops[ie]s|handovers?|write-?ups?|answers?|repl(?:y|ies)|responses?|outputs?|drafts?)\b",
    re.I,
)
_PER_ITEM_BEFORE = re.compile(
    r"\b(?:each|every|per|usually|typically|typical|average|on average|normally|mostly|into)\b[^,;.]*$", re.I
)
_EXAMPLE_LIKE_UNITS = frozenset({"case", "cases", "ticket", "tickets", "email", "emails", "record", "records",
                                 "entries", "entry", "item", "items", "listing", "listings", "notes",
                                 "transcripts", "recipes", "recipe", "memos", "reports", "report"})
_COMPLAINT_BEFORE = re.compile(
    r"(?:\bmachine|\blike an?|\bsounds?|\bsounded|\breads?|\bneeded an?|\bneeds? an?|\bgets?|\bgot|\bwere|\bwas|\bbe|\bbeen|"
    r"\b(?:analysts|editors|reviewers|staff|agents|planners|writers|lawyers|partners|compliance|legal|we|they|humans|people)"
    r"(?:\s+(?:still|then|often|always|usually|have to|had to|must))?)[\s-]*$",
    re.I,
)
_THROUGH_AFTER = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?through\s+(?:it|them|the (?:model|prompt|pipeline|bot))\b", re.I)
_TEST_WORD_AFTER = re.compile(
    r"^[\s-]*(?:[\w-]+\s+){0,2}?(?:test|tests|eval|evals|evaluation|held-?out|holdout|benchmark|validation|golden|gold[- ]standard|regression (?:set|suite|tests?))\b", re.I
)
_MEASURED_ON_BEFORE = re.compile(
    r"(?:\b(?:tested|evaluated|measured|benchmarked|scored|checked|compared|validated|piloted|trialled|trialed|ran)"
    r"\s+(?:[\w-]+\s+){0,4}?on\s+(?:a\s+|an\s+|our\s+|the\s+|some\s+)?(?:sample\s+of\s+)?"
    r"|\d+(?:\.\d+)? ?%\s+of\s+(?:the\s+|our\s+)?|\b(?:\d+|one|two|three) (?:in|out of|of)\s+)$",
    re.I,
)
_DURATION_AFTER = re.compile(r"\s*(?:years?|yrs?|months?|weeks?|days?|decades?)\b", re.I)
_IN_PROMPT = re.compile(r"\bprompt|\bpasted\b|\bfew[- ]shot\b|\bin[- ]context\b", re.I)
_WEAK_QUALIFIER = re.compile(r"\b(?:past|previous|historical|archived|old|older|logged|submitted|existing|published|completed)\b", re.I)
_EXAMPLE_NOUN_FULL = re.compile(r"(?:" + _EXAMPLE_NOUNS + r")", re.I)


def _weak_examples(matched: str) -> bool:
    """Documents qualified only by a time word ("past contracts") are not labelled examples."""
    words = matched.lower().split()
    noun = words[-1] if words else ""
    if noun not in _DOC_UNITS or _EXAMPLE_NOUN_FULL.fullmatch(noun):
        return False
    if not _WEAK_QUALIFIER.search(matched):
        return False
    return not _EXAMPLE_HINT.search(_WEAK_QUALIFIER.sub(" ", matched))


_NEXT_WORD = re.compile(r"(?<!\w)\w")
_TIMES_AFTER = re.compile(r"\s*(?:times|x)\b", re.I)


def _matches(regex: re.Pattern[str], text: str, field: str) -> Iterator[re.Match[str]]:
    """Non-overlapping matches, minus those that are not a quantity for ``field``.

    After a rejected match the search resumes at the next word, so "a 25-page document"
    still yields "25-page document" once the article reading is rejected.
    """
    pos = 0
    while pos <= len(text):
        m = regex.search(text, pos)
        if m is None:
            return
        if _not_a_quantity(field, m, text):
            # Resume at the next word, not the next character: a long run of digits or
            # letters would otherwise be re-scanned once per character (quadratic).
            nxt = _NEXT_WORD.search(text, m.start() + 1)
            pos = nxt.start() if nxt else len(text) + 1
            continue
        yield m
        pos = max(m.end(), m.start() + 1)


def _scan_patterns(text: str, cls: list[Clause], hits: list[_Hit], denied: set[str] | None = None) -> None:
    """Pattern hits into ``hits``; fields whose only matches were negated away go to ``denied``."""
    for pattern in (*PATTERNS, *_MORE):
        for clause in cls:
            for m in _matches(pattern.regex, clause.text, pattern.field):
                # A quantity followed by a rate ("3,000 letters a month") is volume,
                # not a count of examples or documents.
                if pattern.field in ("labeled_examples", "corpus_size") and "num" in m.groupdict():
                    if _RATE_AHEAD.match(clause.text[m.end():m.end() + 40]):
                        continue
                    # "2,000 approved product descriptions" are examples, not a corpus.
                    if pattern.field == "corpus_size" and (
                        (_EXAMPLE_HINT.search(m.group(0)) and not _weak_examples(m.group(0)))
                        or _EXAMPLE_NEXT.match(clause.text[m.end():m.end() + 40])
                    ):
                        continue
                is_neg = not pattern.self_negating and negated(
                    clause.text, m.start(), pattern.negation_window
                )
                if is_neg:
                    if pattern.if_negated is None:
                        if denied is not None:
                            denied.add(pattern.field)
                        continue
                    value = _resolve(pattern.field, pattern.if_negated, m)
                    conf = max(0.3, pattern.confidence - 0.05)
                else:
                    value = _resolve(pattern.field, pattern.value, m)
                    conf = pattern.confidence
                if value is None:
                    continue
                hits.append(_Hit(pattern.field, value, _clip(m.group(0)), conf,
                                 clause.start + m.start(), clause.start + m.end()))


#: A measured share or rating: "94%", "4.6/5", "CSAT is 4.4".
_MEASURED = re.compile(
    r"(?<![\d.])(\d{1,3}(?:\.\d+)?) ?%|(?<![\d.])([0-5](?:\.\d)?) ?(?:/|out of) ?5\b"
    r"|\b(?:csat|rating|score)\D{0,12}?\b([0-5]\.\d)\b"
    r"|(?<![\d.,])(\d{1,4}) (?:of|out of) (?:the |our )?(\d{2,5})(?![\d,])",
    re.I,
)
#: Words that make a share a success ("approves 93%") or a failure ("rejects 42%").
_GOOD_SHARE = re.compile(
    r"\b(?:accept\w*|approv\w*|publish\w*|kept|keeps?|keeping|usable|unedited|as[- ]is|agree(?:s|d|ment)?|"
    r"accura\w*|correct(?:ly)?|right|pass(?:es|ed|ing)?|good|compil(?:e|es|ed)|valid|match(?:es|ed)?|"
    r"resolved|success\w*|precision|recall|f1|caught|detected|scor\w+|reach\w*|hits?|achiev\w*|gets?|"
    r"on (?:our|the|a|an) (?:[\w-]+ )?(?:eval|evaluation|test|benchmark|holdout|test set)\w*)\b",
    re.I,
)
_BAD_SHARE = re.compile(
    r"\b(?:reject\w*|fail\w*|re-?writ\w*|edit(?:s|ed|ing)?|wrong|invalid|errors?|broke|break(?![- ]?even)\w*|overrid\w*|"
    r"overrode|disagree\w*|sent back|send\w* back|returns?|returned|returning|spots?|spotted|"
    r"incorrect|unusable|needed|fix\w*|reformat\w*|misorder\w*|skip\w*|flag\w*|bounc\w*|kick\w* back|"
    r"push\w* back|out of character|off[- ]brand|complain\w*|redo\w*|redone|rework\w*|breach\w*|violat\w*)\b",
    re.I,
)
#: A sentence about generated output or its evaluation (so a success rate is the model's).
_OUTPUT_TALK = re.compile(
    r"\b(?:prompt\w*|model|llm|gpt[-\w.]*|claude|gemini|bot|chatbot|assistant|pilot\w*|trial\w*|test\w*|"
    r"evals?|evaluat\w+|drafts?|outputs?|generat\w+|summar\w+|rewrites?|answers?|repl(?:y|ies)|suggestions?|"
    r"ai|them|raters?|reviewers?|panel|csat)\b",
    re.I,
)
#: Output judged fine in words: "answers were accurate and well phrased", "it answered nicely".
_FINE_OUTPUT = re.compile(
    r"\b(?:answers?|drafts?|outputs?|results?|suggestions?|summaries|replies|responses|it|the model)\s+"
    r"(?:were|was|are|is|looked|looks|came out|come out|read|reads)\s+(?:already\s+|generally\s+|mostly\s+)?"
    r"(?:\w+\s+)?(?:fine|great|good|accurate|correct|excellent|solid|usable|well[- ](?:written|structured|phrased|worded))\b"
    r"|\b(?:answered|worked|performs?|performed|wrote|writes|answers)\s+(?:\w+\s+)?(?:nicely|beautifully|well)\b"
    r"|\b\w+(?:s|ed)\s+(?:\w+\s+)?(?:nicely|beautifully|flawlessly)\b"
    r"|\b(?:gives?|produces?|writes?|makes?|drafts?)\s+(?:\w+\s+){0,2}?(?:suggestions|answers|replies|drafts|outputs?|results|summaries)\s+"
    r"(?:that\s+)?(?:our\s+|the\s+)?(?:agents|users|customers|people|reviewers|editors|staff|players|clients|they|we)\s+"
    r"(?:like|love|accept|trust|approve|are happy with)\b"
    r"|\b(?:tone|wording|format\w*|structure|style|phrasing|reasoning|language)(?:\s*(?:and|/|&)\s*\w+)?\s+"
    r"(?:is|are|was|were|looks?|looked|seemed|seems|rated|judged|scored)\s+(?:already\s+|otherwise\s+)?(?:\w+\s+)?"
    r"(?:fine|ok|okay|good|great|right|sensible|polite|acceptable)\b"
    r"|\brated (?:them |it |the \w+ )?(?:accurate|correct|excellent|good|great)\b"
    r"|\bgives? (?:us )?(?:good|great|high|excellent|strong) (?:csat|results|quality|accuracy|answers|satisfaction)\b"
    r"|\b(?:quality|accuracy)(?:\s+(?:is|was)|'s|\u2019s)\s+(?:\w+\s+)?(?:solved|fine|good|great|ok|okay|there|where we want it)\b"
    r"|\b(?:not|isn't|is not|wasn't) (?:a |the |really )?(?:quality|accuracy) (?:problem|issue)\b",
    re.I,
)
#: A failure about missing or stale facts is a knowledge gap, not a behaviour gap.
_FACT_FAILURE = re.compile(
    r"\b(?:invent\w*|made up|makes? up|making up|hallucinat\w*|outdated|out of date|stale|guess\w*|"
    r"(?:doesn't|does not|didn't|did not|can't|cannot) (?:know|see|have)|out of stock|no access|"
    r"expired|superseded|don't exist|doesn't exist|did not exist|didn't exist|do not exist)\b",
    re.I,
)
_MODEL_IN_USE = re.compile(r"\b(?:model|llm|gpt[-\w.]*|claude|gemini|chatbot|bot|pilot|prototype|trial)\b", re.I)
_SMALL_SHARE = re.compile(
    r"\b(?:only|just|barely|merely|stuck (?:at|around)|plateaued (?:at|around)|stalled (?:at|around)|"
    r"tops? out (?:at|around)|maxe?s? out (?:at|around)|hovers? (?:at|around)|hovering (?:at|around))\s+"
    r"(?:about\s+|around\s+|roughly\s+)?$",
    re.I,
)
#: A success-rate target stated next to the measured share: "ops won't trust it below 97",
#: "we need 95% and are at 88%". Error-rate targets are small numbers, so only 50+ counts.
_TARGET = re.compile(
    r"\b(?:below|under|less than|short of|need(?:s|ed)?|requires?|required|targets?|target of|aim(?:s|ing)? for|"
    r"bar (?:of|is)|threshold (?:of|is)|at least|minimum of|goal (?:of|is))\s+(?:a |an |the |about |around |roughly )?"
    r"(\d{2,3}(?:\.\d+)?)(?:\s?%|\s?percent\b|(?=\s*(?:[.,;:)!?]|$)))",
    re.I,
)
#: A measured share said to clear the user's own bar.
_ABOVE_BAR = re.compile(
    r"\b(?:above|over|exceed(?:s|ed|ing)?|beat(?:s|ing)?|clear(?:s|ed|ing)?|meet(?:s|ing)?|met)\s+(?:our|the|their|its)\s+"
    r"(?:\d{1,3}(?:\.\d+)?\s?%\s+)?(?:break[- ]?even|bar|target|threshold|goal|sla|requirement|benchmark|baseline)\b",
    re.I,
)
#: Agreement measured as Cohen's kappa: "agreement was only κ = 0.58".
_KAPPA = re.compile(r"(?:\u03ba|\bkappa)\s*(?:of|=|was|is|at|:|≈|~)?\s*(?:only\s+|about\s+|around\s+)?(0?\.\d{1,3}|1\.0)\b", re.I)
#: The parts of a sentence between clause breaks, for judging each share on its own.
_SHARE_CLAUSE = re.compile(r"[^,;:()]+")


def _share_polarity(sentence: str) -> str | None:
    """Whether the sentence reports a measured result as a success or a failure.

    A share with a success word ("approves 93%", "caught 58 of 60") is a success from 85%
    up and a failure below 75%; a share with a failure word ("rejects 42%") is a failure
    from 10% up; a share called small ("only 68%") is a failure; a rating out of 5 is a
    success from 4.0 and a failure at 3.5 or below. Each share is judged within its own
    clause, so "accepted 96%, the remaining 4% were misses" is one success.
    """
    verdicts: list[str] = []
    shares: list[float] = []
    for part in _SHARE_CLAUSE.finditer(sentence):
        clause = part.group(0)
        for m in _MEASURED.finditer(clause):
            if m.group(1) is not None:
                share = float(m.group(1))
                shares.append(share)
                if share < 85 and _SMALL_SHARE.search(clause[: m.start()]):
                    verdicts.append("failure")  # "only 68%", "barely 70%"
                    continue
                good = bool(_GOOD_SHARE.search(clause))
                bad = bool(_BAD_SHARE.search(clause))
                if good and not bad:
                    verdicts.append("success" if share >= 85 else "failure" if share < 75 else "")
                elif bad and not good:
                    verdicts.append("failure" if share >= 10 else "")
                elif good and bad:  # "96% of rewrites accepted": only a clear share decides
                    verdicts.append("success" if share >= 90 else "failure" if share < 60 else "")
            elif m.group(4) is not None:  # "58 of 60", "accepted 88 out of 100"
                total = float(m.group(5))
                if total and float(m.group(4)) <= total and _GOOD_SHARE.search(clause):
                    share = 100 * float(m.group(4)) / total
                    verdicts.append("success" if share >= 85 else "failure" if share < 75 else "")
            else:
                rating = float(m.group(2) or m.group(3))
                verdicts.append("success" if rating >= 4.0 else "failure" if rating <= 3.5 else "")
    targets = [float(t) for t in _TARGET.findall(sentence) if 50 <= float(t) <= 100]
    if shares and targets and min(shares) < max(targets):
        verdicts.append("failure")  # measured below the bar the user set
    elif shares and _ABOVE_BAR.search(sentence):
        verdicts.append("success")  # "resolves 82% of chats, above our 80% break-even"
    for m in _KAPPA.finditer(sentence):
        kappa = float(m.group(1))
        verdicts.append("success" if kappa >= 0.8 else "failure" if kappa < 0.7 else "")
    if "failure" in verdicts:
        return "failure"
    return "success" if "success" in verdicts else None


def _scan_gaps(text: str, cls: list[Clause], hits: list[_Hit]) -> None:
    """A behaviour topic and a failure cue in the same sentence: that is a behaviour gap.

    When the failure sentence names no topic ("Prompting doesn't stick to it"), the
    topic of the sentence just before it is used, with lower confidence, and failing
    that the nearest sentence that names one. A measured success ("reviewers accepted
    96% unedited", "the answers were accurate") with no failure is the gap "none".
    """
    sentences = list(re.finditer(r"(?:[^.!?\n]|\.(?!\s|$))+", text))
    for index, sentence in enumerate(sentences):
        s = sentence.group(0)
        polarity = _share_polarity(s)
        # Shares are judged by _share_polarity; the word cues are read without them.
        fail = _GAP_FAILURE.search(_MEASURED.sub(" ", s))
        mentions_prompting = bool(
            re.search(r"\bprompt\w*|instructions|few-shot|system message|baseline|evals?\b", s, re.I)
        )
        fact_failure = bool(_FACT_FAILURE.search(s))
        # "tone and flow were rated good and every failure was a stale fact": the output is
        # fine and what fails is knowledge, so this is no behaviour gap.
        if (fail or polarity == "failure") and fact_failure and _FINE_OUTPUT.search(s):
            fail, polarity = None, None
        if not fail and polarity != "failure":
            if (polarity == "success" and _OUTPUT_TALK.search(s)) or _FINE_OUTPUT.search(s):
                hits.append(_Hit("behavior_gap", "none", _clip(s), 0.55, sentence.start()))
                # A judged output of a model in use is a measured baseline too.
                if mentions_prompting or polarity == "success" or _MODEL_IN_USE.search(s):
                    hits.append(_Hit("prompting_tried", True, _clip(s), 0.6, sentence.start()))
            continue
        # Sources of the topic: this sentence, the one before, then the others by distance.
        # Borrowing needs a failure of prompting or of a measured result, and a failure about
        # missing facts borrows nothing: that is a knowledge gap.
        order = [index]
        if (mentions_prompting or polarity == "failure") and not fact_failure:
            order += sorted((i for i in range(len(sentences)) if i != index),
                            key=lambda i: (abs(i - index), i > index))
        found = False
        for source_index in order:
            if found:
                break
            distance = abs(source_index - index)
            penalty = 0.0 if not distance else 0.1 if source_index == index - 1 else 0.15
            topic_text = sentences[source_index].group(0)
            for gap, topic in _GAP_TOPICS:
                tm = topic.search(topic_text)
                if not tm:
                    continue
                # "we don't need a special format" is not a failure of the model.
                if re.search(r"\b(?:don't|do not|doesn't|no) (?:need|care about|require)\b",
                             topic_text[: tm.start()], re.I):
                    continue
                conf = (0.75 if mentions_prompting else 0.6) - penalty
                if gap == "new_skill":
                    conf += 0.05
                hits.append(_Hit("behavior_gap", gap, _clip(topic_text if distance else s), conf,
                                 sentence.start()))
                found = True
        if found and mentions_prompting:
            hits.append(_Hit("prompting_tried", True, _clip(s), 0.7, sentence.start()))


#: Urgency words ("URGENT", "immediately") that are a deadline only when the sentence is
#: about delivering something: "URGENT compliance audit" or "answers immediately" are not.
_URGENCY = re.compile(r"\b(?:asap|as soon as possible|urgent(?:ly)?|yesterday|right away|immediately)\b", re.I)
_DELIVERY = re.compile(
    r"\b(?:launch\w*|ship\w*|deadline|demo\w*|pilot|mvp|first version|live|deliver\w*|due|ready|"
    r"prototype|release\w*|go[- ]live|deploy\w*|built|build|done|up and running|in production|"
    r"(?:need|want|needs|wants|get|have) (?:it|this|that|something|one|the (?:tool|feature|assistant|bot))\b)",
    re.I,
)


def _scan_timeline_words(text: str, hits: list[_Hit]) -> None:
    for rx, weeks, conf in _TIMELINE_WORDS:
        for m in rx.finditer(text):
            hits.append(_Hit("timeline_weeks", weeks, _clip(m.group(0)), conf, m.start()))
    for sentence in re.finditer(r"[^.!?\n]+", text):
        s = sentence.group(0)
        urgent = _URGENCY.search(s)
        if urgent and _DELIVERY.search(s):
            hits.append(_Hit("timeline_weeks", 2, _clip(urgent.group(0)), 0.45,
                             sentence.start() + urgent.start()))


def _descriptive(text: str, findings: dict[str, Finding]) -> None:
    first = re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]
    if first:
        findings["product_summary"] = Finding(value=_clip(first, 300), span=_clip(first), confidence=0.5)
    best: tuple[int, str, str] | None = None
    for name, rx in _DOMAINS:
        matches = list(rx.finditer(text))
        if matches and (best is None or len(matches) > best[0]):
            best = (len(matches), name, matches[0].group(0))
    if best:
        findings["domain"] = Finding(value=best[1], span=best[2], confidence=0.5)
    criteria = [_clip(m.group("crit").strip(" ,:"), 200) for m in _SUCCESS.finditer(text)]
    if criteria:
        criteria = list(dict.fromkeys(criteria))
        findings["success_criteria"] = Finding(value=criteria, span="; ".join(criteria), confidence=0.7)
    questions = [q for pair in _QUOTED.findall(text) for q in pair if q]
    questions += [m.group("q").strip() for m in _ASK_LIKE.finditer(text)]
    questions = [q.strip() for q in questions if "?" in q or len(q.split()) >= 3]
    if questions:
        questions = list(dict.fromkeys(questions))[:10]
        findings["sample_questions"] = Finding(value=questions, span="; ".join(questions), confidence=0.7)


#: Fields where different values in one text are not a contradiction but parts of a whole.
_MERGE_MAX = ("labeled_examples", "monthly_requests")
_FRESHNESS = {"static": 0, "periodic": 1, "dynamic": 2}


def _choose(field: str, hits: list[_Hit], contradictions: list[str]) -> Finding:
    values = list(dict.fromkeys(repr(h.value) for h in hits))
    if field in _MERGE_MAX:
        best = max(hits, key=lambda h: (h.value, h.confidence))
        return Finding(value=best.value, span=best.span, confidence=best.confidence)
    if field == "corpus_size" and len(values) > 1:
        # Several collections: the whole is large if any part is.
        order = {"none": 0, "fits_in_prompt": 1, "large": 2}
        strong = [h for h in hits if h.confidence >= 0.6] or hits
        best = max(strong, key=lambda h: (order[h.value], h.confidence))
        if any(h.value == "none" for h in strong) and best.value != "none":
            contradictions.append(
                f"corpus_size: '{_span_of(hits, 'none')}' says there are no documents, but "
                f"'{best.span}' describes some; used {best.value}."
            )
        return Finding(value=best.value, span=best.span, confidence=best.confidence)
    if field == "data_dynamics" and len(values) > 1:
        strong = [h for h in hits if h.confidence >= 0.6] or hits
        best = max(strong, key=lambda h: (_FRESHNESS[h.value], h.confidence))
        others = [h for h in strong if h.value != best.value]
        if others:
            other = max(others, key=lambda h: h.confidence)
            contradictions.append(
                f"data_dynamics: described as {other.value} ('{other.span}') and as {best.value} "
                f"('{best.span}'); used {best.value}, because the fastest-changing part decides "
                "how fresh answers must be."
            )
        return Finding(value=best.value, span=best.span, confidence=round(best.confidence * 0.85, 2))
    best = max(hits, key=lambda h: (h.confidence, h.position))
    rivals = [h for h in hits if h.value != best.value and h.confidence >= 0.6]
    if rivals and best.confidence >= 0.6:
        rival = max(rivals, key=lambda h: h.confidence)
        if not (field == "behavior_gap" and "none" in (rival.value, best.value) and best.value != "none"):
            contradictions.append(
                f"{field}: '{rival.span}' suggests {rival.value!r} but '{best.span}' suggests "
                f"{best.value!r}; used {best.value!r}."
            )
        return Finding(value=best.value, span=best.span, confidence=round(best.confidence * 0.85, 2))
    return Finding(value=best.value, span=best.span, confidence=best.confidence)


def _span_of(hits: list[_Hit], value: Any) -> str:
    return next((h.span for h in hits if h.value == value), "")


def extract(
    text: str,
    profile: Profile | None = None,
    *,
    similarity: bool | None = None,
    reader: bool | None = None,
) -> Extraction:
    """Read free text and return profile findings with evidence spans and confidences.

    The hand-written rules go first. Fields they leave unknown may then be read by the
    sentence classifier (:mod:`agent.semantic`) unless ``similarity`` is False (default:
    the ``ADVISOR_SIMILARITY`` setting); it never overrides a rule or a field the profile
    already holds. Last, a description-length text is weighed whole by the trained reader
    (:mod:`agent.reader`; ``reader``, default the ``ADVISOR_READER`` setting, and only
    together with the classifier, whose findings it was trained with). It may fill,
    replace or set aside readings, but never touches a field the profile already holds.
    """
    result = Extraction()
    if not isinstance(text, str) or not text.strip():
        result.notices.append("The text is empty: nothing to extract.")
        return result
    if len(text) > MAX_TEXT_CHARS:
        result.notices.append(
            f"The text is {len(text):,} characters; only the first {MAX_TEXT_CHARS:,} were read."
        )
        text = text[:MAX_TEXT_CHARS]
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    # "~38%", "≈5k": the rules read "about 38%", "about 5k".
    text = re.sub(r"[~\u2248]\s?(?=\d)", "about ", text)
    cls = clauses(text)
    hits: list[_Hit] = []
    # Fields a rule recognised but found negated ("we don't have a tight budget"): the
    # sentence classifier must not fill them, because embeddings barely register negation.
    denied: set[str] = set()
    _scan_patterns(text, cls, hits, denied)
    _scan_gaps(text, cls, hits)
    _scan_timeline_words(text, hits)
    hits = _drop_overlaps(hits)

    by_field: dict[str, list[_Hit]] = {}
    for hit in hits:
        by_field.setdefault(hit.field, []).append(hit)
    for field in DECISION_FIELDS:
        field_hits = by_field.get(field)
        if field_hits:
            result.findings[field] = _choose(field, field_hits, result.contradictions)
    if similarity is None or reader is None:
        from agent.config import get_settings

        settings = get_settings()
        similarity = settings.similarity_extractor if similarity is None else similarity
        reader = settings.reader_extractor if reader is None else reader
    held = set(known_fields(profile) if profile is not None else ())
    if similarity:
        # Counts merge by taking the largest, so a rule's count does not stop the classifier
        # from finding a bigger collection the rules did not recognise.
        ruled = set(result.findings) - set(_MERGE_MAX)
        _add_similar(text, ruled | denied | held, result)
    _derive(result.findings)
    if similarity and reader:
        _add_reader(text, held, result)
    _descriptive(text, result.findings)

    if profile is not None:
        for field, finding in result.findings.items():
            if field not in DECISION_FIELDS:
                continue
            old = getattr(profile, field)
            if old is not None and old != finding.value:
                result.contradictions.append(
                    f"{field}: earlier answer was {old!r}, this text says {finding.value!r} "
                    f"('{finding.span}'); using the new answer."
                )
    return result


def _add_similar(text: str, known: set[str], result: Extraction) -> None:
    """Fill fields the rules left unknown from sentences that resemble labelled ones."""
    from agent.semantic import classify

    try:
        hits = classify(text, skip=known)
    except Exception as exc:  # e.g. the embedding model cannot load: the rules still stand
        result.notices.append(f"The sentence classifier is unavailable ({type(exc).__name__}); used rules only.")
        return
    examples = result.findings.get("labeled_examples")
    for hit in hits:
        # A sentence whose count was read as worked examples ("12k debriefs with their
        # hand-filled XML") is about training data, not about documents to draw facts from.
        if (hit.field in ("corpus_size", "knowledge_source") and examples is not None
                and examples.span and examples.span in hit.sentence):
            continue
        held = result.findings.get(hit.field)
        if held is not None and not (hit.field in _MERGE_MAX and hit.value > held.value):
            continue
        result.findings[hit.field] = Finding(
            value=hit.value,
            span=_clip(hit.sentence),
            confidence=hit.confidence,
            basis=f"resembles the labelled sentence '{_clip(hit.neighbour, 120)}' "
            f"(similarity {hit.similarity:.2f}, {hit.support:.0%} of neighbours agree)",
        )


def _add_reader(text: str, held: set[str], result: Extraction) -> None:
    """Let the trained reader weigh the whole description (see :mod:`agent.reader`)."""
    from agent import reader as trained
    from agent.semantic import encode_sentences, sentences

    if not trained.in_window(text):
        return
    try:
        model = trained.shipped_reader()
        pairs = sentences(text)
        found = [s for _, s in pairs]
        vectors = encode_sentences(found)
        current = {k: (f.value, f.confidence) for k, f in result.findings.items()}
        votes = model.read(found, vectors, current)
        mentions, rows = trained.count_rows(text, [o for o, _ in pairs], vectors, encode_sentences)
        counts = model.read_counts(mentions, rows)
    except Exception as exc:  # e.g. a damaged weights file: the rules and classifier still stand
        result.notices.append(f"The trained reader is unavailable ({type(exc).__name__}); used rules and classifier only.")
        return
    for name, taken in trained.revisions(votes, current, held).items():
        if taken is None or taken.sentence is None:
            result.findings.pop(name, None)
            continue
        result.findings[name] = Finding(
            value=taken.value,
            span=_clip(taken.sentence),
            confidence=round(trained.CONFIDENCE_SCALE * taken.probability, 2),
            basis=f"the trained reader, weighing the whole description ({taken.probability:.0%} sure)",
        )
    if trained.COUNT_FIELD in held:
        return
    action, count = trained.decide_count(counts, current.get(trained.COUNT_FIELD))
    if action == "set_aside":
        result.findings.pop(trained.COUNT_FIELD, None)
    elif count is not None:
        result.findings[trained.COUNT_FIELD] = Finding(
            value=count.mention.value,
            span=_clip(count.mention.window),
            confidence=round(trained.CONFIDENCE_SCALE * count.probability, 2),
            basis=f"the trained reader, from the words around this number "
            f"({count.probability:.0%} sure it counts worked examples)",
        )


#: Documents that say how to write, not what is true: a style guide is no source of facts.
_BEHAVIOUR_DOC = re.compile(
    r"\b(?:style|brand|tone|voice|writing|editorial|formatting|format|house|design)[- ]?(?:guides?|guidelines|books?|manuals?|sheets?)\b"
    r"|\b(?:templates?|rubrics?|schemas?|exemplars?|marking (?:memos?|schemes?|guides?)|scoring guides?|checklists?)\b",
    re.I,
)


def _derive(findings: dict[str, Finding]) -> None:
    """Implications between fields that a careful reader would draw."""
    gap = findings.get("behavior_gap")
    if gap and gap.value != "none" and "prompting_tried" not in findings:
        # A behaviour gap is, by definition, what prompting failed at.
        findings["prompting_tried"] = Finding(value=True, span=gap.span, confidence=0.5)
    cs = findings.get("corpus_size")
    dyn = findings.get("data_dynamics")
    if "knowledge_source" not in findings:
        if cs and cs.value in ("large", "fits_in_prompt") and not _BEHAVIOUR_DOC.search(cs.span):
            # The user has documents to draw on: facts the model does not have.
            findings["knowledge_source"] = Finding(value="proprietary", span=cs.span, confidence=0.45)
        elif dyn and dyn.value in ("dynamic", "periodic"):
            # Facts that keep changing are, by definition, missing or out of date in the model.
            findings["knowledge_source"] = Finding(value="proprietary", span=dyn.span, confidence=0.4)


def extraction_summary(extraction: Extraction) -> list[str]:
    """One readable line per finding, for CLI output and logs."""
    return [
        f"{name} = {f.value!r} ({f.confidence:.2f}; '{f.span}')"
        for name, f in extraction.findings.items()
    ]


#: A description-length text: reading it loads everything a first message needs.
_WARM_UP_TEXT = (
    "We want an assistant that answers our support team's questions from a 40-page "
    "internal handbook, updated every quarter. Answers must cite the page. About 2,000 "
    "questions a month, and replies should come back within a few seconds."
)


def warm_up() -> None:
    """Load the offline reading models (embedding model, sentence index, trained reader).

    The first extraction in a process pays a few seconds for this. Callers that can
    wait in the background (the page, while the user types) call this first, so the
    user's first message is answered at normal speed. Errors are left to the real call.
    """
    try:
        extract(_WARM_UP_TEXT)
    except Exception:  # noqa: BLE001  (a warm-up must never break its caller)
        logging.getLogger(__name__).debug("warm-up extraction failed", exc_info=True)
