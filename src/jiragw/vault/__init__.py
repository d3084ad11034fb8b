"""Secrets at rest: AES-256-GCM keyring with key ids, AAD binding, rotate/rewrap/retire.

See :mod:`jiragw.vault.keyring` (the API), :mod:`jiragw.vault.envelope` (the
ciphertext format) and :mod:`jiragw.vault.keyfile` (the keyring file format);
:mod:`jiragw.vault.live` re-reads the keyring file in a running process.
"""

from __future__ import annotations

from jiragw.vault.envelope import Envelope, key_id, peek_kid
from jiragw.vault.keyring import Keyring, aad_for
from jiragw.vault.live import LiveKeyring

__all__ = ["Envelope", "Keyring", "LiveKeyring", "aad_for", "key_id", "peek_kid"]
