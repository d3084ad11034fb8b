"""The keyring of a running process: re-read from its file after a rotation, once, single-flight.

``jiragw vault rotate && jiragw vault rewrap`` run in another process: they add
a key to the keyring file and re-encrypt every stored value under it. A
gateway that loaded the file before then meets envelopes under a key id it
does not hold. :class:`LiveKeyring` answers such an envelope by re-reading the
file (:attr:`jiragw.vault.Keyring.source`) and decrypting again:

- only when the envelope's key id is missing from the ring in memory, so an
  ordinary decryption costs nothing extra;
- single-flight: concurrent misses wait for one reload under a lock, and a
  caller that finds the ring already replaced while it waited does not reload;
- at most once per miss, and not at all when the file is unchanged since the
  last read (same size, modification time and inode), so a value under a key
  that really is gone (retired, or forged) cannot make every call re-read it.

:meth:`LiveKeyring.reload` does the same on demand (``jiragw serve`` calls it on
SIGHUP). New writes check the file first (:meth:`LiveKeyring.encrypt`), so
they always use its current primary key. A key given in
``JIRAGW_MASTER_KEY`` has no file to re-read: the error says so.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from jiragw.errors import ConfigError, DecryptionFailed
from jiragw.secrets import Secret
from jiragw.vault.envelope import peek_kid
from jiragw.vault.keyring import Keyring

__all__ = ["LiveKeyring"]

log = logging.getLogger("jiragw.vault")
_FileStamp = tuple[int, int, int]


def _stamp(path: Path) -> _FileStamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


class LiveKeyring:
    """The current :class:`Keyring` of a process, replaced when its file changes."""

    __slots__ = ("_generation", "_lock", "_ring", "_stamp")

    def __init__(self, ring: Keyring) -> None:
        self._ring = ring
        self._lock = threading.Lock()
        self._generation = 0
        source = getattr(ring, "source", None)
        self._stamp = _stamp(source) if source is not None else None

    @property
    def current(self) -> Keyring:
        """The ring in use now."""
        return self._ring

    @property
    def generation(self) -> int:
        """How many times the ring was replaced by a reload."""
        return self._generation

    def reload(self) -> bool:
        """Re-read the keyring file now; whether the ring changed (False for a key from the environment)."""
        with self._lock:
            return self._reload_locked(force=True)

    def _reload_locked(self, *, force: bool) -> bool:
        source = self._ring.source
        if source is None:
            return False
        stamp = _stamp(source)
        if not force and stamp == self._stamp:
            return False
        ring = Keyring.load(source)
        self._stamp = stamp
        if ring.kids == self._ring.kids and ring.primary_kid == self._ring.primary_kid:
            return False
        self._ring = ring
        self._generation += 1
        log.info("master keyring reloaded: %d key(s)", len(ring.kids))
        return True

    def _ring_for(self, envelope: str) -> Keyring:
        """The ring to open ``envelope`` with: the current one, reloaded once if it lacks the key."""
        ring = self._ring
        kid = peek_kid(envelope)
        if kid is None or kid in ring.kids:
            return ring  # malformed (the ring says so) or ours
        if ring.source is None:
            raise DecryptionFailed(
                "a stored secret is encrypted under a key this process does not hold, and the master "
                "key comes from JIRAGW_MASTER_KEY, which cannot be reloaded: restart with the key "
                "that encrypted it, or keep the keys in JIRAGW_MASTER_KEY_FILE"
            )
        seen = self._generation
        with self._lock:
            if self._generation == seen:
                self._try_reload()
            return self._ring

    def encrypt(self, plaintext: Secret | bytes, aad: str) -> str:
        """Encrypt under the primary key of the keyring file as it is now.

        Writes are rare, so each one pays a ``stat`` of the file: a value is never
        written under a key that ``rotate`` replaced and ``retire`` may remove next.
        """
        source = self._ring.source
        if source is not None and _stamp(source) != self._stamp:
            with self._lock:
                self._try_reload()
        return self._ring.encrypt(plaintext, aad)

    def _try_reload(self) -> None:
        try:
            self._reload_locked(force=False)
        except ConfigError as exc:  # keep serving with the ring in memory
            log.warning("master keyring not reloaded: %s", exc.code)

    def decrypt_bytes(self, envelope: str, aad: str) -> bytes:
        """Decrypt, re-reading the keyring file once if the envelope's key is not in memory."""
        return self._ring_for(envelope).decrypt_bytes(envelope, aad)

    def decrypt(self, envelope: str, aad: str) -> Secret:
        """Decrypt to a :class:`Secret`, re-reading the keyring file once if needed."""
        return self._ring_for(envelope).decrypt(envelope, aad)

    def __repr__(self) -> str:
        return f"LiveKeyring({self._ring!r})"
