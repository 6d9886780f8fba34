"""Finds user-visible strings that are not marked for translation, and checks the .ts/.qm files.

Used by ``tests/ui/test_translations.py`` and ``scripts/i18n``. A string is *user-visible* when it
is passed as a literal (or an f-string) to a Qt call that shows text (``setText``, ``setToolTip``,
``QPushButton(...)``, ``addAction``, ``showMessage``...) or to the app's own helpers that show text
(``dialogs.ask``/``show_error``, ``show_status``...). Marked means wrapped in ``self.tr(...)`` or
``QCoreApplication.translate("Context", ...)`` (``tr``/``translate`` by any spelling). A line ending
in ``# no-tr`` is exempt (a model id, a file filter pattern...).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "workbench" / "ui"
I18N = ROOT / "resources" / "i18n"
LANGUAGES = ("zh_CN",)
BIN = Path(sys.executable).parent

#: Methods whose string arguments the user sees.
SINK_METHODS = {
    "setText",
    "setToolTip",
    "setWindowTitle",
    "setPlaceholderText",
    "setStatusTip",
    "setWhatsThis",
    "addTab",
    "insertTab",
    "setTabText",
    "setTabToolTip",
    "addMenu",
    "addAction",
    "showMessage",
    "setTitle",
    "setLabelText",
    "addItem",
    "addItems",
    "insertItem",
    "setHorizontalHeaderLabels",
    "setHeaderLabels",
    "setSpecialValueText",
    "setSuffix",
    "setPrefix",
    "addRow",
    "setInformativeText",
    "setDetailedText",
    "setHtml",
    "setMarkdown",
    "setPlainText",
    "setAccessibleDescription",
    "setButtonText",
    "setEditText",
    "insertRow",
    # the app's helpers
    "ask",
    "show_error",
    "ask_text",
    "choose_export_path",
    "choose_json_open_path",
    "choose_json_save_path",
    "show_status",
    "_action",
    "_menu_action",
    "_button",
    "fail",
    "add_main_tab",
    "add_side_tab",
    "status_message",
    "emit",
    "getSaveFileName",
    "getOpenFileName",
    "getMultiLineText",
    "getText",
    "getItem",
    "beginMacro",
    "show_form",
    "_tool",
    "WorkspaceError",
    # QUndoCommand(text): the undo/redo menu entries
    "__init__",
}
#: Widgets whose constructor's string arguments the user sees.
SINK_CLASSES = {
    "QLabel",
    "QPushButton",
    "QCheckBox",
    "QRadioButton",
    "QGroupBox",
    "QAction",
    "QMenu",
    "QToolButton",
    "QMessageBox",
    "QTreeWidgetItem",
    "QListWidgetItem",
    "QTableWidgetItem",
    "QStandardItem",
}
MARKERS = {"tr", "translate", "QT_TR_NOOP", "QT_TRANSLATE_NOOP"}
_WORD = re.compile(r"[A-Za-z]{2,}")
#: Literals that are not prose: object names (``sendButton``) and key sequences (``Ctrl+N``).
_NOT_PROSE = re.compile(r"^[a-z_][A-Za-z0-9_.]*$|^((Ctrl|Alt|Shift|Meta)\+)+\S+$|^Esc$")


@dataclass(frozen=True)
class Unmarked:
    """One user-visible string literal that is not marked for translation."""

    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.text!r}"


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _literal_text(node: ast.expr) -> str | None:
    """The English words of a literal, f-string or concatenation (None: not a literal)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
        return "".join(str(p) for p in parts) if parts else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        left, right = _literal_text(node.left), _literal_text(node.right)
        if left is None and right is None:
            return None
        return (left or "") + (right or "")
    if isinstance(node, ast.BoolOp):
        texts = [t for t in (_literal_text(v) for v in node.values) if t is not None]
        return " | ".join(texts) if texts else None
    if isinstance(node, ast.IfExp):
        body, orelse = _literal_text(node.body), _literal_text(node.orelse)
        if body is None and orelse is None:
            return None
        return (body or "") + " | " + (orelse or "")
    return None


def _visible_arguments(call: ast.Call) -> list[ast.expr]:
    name = _name(call.func)
    if name in SINK_CLASSES or name in SINK_METHODS:
        return [*call.args, *(k.value for k in call.keywords if k.arg in {"text", "title", "tip"})]
    return []


def unmarked_strings(paths: list[Path] | None = None) -> list[Unmarked]:
    """Every user-visible literal in ``paths`` (default: all of ``workbench/ui``) left unmarked."""
    found: list[Unmarked] = []
    for path in paths or sorted(SOURCES.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source, str(path))):
            if not isinstance(node, ast.Call):
                continue
            for argument in _visible_arguments(node):
                text = _literal_text(argument)
                if text is None or not _WORD.search(text) or _NOT_PROSE.match(text):
                    continue
                line = lines[argument.lineno - 1]
                if line.rstrip().endswith("# no-tr"):
                    continue
                found.append(Unmarked(path, argument.lineno, text))
    return found


def unreadable_marks(paths: list[Path] | None = None) -> list[Unmarked]:
    """``QT_TRANSLATE_NOOP`` calls lupdate skips without a word: anything but two literal
    arguments (a variable, an f-string, a third argument). The core words the window's run and
    file errors this way (``workbench.core.texts``), so a skipped one would stay English."""
    found: list[Unmarked] = []
    for path in paths or [*sorted(SOURCES.rglob("*.py")), *core_sources()]:
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source, str(path))):
            if not isinstance(node, ast.Call) or _name(node.func) != "QT_TRANSLATE_NOOP":
                continue
            literal = [isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args]
            if literal != [True, True] or node.keywords:
                found.append(Unmarked(path, node.lineno, ast.unparse(node)[:80]))
    return found


