# Sourced by scripts/run and scripts/test: makes sure .venv exists and holds the project as it is
# now (reinstalled whenever pyproject.toml changes). Set WORKBENCH_VENV to use another folder.
VENV="${WORKBENCH_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
stamp="$VENV/.installed-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "Prompt Workbench needs Python 3.11 or newer ($PYTHON is $("$PYTHON" -V 2>&1))." >&2
    exit 2
  fi
  echo "Setting up $VENV (first run, or pyproject.toml changed)..." >&2
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".[dev]"
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi
