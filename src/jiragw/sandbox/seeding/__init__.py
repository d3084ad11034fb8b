"""Seed data: demo users, instances, projects, issues, boards and sprints.

:func:`build_sandbox` (:mod:`.build`) is the one way a seeded sandbox is made;
:mod:`.generator` fills an instance from the distributions in :mod:`.content`,
:mod:`.agile` adds boards and sprints.
"""

from .build import build_sandbox, demo_users, new_instance, populate, random_credential_seed

__all__ = ["build_sandbox", "demo_users", "new_instance", "populate", "random_credential_seed"]
