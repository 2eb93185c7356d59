"""The server's own SECRET_KEY when none is configured: made once, kept in its data directory.

A published development key would let anyone forge sessions and password-reset links, so a
server started without `SECRET_KEY` makes a random one on first start and reads it back after.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

FILE_NAME = "secret_key"


def load_or_create(data_dir: Path) -> str:
    """The key kept in `data_dir`, made (readable by this user only) if there is none yet.

    Several processes may start at once: each writes a candidate to a file of its own and links
    it into place, which fails for all but the first, so every process ends up with that one.
    """
    path = data_dir / FILE_NAME
    try:
        if key := _read(path):
            return key
        data_dir.mkdir(parents=True, exist_ok=True)
        candidate = data_dir / f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(50) + "\n")
                file.flush()
                os.fsync(file.fileno())
            try:
                os.link(candidate, path)
            except FileExistsError:
                pass  # another process was first: use its key
        finally:
            candidate.unlink(missing_ok=True)
        key = _read(path)
    except OSError as error:
        raise ImproperlyConfigured(
            f"SECRET_KEY is not set and the key kept in {path} cannot be read or made ({error.strerror}). "
            "Set SECRET_KEY, or STORMING_DATA_DIR to a directory this user can write."
        ) from None
    if not key:
        raise ImproperlyConfigured(f"{path} is empty: delete it to make a new key, or set SECRET_KEY.")
    return key


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return None
