"""Inbound access: gateway keys, their scope ceilings and presets, and their administration.

The layer between the store and the doors (the gateway's proxy and management
API, MCP, the CLI): every door that lets a caller in reads the key, checks
the ceiling and creates or revokes keys through these names, so the rules are
written once. It imports only the store and the layers below it.

- :mod:`jiragw.keys.format`: the key itself (``jgw_`` + 43 base64url
  characters), minting, hashing, reading one off an ``Authorization`` header.
- :mod:`jiragw.keys.ceiling`: the least-privilege decision for one operation.
- :mod:`jiragw.keys.administration`: operations the gateway treats as
  administration though the spec scopes them as work (board create/delete).
- :mod:`jiragw.keys.servlets`: the scopes of what the gateway serves outside
  the REST API (Jira's avatar images), which the scope table does not list.
- :mod:`jiragw.keys.presets`: the ready-made ceilings, derived from the scope table.
- :mod:`jiragw.keys.admin`: creating, listing and revoking keys (audited).
"""

from __future__ import annotations

from jiragw.keys.admin import create_key, key_json, list_keys, revoke_key
from jiragw.keys.administration import ADMINISTRATION_SCOPES, administered
from jiragw.keys.ceiling import ADMIN_SCOPE, check, is_admin, is_read
from jiragw.keys.format import (
    KEY_PREFIX,
    MintedKey,
    hash_key,
    key_from_authorization,
    looks_like_key,
    mint_key,
)
from jiragw.keys.presets import PRESETS, Preset, all_scopes, preset_scopes
from jiragw.keys.servlets import SERVLET_OPERATIONS, match_servlet

__all__ = [
    "ADMINISTRATION_SCOPES",
    "ADMIN_SCOPE",
    "KEY_PREFIX",
    "PRESETS",
    "SERVLET_OPERATIONS",
    "MintedKey",
    "Preset",
    "administered",
    "all_scopes",
    "check",
    "create_key",
    "hash_key",
    "is_admin",
    "is_read",
    "key_from_authorization",
    "key_json",
    "list_keys",
    "looks_like_key",
    "match_servlet",
    "mint_key",
    "preset_scopes",
    "revoke_key",
]
