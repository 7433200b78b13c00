"""Identity numbers at rest: Fernet encryption plus a keyed hash for lookup.

One secret (32 random bytes, URL-safe base64) protects the person cache. Two keys are derived from it with
HKDF-SHA256: a Fernet key (AES-128-CBC + HMAC) to encrypt the number, and an HMAC-SHA256 key for
``id_number_hash``, the deterministic lookup column (a plain hash of an 18-digit ID number could be reversed
by enumerating birth dates and serials; a keyed hash cannot without the secret).

Where the secret comes from, first match wins:

1. ``$ONEWINDOW_DATA_KEY`` — the secret itself (e.g. injected by a service manager at the centre);
2. the key file ``data.key`` in the application data folder (core.store.paths), generated on first use with
   mode 0600. Several processes starting at once agree on one key (the file is published with an atomic link).

Losing the secret makes stored identity numbers unreadable and unfindable (the rest of the cache stays usable;
persons are refreshed from the platform by person number). Back the key file up with the store, but never
next to a copy of the database that leaves the machine.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.store import paths

KEY_ENV = "ONEWINDOW_DATA_KEY"


class DataKeyError(RuntimeError):
    """The data key is malformed, unreadable, or does not match the stored data."""


def generate_secret() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def _decode_secret(text: str, where: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise DataKeyError(f"the data key in {where} is not URL-safe base64") from exc
    if len(raw) != 32:
        raise DataKeyError(f"the data key in {where} must be 32 bytes (base64 of 32 random bytes), got {len(raw)}")
    return raw


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"onewindow-data-key", info=purpose).derive(secret)


def normalise_id_number(id_number: str) -> str:
    """Trim and upper-case (the check character of an 18-digit number may be typed as x or X)."""
    return id_number.strip().upper()


@dataclass(frozen=True)
class DataCipher:
    """Encrypts identity numbers and computes their lookup hash. Build with ``load`` or ``from_secret``."""

    _fernet: Fernet
    _hmac_key: bytes
    _root: bytes = b""

    @classmethod
    def from_secret(cls, secret: str, *, where: str = "the given secret") -> "DataCipher":
        raw = _decode_secret(secret, where)
        fernet_key = base64.urlsafe_b64encode(_derive(raw, b"onewindow id_number fernet v1"))
        return cls(Fernet(fernet_key), _derive(raw, b"onewindow id_number lookup v1"), raw)

    def derive_key(self, purpose: str) -> bytes:
        """A 32-byte key for one purpose (HKDF of the data key): the centre's journal MAC, stored answers,
        institution secrets — each its own key, all managed as the one data key."""
        return _derive(self._root, purpose.encode("utf-8"))

    @classmethod
    def load(cls, key_file: Path | None = None) -> "DataCipher":
        """From $ONEWINDOW_DATA_KEY, else from the key file (created with a new secret when missing)."""
        env = os.environ.get(KEY_ENV)
        if env:
            return cls.from_secret(env, where=f"${KEY_ENV}")
        path = key_file or paths.data_key_path()
        return cls.from_secret(read_or_create_key_file(path), where=str(path))

    def encrypt(self, id_number: str) -> str:
        return self._fernet.encrypt(normalise_id_number(id_number).encode("utf-8")).decode("ascii")

    def encrypt_text(self, text: str) -> str:
        """Encrypt any text exactly as given (no normalisation): e.g. a queued message that holds an ID number.
        `decrypt` reads it back."""
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise DataKeyError("an identity number cannot be decrypted with this data key (wrong key?)") from exc

    def lookup_hash(self, id_number: str) -> str:
        """Hex HMAC-SHA256 of the normalised number: stable, so it can be indexed and searched."""
        data = normalise_id_number(id_number).encode("utf-8")
        return hmac.new(self._hmac_key, data, hashlib.sha256).hexdigest()


def read_or_create_key_file(path: Path) -> str:
    """The secret stored in `path`; a new one is written atomically when the file does not exist."""
    try:
        return _read_key_file(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(generate_secret() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # atomic and never overwrites: a concurrent creator's key wins
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
    return _read_key_file(path)


def _read_key_file(path: Path) -> str:
    try:
        text = path.read_text(encoding="ascii").strip()
    except UnicodeDecodeError as exc:
        raise DataKeyError(f"the data key file {path} is not a base64 key") from exc
    if not text:
        raise DataKeyError(f"the data key file {path} is empty")
    return text


__all__ = ["KEY_ENV", "DataCipher", "DataKeyError", "generate_secret", "normalise_id_number",
           "read_or_create_key_file"]
