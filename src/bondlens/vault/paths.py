"""Where the vault lives by default, and creating files and folders only their owner can read."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bondlens.errors import BondlensError

VAULT_FILE = "vault.db"
APP_DIR = "bondlens"
SIDE_FILES = ("-wal", "-shm", "-journal")  # what SQLite may keep beside the database file


def data_dir() -> Path:
    """The user's data folder for bondlens: $XDG_DATA_HOME/bondlens or ~/.local/share/bondlens on Linux and BSD,
    ~/Library/Application Support/bondlens on macOS, %LOCALAPPDATA%\\bondlens on Windows."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP_DIR
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_DIR
    xdg = os.environ.get("XDG_DATA_HOME")
    base_dir = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base_dir / APP_DIR


def default_vault_path() -> Path:
    return data_dir() / VAULT_FILE


def side_files(path: Path) -> list[Path]:
    """The database file and every file SQLite may keep beside it."""
    return [path, *(path.with_name(path.name + suffix) for suffix in SIDE_FILES)]


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` (and missing parents); the folder itself is made readable by its owner only (0700)."""
    if folder.is_dir():
        return
    try:
        folder.mkdir(parents=True, mode=0o700)
        os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask
    except OSError as exc:
        raise BondlensError(f"cannot create the folder {folder}: {exc.strerror or exc}") from None


def create_private_file(path: Path) -> None:
    """Create an empty file readable and writable by its owner only (0600); fail if anything is there already."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BondlensError(f"{path} already exists; bondlens will not overwrite it") from None
    except OSError as exc:
        raise BondlensError(f"cannot create {path}: {exc.strerror or exc}") from None
    os.close(fd)


def write_private_file(path: Path, data: bytes) -> None:
    """Write a new file readable by its owner only (0600); never overwrites."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BondlensError(f"{path} already exists; bondlens will not overwrite it") from None
    except OSError as exc:
        raise BondlensError(f"cannot write {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
