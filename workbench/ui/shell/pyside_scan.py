"""A cheaper answer to PySide's "does this module use PySide?" question, asked on every import.

Once PySide6 is imported, its ``__feature__`` support (``shibokensupport.feature``) looks at each
module imported afterwards and records whether its source mentions ``PySide6`` (modules that do
may switch on ``snake_case``/``true_property``; the others are ignored). It asks
``inspect.getsource``, which for a module first calls ``inspect.getmodule``, a walk over every
loaded module: the app's start imports about a hundred modules after PySide (its own, the
standard library's, platformdirs, ...), and those questions took 13-14 ms of a 370 ms start.

:func:`install` replaces that question with one that gives the same answer for the modules
where it is cheap to know: a standard-library module never mentions PySide6 (``inspect``'s answer
for it is the same "no", only slower), and a module loaded from a ``.py`` file mentions it when
its bytes do (the text ``inspect`` would have read). Everything else (a module from a zip, a
compiled extension, a frozen app's modules) still goes to PySide's own function. The app uses no
``__feature__``, so the answer only matters to code that would; it stays the same answer anyway.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

_FEATURE_MODULE = "shibokensupport.feature"


def uses_pyside(module: ModuleType, fallback: Callable[[ModuleType], bool]) -> bool:
    """Whether ``module``'s source mentions ``PySide6``, as PySide's ``_mod_uses_pyside`` says."""
    name = getattr(module, "__name__", "")
    if isinstance(name, str) and name.partition(".")[0] in sys.stdlib_module_names:
        return False
    spec = getattr(module, "__spec__", None)
    origin = getattr(spec, "origin", None)
    if isinstance(origin, str) and origin.endswith(".py"):
        try:
            with open(origin, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            pass
    return fallback(module)


def install() -> bool:
    """Puts :func:`uses_pyside` in place of PySide's own scan; False when this PySide has none.

    Call it after PySide6 is imported. Installing twice is harmless.
    """
    feature = sys.modules.get(_FEATURE_MODULE)
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original):
        return False
    if getattr(original, "__wrapped__", None) is not None:
        return True  # already installed

    def _mod_uses_pyside(module: ModuleType) -> bool:
        return uses_pyside(module, original)

    _mod_uses_pyside.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(feature, "_mod_uses_pyside", _mod_uses_pyside)  # noqa: B010 (a private name)
    return True
