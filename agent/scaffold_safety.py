"""Safe paths for user text that flows into generated code and files.

Everything the product manager typed (domain, summary, sample questions,
success criteria, the decision report) is untrusted. It reaches a generated
project only through the encoders in this module:

* Python literals: :func:`py_literal` (``ascii()`` of a cleaned string, so the
  code file stays pure ASCII and no bidi control character can hide code);
* TOML strings: :func:`toml_string`;
* YAML and JSON data: :func:`yaml_dump` and :func:`json_line`, which also
  escape ``{`` and ``}`` inside strings so no template engine (Jinja,
  cookiecutter, GitHub Actions ``${{ }}``) downstream can see a marker;
* Markdown: :func:`md_inline` and :func:`md_document`;
* identifiers and file names: :func:`slugify` and :func:`package_identifier`.

All of them first pass text through :func:`clean_text`, which drops NUL and
other control characters, strips bidi overrides, redacts secrets and caps the
length.
"""

from __future__ import annotations

import ast
import json
import keyword
import re
import sys
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml

REDACTED = "[redacted]"

#: Bidi embedding/override/isolate controls: they can make text display in an
#: order other than the one it is parsed in ("trojan source").
_BIDI_CONTROLS = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A)], None
)
#: Patterns that look like API keys even when they are not the configured one.
_KEY_PATTERNS = (
    re.compile(r"sk-[A-Za-z0-9_\-]{16,}"),
    re.compile(r"(?i)bearer\s+[A-Za-z0-9_\-.=]{16,}"),
)
_MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+\-]{0,199}$")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>&~%])")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace every known secret and anything shaped like an API key."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    for pattern in _KEY_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def clean_text(
    value: Any, *, max_chars: int = 2000, secrets: Iterable[str] = (), multiline: bool = True
) -> str:
    """Make untrusted text safe to encode: no NUL/control chars, no bidi overrides,
    no secrets, at most ``max_chars`` characters (an ellipsis marks a cut)."""
    text = "" if value is None else str(value)
    # Cleaning only removes characters, so text far past the cap cannot come back.
    text = text[: max_chars * 2 + 64]
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_BIDI_CONTROLS)
    kept = []
    for ch in text:
        if ch in "\n\t" and multiline:
            kept.append(ch)
        elif ch in "\n\t\r":
            kept.append(" ")
        elif unicodedata.category(ch) == "Cc" or unicodedata.category(ch) == "Cs":
            continue  # NUL, escape sequences, lone surrogates
        else:
            kept.append(ch)
    text = redact("".join(kept), secrets)
    if not multiline:
        text = " ".join(text.split())
    text = text.strip()
    if len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return text


def py_literal(value: Any) -> str:
    """A Python string literal for ``value``: ASCII-only, always valid, inert.

    Braces become ``\\x7b``/``\\x7d`` escapes so no template marker can form.
    """
    text = clean_text(value, max_chars=20_000)
    literal = ascii(text).replace("{", "\\x7b").replace("}", "\\x7d")
    if ast.literal_eval(literal) != text:  # pragma: no cover - a bug here must not ship
        raise ValueError("Python literal round trip changed the text")
    return literal