def core_sources() -> list[Path]:
    """Core modules whose texts the window shows translated (they mark them with the Qt-free
    ``QT_TRANSLATE_NOOP`` of ``workbench.core.texts`` or ``figures``)."""
    return [
        path
        for path in sorted((ROOT / "workbench" / "core").rglob("*.py"))
        if "QT_TRANSLATE_NOOP(" in path.read_text(encoding="utf-8")
    ]


# The translation files ---------------------------------------------------------------------------


def ts_path(language: str) -> Path:
    """The translation source of ``language``."""
    return I18N / f"workbench_{language}.ts"


def qm_path(language: str) -> Path:
    """The compiled translation of ``language`` (shipped)."""
    return I18N / f"workbench_{language}.qm"


def python_sources() -> list[Path]:
    """The files lupdate reads: the UI, and core modules whose texts the window shows translated
    (they mark them with their own Qt-free ``QT_TRANSLATE_NOOP``)."""
    return sorted(SOURCES.rglob("*.py")) + core_sources()


def lupdate(ts: Path) -> None:
    """Updates ``ts`` from the sources (new strings unfinished, vanished ones marked obsolete)."""
    files = [str(p.relative_to(ROOT)) for p in python_sources()]
    subprocess.run(
        [
            str(BIN / "pyside6-lupdate"),
            "-no-obsolete",
            "-locations",
            "none",
            *files,
            "-ts",
            str(ts),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )


def lrelease(ts: Path, qm: Path) -> None:
    """Compiles ``ts`` into ``qm``."""
    subprocess.run(
        [str(BIN / "pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )


@dataclass(frozen=True)
class Entry:
    """One message of a .ts file."""

    context: str
    source: str
    translation: str
    finished: bool


def read_ts(ts: Path) -> list[Entry]:
    """The messages of a .ts file (obsolete/vanished ones left out)."""
    entries = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            kind = translation.get("type", "") if translation is not None else "unfinished"
            if kind in ("obsolete", "vanished"):
                continue
            text = (translation.text or "") if translation is not None else ""
            entries.append(
                Entry(
                    name,
                    message.findtext("source") or "",
                    text,
                    kind != "unfinished" and bool(text),
                )
            )
    return entries


def marked_strings() -> list[Entry]:
    """Every marked string of the sources, as lupdate extracts it (into a scratch .ts)."""
    with tempfile.TemporaryDirectory() as scratch:
        ts = Path(scratch) / "current.ts"
        lupdate(ts)
        return read_ts(ts)


def missing_translations(language: str) -> list[Entry]:
    """Marked strings that the committed .ts of ``language`` lacks or has not finished."""
    path = ts_path(language)
    done = {(e.context, e.source) for e in read_ts(path) if e.finished} if path.exists() else set()
    return [e for e in marked_strings() if (e.context, e.source) not in done]


def stale_qm(language: str) -> bool:
    """Whether the shipped .qm differs from what the committed .ts compiles to."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "fresh.qm"
        lrelease(ts_path(language), fresh)
        shipped = qm_path(language)
        return not shipped.exists() or shipped.read_bytes() != fresh.read_bytes()


def problems() -> list[str]:
    """Everything the translation test would fail on, as lines that say what to do."""
    lines = [
        f"{item}: not marked for translation. Wrap it: self.tr(...) in a QObject, "
        f'QCoreApplication.translate("Context", ...) elsewhere; put values in with '
        f'.format() after it (self.tr("Saved {{path}}").format(path=path)), never an f-string.'
        for item in unmarked_strings()
    ]
    lines += [
        f"{item}: lupdate cannot read this mark, so its text would stay English. Give "
        f'QT_TRANSLATE_NOOP exactly two literals ("Context", "Template {{value}}") and put the '
        f"values in afterwards with .format(value=...)."
        for item in unreadable_marks()
    ]
    for language in LANGUAGES:
        ts = ts_path(language).relative_to(ROOT)
        for entry in missing_translations(language):
            lines.append(
                f"{ts}: no finished {language} translation of {entry.source!r} "
                f"(context {entry.context}). Run scripts/i18n, then fill its <translation> in "
                f'{ts} (remove type="unfinished"), then run scripts/i18n again to rebuild '
                f"the .qm."
            )
        if stale_qm(language):
            lines.append(
                f"{qm_path(language).relative_to(ROOT)} is not what {ts} compiles to: "
                "run scripts/i18n and commit both files."
            )
    return lines


def update() -> None:
    """scripts/i18n: refreshes every .ts from the sources and compiles it to its .qm."""
    I18N.mkdir(parents=True, exist_ok=True)
    for language in LANGUAGES:
        ts = ts_path(language)
        lupdate(ts)
        lrelease(ts, qm_path(language))
        missing = [e for e in read_ts(ts) if not e.finished]
        print(f"{ts.relative_to(ROOT)}: {len(read_ts(ts))} strings, {len(missing)} unfinished")
        for entry in missing:
            print(f"  unfinished ({entry.context}): {entry.source!r}")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    if command == "check":
        found = problems()
        print("\n".join(found) or "Every visible string is marked and translated.")
        sys.exit(1 if found else 0)
    update()
