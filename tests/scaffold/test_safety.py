"""The encoders user text goes through."""

from __future__ import annotations

import ast
import json
import tomllib

import pytest
import yaml

from agent.scaffold_safety import (
    clean_text,
    json_line,
    md_inline,
    package_identifier,
    py_literal,
    safe_base_url,
    safe_model_name,
    slugify,
    toml_string,
    yaml_dump,
)

NASTY = 'a"b\'c\\d{{e}}{%f%}\x00g\u202eh\n🚀'


def test_each_encoder_round_trips_the_cleaned_text() -> None:
    cleaned = clean_text(NASTY)
    assert "\x00" not in cleaned and "\u202e" not in cleaned and "🚀" in cleaned
    assert ast.literal_eval(py_literal(NASTY)) == cleaned
    assert tomllib.loads("x = " + toml_string(NASTY))["x"] == clean_text(NASTY, multiline=False)
    assert yaml.safe_load(yaml_dump({"x": [NASTY]}))["x"] == [NASTY]
    assert json.loads(json_line({"x": NASTY})) == {"x": NASTY}
    for encoded in (py_literal(NASTY), toml_string(NASTY), yaml_dump({"x": NASTY}),
                    json_line({"x": NASTY}), md_inline(NASTY)):
        assert "{{" not in encoded and "}}" not in encoded and "{%" not in encoded


def test_markdown_is_escaped_to_one_inert_line() -> None:
    text = md_inline("# Title\n<img src=x onerror=alert(1)> [a](b) *x*")
    assert "\n" not in text
    assert text.startswith("\\# Title") and "\\<img" in text and "\\[a\\]\\(b\\)" in text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("import", "import_app"), ("json", "json_app"), ("123 go", "p_123_go"), ("", "starter"),
     ("Héllo Wörld", "hello_world")],
)
def test_package_identifiers_are_safe(raw: str, expected: str) -> None:
    ident = package_identifier(slugify(raw))
    assert ident == expected and ident.isidentifier()


def test_settings_values_are_sanitised() -> None:
    assert safe_base_url("https://user:pw@host.example:8443/v1?key=sk-1#x") == (
        "https://host.example:8443/v1")
    assert safe_base_url("javascript:alert(1)") == ""
    assert safe_base_url("http://h/\"; rm -rf") == ""
    assert safe_model_name("gpt-4o-mini", "d") == "gpt-4o-mini"
    assert safe_model_name("x\nOPENAI_API_KEY=1", "d") == "d"


def test_keys_are_redacted_and_length_capped() -> None:
    assert "sk-" not in clean_text("key sk-abcdefghijklmnopqrstuvwxyz123 end")
    assert "SECRETVALUE" not in clean_text("has SECRETVALUE", secrets=["SECRETVALUE"])
    assert len(clean_text("x" * 50_000, max_chars=100)) == 100
