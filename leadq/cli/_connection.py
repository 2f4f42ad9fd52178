"""The settings of the commands that call the LiveTex API (`leadq fetch`): where the API
is, how to authenticate, and how hard to try. Each setting is a flag, else an environment
variable, else a key of the configuration file, else the client's default (docs/fetch.md).

Secrets never need the command line, where other users see them (`ps`) and the shell
keeps them (history): the token and the password come from the environment
(``LIVETEX_TOKEN``, ``LIVETEX_PASSWORD``) or a file (``--token-file``, ``--password-file``,
``-`` for standard input; ``LIVETEX_TOKEN_FILE``, ``LIVETEX_PASSWORD_FILE``; the
configuration's ``token-file``, ``password-file``). ``--token`` and ``--password`` still
work, with a warning.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from ._config import Config, whole

#: How hints name the settings on the command line (the client's hints name arguments).
FLAG_NAMES: Mapping[str, str] = {
    "retries": "`--retries`",
    "retry_time": "`--retry-time`",
    "timeout": "`--timeout`",
    "base_url": "`--base-url`",
    "credentials": "the token (`--token-file`, LIVETEX_TOKEN) or the username and password "
    "(`--username`, `--password-file`, LIVETEX_PASSWORD)",
    "max_requests": "`--max-requests 1`",
}


class UsageError(Exception):
    """Settings leadq cannot use (exit status 2); the message names the flag.

    `shown`: the message is whole as it is (rendered diagnostics), not a sentence to
    prefix with ``leadq:``.
    """

    def __init__(self, message: str, *, shown: bool = False) -> None:
        super().__init__(message)
        self.shown = shown


def _url(text: str) -> str:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query and not parts.fragment
        ok = ok and (parts.port is None or parts.port > 0)  # a port that is no number raises
    except ValueError:
        ok = False
    if not ok:
        raise argparse.ArgumentTypeError(
            f"takes an http:// or https:// URL such as https://web-api.livetex.ru, not {text!r}"
        )
    return text


def _seconds(text: str) -> float:
    try:
        n = float(text)
    except ValueError:
        n = 0.0
    if not n > 0 or n == float("inf"):
        raise argparse.ArgumentTypeError(f"takes a number of seconds above 0, not {text!r}")
    return n


def add_flags(parser: argparse.ArgumentParser, *, concurrency: bool = True) -> None:
    """The flags of the API's settings (`concurrency`: with --concurrency)."""
    where = parser.add_argument_group("the API")
    where.add_argument(
        "--base-url",
        type=_url,
        metavar="URL",
        help="the API's base URL (default: $LIVETEX_BASE_URL, the configuration's base-url, else "
        "https://web-api.livetex.ru)",
    )
    where.add_argument(
        "--http-method",
        type=str.upper,
        choices=("POST", "GET"),
        help="how to send requests (default: $LIVETEX_HTTP_METHOD, the configuration's http-method, else POST)",
    )
    who = parser.add_argument_group("credentials (docs/fetch.md: never needed on the command line)")
    who.add_argument(
        "--token-file",
        metavar="PATH",
        help="read the API token from PATH, or - for standard input (default: $LIVETEX_TOKEN, "
        "$LIVETEX_TOKEN_FILE, the configuration's token-file)",
    )
    who.add_argument(
        "--username", help="an account, for the password grant or --auth basic (default: $LIVETEX_USERNAME)"
    )
    who.add_argument(
        "--password-file",
        metavar="PATH",
        help="read the account's password from PATH, or - (default: $LIVETEX_PASSWORD, $LIVETEX_PASSWORD_FILE, "
        "the configuration's password-file)",
    )
    who.add_argument(
        "--auth",
        choices=("password", "basic"),
        help="with a username: the OAuth2 password grant (password, the default) or HTTP Basic authentication",
    )
    who.add_argument(
        "--token", help="the API token; visible to other users in `ps`: prefer LIVETEX_TOKEN or --token-file"
    )
    who.add_argument("--password", help="the password; visible to other users in `ps`: prefer --password-file")
    tries = parser.add_argument_group("how hard to try")
    tries.add_argument("--timeout", type=_seconds, metavar="SECONDS", help="the most one answer may take (default: 30)")
    tries.add_argument("--retries", type=whole(0), metavar="N", help="retries of one request (default: 5)")
    tries.add_argument(
        "--retry-time",
        type=_seconds,
        metavar="SECONDS",
        help="the most seconds one request may take with its retries (default: 60)",
    )
    if concurrency:
        tries.add_argument("--concurrency", type=whole(1), metavar="N", help="requests at once (default: 4)")


