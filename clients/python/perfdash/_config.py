# SPDX-License-Identifier: GPL-3.0-or-later
"""Settings (the same as the C++ SDK's) and the log hook.

Settings come from, in this order (the first that sets a key wins):
  1. the environment: PERFDASH_ENABLED (0/false/no/off turns the SDK off), PERFDASH_INGEST_SOCKET (a path);
  2. the config file: $PERFDASH_CONFIG, else $XDG_CONFIG_HOME/perfdash/client.conf, else
     ~/.config/perfdash/client.conf, with `key = value` lines (`#` starts a comment): `enabled` (true/false) and
     `ingest_socket` (a path);
  3. defaults: enabled; $XDG_RUNTIME_DIR/perfdash/ingest.sock, else /tmp/perfdash-<uid>/ingest.sock.
Off means no records and no log lines; timing and in-memory statistics go on. StatsdClient, a transport the
caller opens itself, is not affected.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from typing import Callable, Optional

from . import _fork

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def parse_bool(text: str) -> Optional[bool]:
    t = text.strip().lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    return None


def config_path() -> str:
    if os.environ.get("PERFDASH_CONFIG"):
        return os.environ["PERFDASH_CONFIG"]
    xdg = os.environ.get("XDG_CONFIG_HOME", "")
    if xdg.startswith("/"):
        return os.path.join(xdg, "perfdash", "client.conf")
    home = os.environ.get("HOME")
    return os.path.join(home, ".config", "perfdash", "client.conf") if home else ""


def default_ingest_socket() -> str:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return os.path.join(runtime, "perfdash", "ingest.sock")
    return f"/tmp/perfdash-{os.getuid()}/ingest.sock"


@dataclass(frozen=True)
class Config:
    enabled: bool = True
    ingest_socket: str = ""
    config_file: str = ""  # the file that was read, empty when none was

    @staticmethod
    def load() -> "Config":
        enabled = True
        socket_path = default_ingest_socket()
        read = ""
        path = config_path()
        if path:
            try:
                with open(path, encoding="utf-8") as f:
                    read = path
                    for line in f:
                        line = line.split("#", 1)[0]
                        if "=" not in line:
                            continue
                        key, value = (part.strip() for part in line.split("=", 1))
                        if key == "enabled" and parse_bool(value) is not None:
                            enabled = parse_bool(value)
                        elif key == "ingest_socket" and value:
                            socket_path = value
            except OSError:
                pass
        env = parse_bool(os.environ.get("PERFDASH_ENABLED", ""))
        if env is not None:
            enabled = env
        if os.environ.get("PERFDASH_INGEST_SOCKET"):
            socket_path = os.environ["PERFDASH_INGEST_SOCKET"]
        return Config(enabled=enabled, ingest_socket=socket_path, config_file=read)


_config: Optional[Config] = None
_config_lock = threading.Lock()


def _after_fork_in_child() -> None:
    global _config_lock
    _config_lock = threading.Lock()  # another thread of the parent may have held it


_fork.at_fork_in_child(_after_fork_in_child)


def config() -> Config:
    """The settings, read once per process."""
    global _config
    with _config_lock:
        if _config is None:
            _config = Config.load()
        return _config


def reload_config() -> Config:
    """Reads the settings again (after the environment or the file changed)."""
    global _config
    with _config_lock:
        _config = Config.load()
        return _config


LogHook = Callable[[int, str], None]
_logger = logging.getLogger("perfdash")
_hook: Optional[LogHook] = None
_hook_set = False


def _default_hook(level: int, message: str) -> None:
    _logger.log(level, message)


def set_log_hook(hook: Optional[LogHook]) -> None:
    """Replaces where the SDK's log lines go: hook(level, message), level as in `logging`. Default: the `perfdash`
    logger. None silences them."""
    global _hook, _hook_set
    _hook = hook
    _hook_set = True


def reset_log_hook() -> None:
    global _hook, _hook_set
    _hook = None
    _hook_set = False


def log(level: int, message: str) -> None:
    """Never raises: a failing hook loses its line, not the caller's work."""
    try:
        if not _hook_set:
            _default_hook(level, message)
        elif _hook is not None:
            _hook(level, message)
    except Exception:
        pass
