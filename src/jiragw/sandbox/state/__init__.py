"""The sandbox's state: the data model of an emulated instance and the :class:`Sandbox` holding them.

- :mod:`.model`: users, projects, issues, boards, sprints... as dataclasses;
- :mod:`.defaults`: the statuses, workflows, fields and demo users every instance starts with;
- :mod:`.sandbox`: :class:`Sandbox` (all instances, the clock, faults, request counters);
- :mod:`.clock`, :mod:`.faults`: the knobs that change how the sandbox answers;
- :mod:`.persist`: saving a sandbox to one SQLite file and loading it back.
"""

from .sandbox import RequestKey, Sandbox

__all__ = ["RequestKey", "Sandbox"]
