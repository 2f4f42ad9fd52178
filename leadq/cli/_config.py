"""Configuration of the `leadq` command: `[tool.leadq]` in pyproject.toml, or leadq.toml.

Found as ruff finds its own: the nearest folder, from the current one up, that holds a
`leadq.toml`, or a `pyproject.toml` with a `[tool.leadq]` table (leadq.toml wins in the same
folder). `--config FILE` names the file; `--isolated` reads none. Flags on the command line
override the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import attrs

from ..core.diagnostics import LeadqError
from ..core.rules import unknown_selector

if TYPE_CHECKING:  # pathlib loads once a file is found: most runs read none, and it costs start-up time
    from pathlib import Path

SEVERITIES = ("error", "warning", "info")
OUTPUT_FORMATS = ("text", "json", "sarif", "github")
#: The settings of the commands that call the API (`leadq fetch`): docs/fetch.md. No key
#: holds a secret itself: a token or a password is read from the file a key names.
API_KEYS = (
    "base-url", "http-method", "auth", "username", "token-file", "password-file", "timeout", "retries", "retry-time",
    "concurrency",
)  # fmt: skip
KEYS = (
    "method", "role", "select", "ignore", "per-file-ignores", "fail-on", "output-format", "encoding", "include",
    "extend-include", "exclude", "extend-exclude", "respect-gitignore", *API_KEYS,
)  # fmt: skip


class ConfigError(Exception):
    """A configuration file leadq cannot use (exit status 2)."""


@attrs.frozen
class Config:
    """The settings of one run, from a file (or the defaults)."""

    method: str = "leads.list"
    role: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    fail_on: str = "error"
    output_format: str = "text"
    encoding: str = "utf-8"
    include: tuple[str, ...] | None = None
    extend_include: tuple[str, ...] = ()
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    base_url: str | None = None
    http_method: str | None = None
    auth: str | None = None
    username: str | None = None
    token_file: Path | None = None
    password_file: Path | None = None
    timeout: float | None = None
    retries: int | None = None
    retry_time: float | None = None
    concurrency: int | None = None
    path: Path | None = None

    @property
    def root(self) -> Path:
        """The folder the globs of `include` and `exclude` start from."""
        from pathlib import Path

        return self.path.parent if self.path is not None else Path.cwd()


def find(start: str) -> Path | None:
    """The configuration file that applies in the folder `start`, if any. A `pyproject.toml`
    that is not valid TOML is an error, not a file passed over: it may hold the settings."""
    folder = os.path.abspath(start)
    while True:
        for name in ("leadq.toml", "pyproject.toml"):
            if os.path.isfile(os.path.join(folder, name)):
                from pathlib import Path

                path = Path(folder, name)
                if name == "leadq.toml" or _table(path, required=False) is not None:
                    return path
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def load(path: Path, roles: tuple[str, ...]) -> Config:
    """Read and check a configuration file: an unknown key or a bad value is an error."""
    table = _table(path, required=True)
    assert table is not None
    shown = _shown(path)
    where = f"{shown} [tool.leadq]" if path.name == "pyproject.toml" else shown
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        from leadq.core.suggest import closest

        guess = closest(unknown[0], KEYS)
        known = f"did you mean `{guess}`?" if guess else f"the keys are {', '.join(KEYS)}"
        raise ConfigError(f"{where}: unknown key `{unknown[0]}`; {known}")
    values: dict[str, object] = {"path": path}
    for key, value in table.items():
        field = key.replace("-", "_")
        if key == "method":
            values[field] = _method(where, value)
        elif key == "role":
            values[field] = _choice(where, key, value, roles)
        elif key == "fail-on":
            values[field] = _choice(where, key, value, SEVERITIES)
        elif key == "output-format":
            values[field] = _choice(where, key, value, OUTPUT_FORMATS)
        elif key in ("select", "ignore"):
            values[field] = _codes(where, key, value)
        elif key == "encoding":
            values[field] = _encoding(where, value)
        elif key in ("include", "extend-include", "exclude", "extend-exclude"):
            values[field] = _globs(where, key, value)
        elif key == "respect-gitignore":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: `{key}` must be true or false, not {value!r}")
            values[field] = value
        elif key in API_KEYS:
            values[field] = _api_setting(where, key, value, path.parent)
        else:
            if not isinstance(value, Mapping):
                raise ConfigError(f"{where}: `{key}` must be a table of file patterns to lists of codes")
            values[field] = tuple((str(glob), _codes(where, f"{key}.{glob}", codes)) for glob, codes in value.items())
    return Config(**values)  # type: ignore[arg-type]


def _shown(path: Path) -> str:
    """The path as a person wants to read it: relative to the current folder when inside."""
    from pathlib import Path

    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _table(path: Path, required: bool) -> dict[str, object] | None:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read {_shown(path)}: {e}") from None
    if not required and path.name == "pyproject.toml" and "leadq" not in text and "\\u" not in text.lower():
        return None  # it cannot hold [tool.leadq] (a key may spell it with escapes): not read as TOML
    import tomllib  # only once a file is found: most runs read none

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{_shown(path)} is not valid TOML: {e}; fix it, or run with --isolated") from None
    if path.name != "pyproject.toml":
        return data
    tool = data.get("tool")
    table = tool.get("leadq") if isinstance(tool, dict) else None
    if table is None and required:
        raise ConfigError(f"{path} has no [tool.leadq] table")
    return table if isinstance(table, dict) else None


def _choice(where: str, key: str, value: object, choices: tuple[str, ...], lower: bool = False) -> str:
    if isinstance(value, str) and (value.lower() if lower else value) in choices:
        return value.lower() if lower else value
    raise ConfigError(f"{where}: `{key}` must be one of {', '.join(choices)}, not {value!r}")


def _method(where: str, value: object) -> str:
    from ..schemas.methods import METHODS, schema  # the registry: only when a file names a method

    if isinstance(value, str):
        try:
            return schema(value).method
        except LeadqError as e:
            d = e.diagnostics[0]
            raise ConfigError(f"{where}: `method`: {d.message}" + (f"; {d.hint}" if d.hint else "")) from None
    raise ConfigError(f"{where}: `method` must be the name of a method such as {next(iter(METHODS))!r}, not {value!r}")


def _api_setting(where: str, key: str, value: object, folder: Path) -> object:
    """A setting of the commands that call the API, checked; files relative to the
    configuration file's folder."""
    if key in ("timeout", "retry-time"):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            return float(value)
        raise ConfigError(f"{where}: `{key}` must be a number of seconds above 0, not {value!r}")
    if key in ("retries", "concurrency"):
        low = 0 if key == "retries" else 1
        if isinstance(value, int) and not isinstance(value, bool) and value >= low:
            return value
        raise ConfigError(f"{where}: `{key}` must be a whole number from {low} up, not {value!r}")
    if key == "http-method":
        if isinstance(value, str) and value.upper() in ("GET", "POST"):
            return value.upper()
        raise ConfigError(f"{where}: `{key}` must be GET or POST, not {value!r}")
    if key == "auth":
        return _choice(where, key, value, ("password", "basic"))
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: `{key}` must be a non-empty string, not {value!r}")
    if key == "base-url" and not value.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: `{key}` must be an http:// or https:// URL, not {value!r}")
    if key in ("token-file", "password-file"):
        return folder / os.path.expanduser(value)
    return value


