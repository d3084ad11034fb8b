"""The :class:`Secret` type: a string that will not print itself.

Tokens, passwords, client secrets and keys travel as ``Secret`` so that a
stray ``repr``, f-string, log call or exception message shows a mask rather
than the value. The value is only reachable through :meth:`Secret.reveal`,
which makes every use greppable.
"""

from __future__ import annotations

import hmac
from typing import Final

__all__ = ["MASK", "Secret", "mask_authorization"]

MASK: Final = "***"


class Secret:
    """An opaque secret string; ``str``/``repr``/``format`` are masked."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret wraps a str")
        self._value = value

    def reveal(self) -> str:
        """The secret value itself: pass it only to the wire or the vault."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would write the plaintext somewhere we do not control.
        raise TypeError("Secret values cannot be pickled")


def mask_authorization(value: str) -> str:
    """Mask the credential part of an ``Authorization`` header value."""
    scheme, _, rest = value.partition(" ")
    if not rest:
        return MASK
    return f"{scheme} {MASK}"
