"""The management API under ``/api/v1`` (connections, keys, audit) and its OpenAPI page at ``/docs``.

A FastAPI sub-application mounted at ``/api/v1``; its OpenAPI document is
served at ``/api/v1/openapi.json`` and rendered, self-contained (no
third-party assets), at ``/docs`` by :mod:`jiragw.gateway.api.docs`.

The caller is a gateway key carrying :data:`jiragw.keys.ADMIN_SCOPE` (Bearer,
or the Basic password). No key is a 401, a key without the scope a 403
``permission_denied``; ``/whoami`` answers any valid key. One router per
resource (:mod:`~jiragw.gateway.api.whoami`,
:mod:`~jiragw.gateway.api.connections`, :mod:`~jiragw.gateway.api.keys`,
:mod:`~jiragw.gateway.api.audit`), each with thin handlers: the work is done
by :mod:`jiragw.keys`, :mod:`jiragw.broker` and the store. Every mutating call
is audited as ``api.*`` with the admin key as actor. Errors are
``{"error": {"code", "message"}}`` with the stable codes; validation errors
are 400 ``invalid_input`` (never 422 or 500).
"""

from __future__ import annotations

from jiragw.gateway.api.app import build_api, routes
from jiragw.gateway.api.deps import PREFIX

__all__ = ["PREFIX", "build_api", "routes"]
