"""How the emulated Jira answers HTTP: errors, authentication, the request context, endpoints.

- :mod:`.errors`: Jira's ErrorCollection errors (a leaf: it imports nothing else of the sandbox);
- :mod:`.auth`: Basic, PAT and (through hooks the app wires) OAuth authentication;
- :mod:`.context`: :class:`~.context.Ctx`, everything a handler needs about one request;
- :mod:`.endpoints`: :func:`~.endpoints.endpoint`, declaring a handler for a spec operation
  (and :func:`~.endpoints.servlet`, for one of the avatar images outside the REST API);
- :mod:`.dispatch`: running one endpoint (auth, faults, counters, error mapping);
- :mod:`.rawpath`, :mod:`.paging`: raw-path matching and opaque page tokens.

The route table that puts the endpoints together is :mod:`jiragw.sandbox.routing`.
"""