def _codes(where: str, key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f'{where}: `{key}` must be a list of codes or prefixes, such as ["W6", "E201"]')
    codes = tuple(v.strip().upper() for v in value)
    for code in codes:
        problem = unknown_selector(code)
        if problem:
            raise ConfigError(f"{where}: `{key}`: {problem}")
    return codes


def _encoding(where: str, value: object) -> str:
    import codecs

    try:
        if isinstance(value, str):
            return codecs.lookup(value).name
    except LookupError:
        pass
    raise ConfigError(f"{where}: `encoding` must name a text encoding, such as utf-8 or cp1251, not {value!r}")


def _globs(where: str, key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f'{where}: `{key}` must be a list of globs, such as ["*.leadq", "legacy/"]')
    return tuple(v.rstrip("/") or v for v in value)


def selected(code: str, select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    """Whether a finding of `code` is reported: it matches a selected code or prefix (all,
    when none is selected) and, of the selected and ignored prefixes it matches, the
    longest is selected (so `--select W605 --ignore W6` keeps W605, as ruff does)."""
    chosen = max((len(p) for p in select if code.startswith(p)), default=0 if not select else -1)
    dropped = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return chosen >= 0 and chosen > dropped if dropped >= 0 else chosen >= 0


def whole(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` up (for the options of every command)."""
    import argparse

    def read(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            n = low - 1
        if n < low:
            raise argparse.ArgumentTypeError(f"takes a whole number from {low} up, not {text!r}")
        return n

    return read
