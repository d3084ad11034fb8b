"""How fast the sandbox's JQL engine filters and sorts 100,000 in-memory issues.

Run: ``python benchmarks/jql_eval.py [N]``. Prints compile time, and issues/s
for a few representative queries over a synthetic instance (not a test).
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta

from jiragw.sandbox.jql import compile_jql
from jiragw.sandbox.seeding import demo_users
from jiragw.sandbox.state.defaults import install_defaults
from jiragw.sandbox.state.model import Instance, Issue, Project, RichText

QUERIES = (
    'project = P3 AND status = "In Progress" ORDER BY key',
    "assignee = currentUser() AND priority in (High, Highest) ORDER BY updated DESC",
    "labels in (backend, ops) OR statusCategory = Done",
    "created >= -30d AND resolution = Unresolved ORDER BY priority, key",
    "summary ~ 'deploy*'",
    "text ~ 'canary' ORDER BY created",
    "ORDER BY key DESC",
)
WORDS = ("deploy", "deployment", "canary", "login", "crash", "fix", "add")


def build(n: int) -> Instance:
    rng = random.Random(1)
    inst = Instance(kind="cloud", name="bench", cloud_id="bench")
    install_defaults(inst, demo_users(0))
    users = list(inst.users)
    statuses = list(inst.statuses)
    priorities = list(inst.priorities)
    now = datetime(2024, 3, 15, tzinfo=UTC)
    projects = []
    for p in range(10):
        project = Project(
            id=inst.new_id(), key=f"P{p}", name=f"Project {p}", lead=users[0], issue_type_ids=[]
        )
        inst.add_project(project)
        projects.append(project)
    for n_ in range(n):
        project = projects[n_ % len(projects)]
        project.issue_counter += 1
        created = now - timedelta(seconds=rng.randrange(365 * 86400))
        inst.add_issue(
            Issue(
                id=inst.new_id(),
                key=f"{project.key}-{project.issue_counter}",
                project_id=project.id,
                issue_type_id="10001",
                summary=" ".join(rng.choices(WORDS, k=5)),
                status_id=rng.choice(statuses),
                reporter=users[0],
                creator=users[0],
                created=created,
                updated=created,
                description=RichText.from_wiki(" ".join(rng.choices(WORDS, k=12))),
                priority_id=rng.choice(priorities),
                assignee=rng.choice(users),
                labels=rng.sample(["backend", "frontend", "ops", "docs"], k=rng.randrange(3)),
            )
        )
    return inst


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    inst = build(n)
    user = inst.find_user("alice")
    now = datetime(2024, 3, 15, tzinfo=UTC)
    issues = list(inst.issues.values())
    print(f"{n} issues")
    for jql in QUERIES:
        t0 = time.perf_counter()
        q = compile_jql(inst, jql, user=user, now=now)
        t1 = time.perf_counter()
        found = q.search(issues)
        t2 = time.perf_counter()
        found = q.search(issues)  # text ~ caches issue text on the first run
        t3 = time.perf_counter()
        print(
            f"{jql[:70]:72} compile {1000 * (t1 - t0):6.2f} ms  first {1000 * (t2 - t1):7.1f} ms  "
            f"again {1000 * (t3 - t2):7.1f} ms  {n / (t3 - t2):>11,.0f} issues/s  ({len(found)} hits)"
        )


if __name__ == "__main__":
    main()
