"""Route modules of the emulated Jira REST APIs, one per resource group.

Each module exports its endpoints in a ``ROUTES`` tuple; the route table
that serves them is built above, in :mod:`jiragw.sandbox.routing` (its
docstring says how to add a route).
"""