def toml_string(value: Any) -> str:
    """A TOML basic string (ASCII-only, braces escaped)."""
    out = ['"']
    for ch in clean_text(value, multiline=False):
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "{}" or code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        elif code > 0x7E:
            out.append(f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def md_inline(value: Any, *, max_chars: int = 2000, secrets: Iterable[str] = ()) -> str:
    """One line of Markdown showing ``value`` literally (no links, HTML or headings).

    Callers always put a prefix ("- ", "> ", "**Label:** ") before it, so line-start
    constructs (lists, headings) cannot form; the remaining specials are escaped.
    """
    text = clean_text(value, max_chars=max_chars, secrets=secrets, multiline=False)
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_document(value: Any, *, secrets: Iterable[str] = ()) -> str:
    """A Markdown document kept as written, but with control characters removed,
    secrets redacted and braces escaped (``\\{`` renders as ``{``)."""
    text = clean_text(value, max_chars=500_000, secrets=secrets)
    text = text.replace("{", "\\{").replace("}", "\\}").replace("\\{%", "\\{\\%")
    return text + "\n"


def _escape_braces_in_strings(text: str) -> str:
    """Escape ``{``/``}`` inside double-quoted strings of JSON or YAML output.

    Only valid when every string in ``text`` is double-quoted (our dumpers
    guarantee that); both formats read ``\\u007B`` back as ``{``.
    """
    out: list[str] = []
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            elif ch == "{":
                out.append("\\u007B")
                continue
            elif ch == "}":
                out.append("\\u007D")
                continue
        elif ch == '"':
            in_string = True
        out.append(ch)
    return "".join(out)


class _QuotedDumper(yaml.SafeDumper):
    """SafeDumper that writes every string double-quoted (so braces can be escaped)."""


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')


_PLAIN_KEY = re.compile(r"^[a-z_][a-z0-9_]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _represent_dict(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> yaml.Node:
    # Simple identifier keys stay plain for readability; everything else is quoted.
    pairs = []
    for key, value in data.items():
        if isinstance(key, str) and _PLAIN_KEY.match(key) and key not in _YAML_WORDS:
            key_node: yaml.Node = yaml.ScalarNode("tag:yaml.org,2002:str", key)
        else:
            key_node = dumper.represent_data(key)
        pairs.append((key_node, dumper.represent_data(value)))
    return yaml.MappingNode("tag:yaml.org,2002:map", pairs, flow_style=False)


_QuotedDumper.add_representer(str, _represent_str)
_QuotedDumper.add_representer(dict, _represent_dict)


def yaml_dump(data: Any, *, header: str = "") -> str:
    """YAML text for ``data`` (strings already cleaned by the caller); verified to
    load back to the same value."""
    body = yaml.dump(
        data,
        Dumper=_QuotedDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,
    )
    body = _escape_braces_in_strings(body)
    if yaml.safe_load(body) != data:  # pragma: no cover - a bug here must not ship
        raise ValueError("YAML round trip changed the data")
    return header + body


def json_line(data: Any) -> str:
    """One JSON line (UTF-8, braces inside strings escaped), verified to round-trip."""
    text = _escape_braces_in_strings(json.dumps(data, ensure_ascii=False))
    if json.loads(text) != data:  # pragma: no cover
        raise ValueError("JSON round trip changed the data")
    return text


def slugify(value: Any, *, max_words: int = 4, max_chars: int = 40) -> str:
    """Lowercase ASCII words joined by ``-`` (``""`` when nothing usable is left)."""
    text = unicodedata.normalize("NFKD", clean_text(value, multiline=False))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", text)[:max_words]
    slug = "-".join(words)[:max_chars].strip("-")
    return slug


def package_identifier(slug: str) -> str:
    """A Python package name for ``slug`` that is a valid, non-keyword identifier
    and does not shadow a standard-library module."""
    ident = re.sub(r"[^a-z0-9_]", "_", slug.lower()).strip("_")
    ident = re.sub(r"_+", "_", ident) or "starter"
    if ident[0].isdigit():
        ident = "p_" + ident
    if keyword.iskeyword(ident) or ident in sys.stdlib_module_names or not ident.isidentifier():
        ident = ident + "_app"
    return ident


def safe_model_name(value: Any, default: str) -> str:
    """A model id made of safe characters, else ``default``."""
    text = "" if value is None else str(value).strip()
    return text if _MODEL_NAME.match(text) else default


def safe_base_url(value: Any) -> str:
    """An http(s) URL without credentials, query or fragment; ``""`` when unusable."""
    text = "" if value is None else str(value).strip()
    if not text or any(ch.isspace() or ch in "\"'`\\<>{}" for ch in text):
        return ""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    netloc = parts.hostname + (f":{port}" if port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
