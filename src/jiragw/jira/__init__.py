"""The Jira SDK: the typed client every door of jiragw uses (issue 4).

Transport and policy live in :mod:`.transport`, :mod:`.policy`, :mod:`.limiter`,
:mod:`.errors_map` and :mod:`.pagination`; markup conversion in :mod:`.adf`,
:mod:`.wiki` and :mod:`.jql`.
"""

__all__: list[str] = []