def client_settings(
    args: argparse.Namespace, config: Config, environ: Mapping[str, str], stdin: IO[str], warn: Callable[[str], None]
) -> dict[str, Any]:
    """The keyword arguments of `leadq.Client` the flags, the environment and the
    configuration give.

    Raises:
        UsageError: a setting that cannot be used, naming where it came from.
    """
    settings: dict[str, Any] = _credentials(args, config, environ, stdin, warn)
    base_url = args.base_url
    if base_url is None and environ.get("LIVETEX_BASE_URL"):
        base_url = _from_environment("LIVETEX_BASE_URL", environ["LIVETEX_BASE_URL"], _url)
    base_url = base_url or config.base_url
    if base_url is not None:
        settings["base_url"] = base_url
    method = args.http_method
    if method is None and environ.get("LIVETEX_HTTP_METHOD"):
        method = environ["LIVETEX_HTTP_METHOD"].upper()
        if method not in ("GET", "POST"):
            raise UsageError(f"LIVETEX_HTTP_METHOD must be GET or POST, not {environ['LIVETEX_HTTP_METHOD']!r}")
    method = method or config.http_method
    if method is not None:
        settings["http_method"] = method
    for name in ("timeout", "retries", "retry_time", "concurrency"):
        if not hasattr(args, name):
            continue
        value = getattr(args, name)
        value = value if value is not None else getattr(config, name)
        if value is not None:
            settings[name] = value
    return settings


def _from_environment(name: str, value: str, read: Callable[[str], str]) -> str:
    try:
        return read(value)
    except argparse.ArgumentTypeError as e:
        raise UsageError(f"{name} {e}") from None


def _credentials(
    args: argparse.Namespace, config: Config, environ: Mapping[str, str], stdin: IO[str], warn: Callable[[str], None]
) -> dict[str, Any]:
    """token=, or username= and password= (and auth=): from the first of the flags, the
    environment and the configuration that names a token or a username."""
    if args.token is not None and args.token_file is not None:
        raise UsageError("give --token-file or --token, not both")
    if args.password is not None and args.password_file is not None:
        raise UsageError("give --password-file or --password, not both")
    if args.token_file == "-" and args.password_file == "-":
        raise UsageError("--token-file and --password-file cannot both read standard input")
    for flag in ("token", "password"):
        if getattr(args, flag) is not None:
            warn(
                f"--{flag} is visible to other users of this machine (`ps`) and stays in the shell's history; "
                f"use {'LIVETEX_TOKEN or --token-file' if flag == 'token' else 'LIVETEX_PASSWORD or --password-file'}"
            )
    sources: list[tuple[str, Callable[[str], str | None]]] = [
        ("flags", lambda what: _flag(args, what, stdin)),
        ("environment", lambda what: _environment(environ, what)),
        ("configuration", lambda what: _configured(config, what)),
    ]
    for _, read in sources:
        token, username = read("token"), read("username")
        if token is not None and username is not None:
            raise UsageError(
                f"give a token or a username, not both ({_named('token', args)} and {_named('username', args)})"
            )
        if token is not None:
            return {"token": token}
        if username is not None:
            password = next((p for p in (r("password") for _, r in sources) if p is not None), None)
            if password is None:
                raise UsageError(
                    f"the password of {username!r} is missing: give --password-file PATH (or -), "
                    "or set LIVETEX_PASSWORD"
                )
            auth = args.auth or config.auth
            return {"username": username, "password": password, **({"auth": auth} if auth else {})}
    raise UsageError(
        "give the API token (LIVETEX_TOKEN, or --token-file PATH, - for standard input), or --username "
        "and its password (LIVETEX_PASSWORD or --password-file)"
    )


def _named(what: str, args: argparse.Namespace) -> str:
    return {"token": "--token-file" if args.token_file else "the token", "username": "--username"}[what]


def _flag(args: argparse.Namespace, what: str, stdin: IO[str]) -> str | None:
    if what == "username":
        return args.username or None
    path = getattr(args, f"{what}_file")
    if path is not None:
        return _secret(f"--{what}-file", path, stdin, what)
    value = getattr(args, what)
    return value if value else None


def _environment(environ: Mapping[str, str], what: str) -> str | None:
    name = f"LIVETEX_{what.upper()}"
    if what != "username" and environ.get(f"{name}_FILE"):
        return _secret(f"{name}_FILE", environ[f"{name}_FILE"], None, what)
    return environ.get(name) or None


def _configured(config: Config, what: str) -> str | None:
    if what == "username":
        return config.username
    path = config.token_file if what == "token" else config.password_file
    if path is None:
        return None
    shown = config.path.name if config.path is not None else "the configuration"
    return _secret(f"{what}-file of {shown}", str(path), None, what)


def _secret(where: str, path: str, stdin: IO[str] | None, what: str) -> str:
    """A token or password read from a file (`-`: standard input): its first line."""
    try:
        if path == "-" and stdin is not None:
            text = stdin.read()
        else:
            text = Path(path).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(
            f"cannot read the {what} from {where} {path}: {e.strerror if isinstance(e, OSError) else e}"
        ) from None
    value = text.split("\n", 1)[0].rstrip("\r")
    value = value.strip() if what == "token" else value
    if not value:
        raise UsageError(f"{where} {path} holds no {what}")
    return value


def is_stdin(args: argparse.Namespace) -> bool:
    """Whether a secret is read from standard input."""
    return "-" in (args.token_file, args.password_file)


def stderr_warn(message: str) -> None:
    print(f"leadq: warning: {message}", file=sys.stderr)
