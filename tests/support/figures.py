"""Load the reliability figures recorder (``tests/reliability/figures.py``).

The reliability, security and servers suites all count their figures in the same
table. The module is loaded by path, so it works whatever pytest's import mode and
rootdir layout (``tests/reliability`` is not a package).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

FIGURES_PY = Path(__file__).resolve().parents[1] / "reliability" / "figures.py"


def load_figures() -> ModuleType:
    """A fresh copy of the recorder: ``load_figures().record(category, key, run=..., ...)``."""
    spec = importlib.util.spec_from_file_location("advisor_reliability_figures", FIGURES_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
