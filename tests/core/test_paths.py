"""Where the app keeps its files: the Linux fast path gives the folder platformdirs gives."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from unittest import mock

import platformdirs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.core import paths
from workbench.core.paths import APP_NAME, xdg_dir

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the fast path is for Linux; elsewhere it is off"
)

# Path-like values, odd ones included: relative, empty, blank, doubled and trailing slashes,
# "~", spaces, dots and non-ASCII letters.
_piece = st.text(alphabet="ab ~.-_é/\t\n", max_size=8)
_value = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "/", "//", "~", "~/x", "relative/dir", "/home/u/", "//srv//x/"]),
    st.builds(lambda p: "/" + p, _piece),
    _piece,
)


def _platformdirs(kind: str) -> Path:
    if kind == "config":
        return Path(platformdirs.user_config_dir(APP_NAME, False))
    return Path(platformdirs.user_data_dir(APP_NAME, False))


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(["config", "data"]),
    home=_value,
    config_home=_value,
    data_home=_value,
)
def test_the_fast_path_gives_platformdirs_folder_or_leaves_it_to_platformdirs(
    kind: str, home: str | None, config_home: str | None, data_home: str | None
) -> None:
    environment = {
        name: value
        for name, value in (
            ("HOME", home),
            ("XDG_CONFIG_HOME", config_home),
            ("XDG_DATA_HOME", data_home),
        )
        if value is not None
    }
    with mock.patch.dict(os.environ, environment, clear=True):
        fast = xdg_dir(kind)
        if fast is None:
            return  # platformdirs answers (the start then imports it)
        assert fast == _platformdirs(kind)


def test_a_usual_linux_session_needs_no_platformdirs(tmp_path: Path) -> None:
    environment = {"HOME": str(tmp_path)}
    with mock.patch.dict(os.environ, environment, clear=True):
        assert xdg_dir("config") == tmp_path / ".config" / APP_NAME
        assert xdg_dir("data") == tmp_path / ".local" / "share" / APP_NAME
    environment["XDG_CONFIG_HOME"] = str(tmp_path / "conf")
    with mock.patch.dict(os.environ, environment, clear=True):
        assert xdg_dir("config") == tmp_path / "conf" / APP_NAME


def test_cases_platformdirs_versions_differ_on_are_left_to_it() -> None:
    with mock.patch.dict(os.environ, {"HOME": "/home/u", "XDG_CONFIG_HOME": "rel"}, clear=True):
        assert xdg_dir("config") is None
    with mock.patch.dict(os.environ, {"HOME": "not/absolute"}, clear=True):
        assert xdg_dir("data") is None
    with mock.patch.dict(os.environ, {"HOME": "/h", "ANDROID_DATA": "/data"}, clear=True):
        assert xdg_dir("config") is None
    # Spaces around the variable (an env file, "$(cat ...)"): platformdirs 4.6-4.14.2 strip
    # them, other versions keep them.
    for value in ("/cfg ", " /cfg", "/cfg\n", "\t/cfg"):
        with mock.patch.dict(os.environ, {"HOME": "/h", "XDG_CONFIG_HOME": value}, clear=True):
            assert xdg_dir("config") is None


def test_the_platform_folder_is_asked_once_and_follows_the_fast_path(tmp_path: Path) -> None:
    paths._platform_dir.cache_clear()
    try:
        with mock.patch.dict(os.environ, {"HOME": str(tmp_path)}, clear=True):
            assert paths._platform_dir("config") == tmp_path / ".config" / APP_NAME
    finally:
        paths._platform_dir.cache_clear()
