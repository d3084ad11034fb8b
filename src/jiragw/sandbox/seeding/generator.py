"""The seed generator: realistic, deterministic projects and issues for one instance.

``generate(instance, projects=N, issues=M, seed=S, now=T)`` fills an instance
with projects (components, versions), issues (types, statuses along the
software workflow, people, priorities, labels, dates, custom fields),
comments, changelogs, watchers and issue links, then boards and sprints
(:mod:`jiragw.sandbox.seeding.agile`). The distributions and words
are the tables of :mod:`jiragw.sandbox.seeding.content`.

Determinism: one ``random.Random`` per instance, seeded by the seed and the
instance's kind and name; timestamps count back from ``now`` floored to the
UTC day, so the same arguments on the same day give identical data.

Speed: rich text is never built as dict trees per issue. A few hundred
fragments (ADF block nodes pre-serialised to JSON bytes, with the same block
as Jira wiki markup beside it) are made once; a description is a
deterministic pick of fragments joined into one document's bytes (Cloud,
ADF) or one wiki string (Data Center, whose native format that is).
Comment bodies and other small rich texts are shared :class:`RichText`
objects, which are immutable.
"""

from __future__ import annotations

import gc
import random
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import sqrt
from typing import Any, Generic, TypeVar

import orjson

from ..state.defaults import CUSTOM_FIELD_OPTIONS
from ..state.model import (
    ChangeHistory,
    ChangeItem,
    Comment,
    Component,
    Instance,
    Issue,
    IssueLink,
    Project,
    RichText,
    User,
    Version,
)
from . import content as sc
from .agile import seed_agile

__all__ = ["Fragment", "generate"]

T = TypeVar("T")
DAY_MS = 86_400_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_POOL = 48  # variants per templated fragment pool
_COMMENT_POOL = 256
_ADF_HEAD = b'{"type":"doc","version":1,"content":['
_ADF_TAIL = b"]}"
# Custom field ids (defaults.CUSTOM_FIELDS).
_STORY_POINTS, _TEAM, _IMPACT, _START, _ACCEPTANCE = (f"customfield_{n}" for n in range(10016, 10021))
_WORDS: dict[str, tuple[str, ...]] = {
    "area": sc.AREAS,
    "object": sc.OBJECTS,
    "verb": sc.TASK_VERBS,
    "symptom": sc.SYMPTOMS,
    "condition": sc.CONDITIONS,
    "role": sc.ROLES,
    "capability": sc.CAPABILITIES,
    "benefit": sc.BENEFITS,
    "subtask": sc.SUBTASK_TASKS,
    "finding": sc.FINDINGS,
    "team": sc.TEAMS,
}


class _Pick(Generic[T]):
    """A weighted choice, precomputed: ``pick(rng)`` is one ``random()`` and a bisect."""

    __slots__ = ("cum", "total", "values")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        self.values: list[T] = []
        self.cum: list[float] = []
        total = 0.0
        for value, weight in pairs:
            total += weight
            self.values.append(value)
            self.cum.append(total)
        self.total = total

    def __call__(self, rng: random.Random) -> T:
        return self.values[bisect_right(self.cum, rng.random() * self.total)]


def _counts(weights: Sequence[int]) -> _Pick[int]:
    return _Pick(enumerate(weights))


class _Words(dict[str, str]):
    """``str.format_map`` source drawing each placeholder from the word lists (``{Area}`` capitalised)."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def __missing__(self, key: str) -> str:
        word = fill(self.rng, self.rng.choice(_WORDS[key.lower()]))
        return word[:1].upper() + word[1:] if key[:1].isupper() else word


def fill(rng: random.Random, template: str) -> str:
    """``template`` with every ``{placeholder}`` drawn from the word lists."""
    return template.format_map(_Words(rng)) if "{" in template else template


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- rich text fragments ----------------------------------------------------------------

Inline = tuple[dict[str, Any], str]  # (ADF inline node, the same in wiki markup)


@dataclass(frozen=True, slots=True)
class Fragment:
    """One block of rich text: the ADF node as JSON bytes and the same block in wiki markup."""

    adf: bytes
    wiki: str


def _text(text: str, *marks: str) -> Inline:
    node: dict[str, Any] = {"type": "text", "text": text}
    if marks:
        node["marks"] = [{"type": m} for m in marks]
    wiki = {"strong": f"*{text}*", "code": "{{" + text + "}}"}.get(marks[0], text) if marks else text
    return node, wiki


def _link(text: str, href: str) -> Inline:
    return {
        "type": "text",
        "text": text,
        "marks": [{"type": "link", "attrs": {"href": href}}],
    }, f"[{text}|{href}]"


def _mention(user: User) -> Inline:
    attrs = {"id": user.account_id, "text": "@" + user.display_name, "accessLevel": ""}
    return {"type": "mention", "attrs": attrs}, f"[~{user.username}]"


def _emoji(row: tuple[str, str, str, str]) -> Inline:
    short, ident, text, wiki = row
    return {"type": "emoji", "attrs": {"shortName": short, "id": ident, "text": text}}, wiki


def _block(node: dict[str, Any], wiki: str) -> Fragment:
    return Fragment(orjson.dumps(node), wiki)


def _paragraph_node(inlines: Sequence[Inline]) -> dict[str, Any]:
    return {"type": "paragraph", "content": [n for n, _ in inlines]}


def paragraph(*inlines: Inline) -> Fragment:
    return _block(_paragraph_node(inlines), "".join(w for _, w in inlines))


def heading(level: int, text: str) -> Fragment:
    node = {"type": "heading", "attrs": {"level": level}, "content": [{"type": "text", "text": text}]}
    return _block(node, f"h{level}. {text}")


def listing(ordered: bool, items: Sequence[Sequence[Inline]]) -> Fragment:
    node = {
        "type": "orderedList" if ordered else "bulletList",
        "content": [{"type": "listItem", "content": [_paragraph_node(item)]} for item in items],
    }
    bullet = "# " if ordered else "* "
    return _block(node, "\n".join(bullet + "".join(w for _, w in item) for item in items))


def code_block(language: str, source: str) -> Fragment:
    node = {
        "type": "codeBlock",
        "attrs": {"language": language},
        "content": [{"type": "text", "text": source}],
    }
    wiki = (
        f"{{noformat}}\n{source}\n{{noformat}}"
        if language == "text"
        else f"{{code:{language}}}\n{source}\n{{code}}"
    )
    return _block(node, wiki)


class _Pools:
    """The fragment pools one instance's rich text is assembled from."""

    def __init__(self, rng: random.Random, people: Sequence[User], cloud: bool) -> None:
        self.cloud = cloud

        def many(make: Callable[[], Fragment], n: int = _POOL) -> list[Fragment]:
            return [make() for _ in range(n)]

        def sentence(templates: Sequence[str]) -> Callable[[], Fragment]:
            return lambda: paragraph(_text(_capitalised(fill(rng, rng.choice(templates)))))

        def items(templates: Sequence[str], low: int, high: int) -> list[list[Inline]]:
            chosen = rng.sample(templates, min(len(templates), rng.randint(low, high)))
            return [[_text(_capitalised(fill(rng, t)))] for t in chosen]

        def labelled(label: str, templates: Sequence[str]) -> Callable[[], Fragment]:
            return lambda: paragraph(_text(label, "strong"), _text(" " + fill(rng, rng.choice(templates))))

        def link_paragraph() -> Fragment:
            text, url = rng.choice(sc.LINKS)
            slug = rng.choice(sc.AREAS).lower().replace(" ", "-")
            href = url.format(n=rng.randint(100, 9999), slug=slug)
            return paragraph(_text("See the "), _link(text, href), _text(" for details."))

        def mention_paragraph() -> Fragment:
            return paragraph(_mention(rng.choice(people)), _text(" " + rng.choice(sc.MENTION_TEXTS)))

        def emoji_paragraph() -> Fragment:
            return paragraph(_text(rng.choice(sc.EMOJI_TEXTS) + " "), _emoji(rng.choice(sc.EMOJIS)))

        self.parts: dict[str, list[Fragment]] = {
            "bug_intro": many(sentence(sc.BUG_INTROS)),
            "story_intro": many(sentence(sc.STORY_INTROS)),
            "prose": many(sentence(sc.PROSE)),
            "comment": many(sentence(sc.COMMENT_TEXTS)),
            "steps": many(lambda: listing(True, items(sc.BUG_STEPS, 2, 5))),
            "bullets": many(lambda: listing(False, items(sc.BULLET_ITEMS, 2, 4))),
            "criteria": many(lambda: listing(False, items(sc.ACCEPTANCE_CRITERIA, 2, 4))),
            "expected": many(labelled("Expected:", sc.BUG_EXPECTED)),
            "actual": many(labelled("Actual:", sc.BUG_ACTUAL)),
            "code": [code_block(lang, src) for lang, src in sc.CODE_SNIPPETS],
            "link": many(link_paragraph),
            "mention": many(mention_paragraph) if people else many(sentence(sc.PROSE)),
            "emoji": many(emoji_paragraph),
        }
        for name, texts in sc.HEADINGS.items():
            self.parts["h_" + name] = [heading(level, t) for t in texts for level in (2, 3)]
        self.comments = [self.assemble(rng, rng.choice(sc.COMMENT_LAYOUTS)) for _ in range(_COMMENT_POOL)]
        self.criteria = [self.join([f]) for f in self.parts["criteria"]]
        self.environments = [self.join([paragraph(_text(e))]) for e in sc.ENVIRONMENTS]

    def join(self, fragments: Sequence[Fragment]) -> RichText:
        if self.cloud:
            return RichText(adf=_ADF_HEAD + b",".join(f.adf for f in fragments) + _ADF_TAIL)
        return RichText(wiki="\n\n".join(f.wiki for f in fragments))

    def assemble(self, rng: random.Random, layout: Sequence[tuple[str, float]]) -> RichText:
        parts = self.parts
        chosen: list[Fragment] = []
        for name, p in layout:
            if p >= 1.0 or rng.random() < p:
                fragment = rng.choice(parts[name])
                # A pool used twice in a layout gives two blocks, not one block repeated.
                if not any(f is fragment for f in chosen):
                    chosen.append(fragment)
        return self.join(chosen)


# -- projects and issues ------------------------------------------------------------------


@dataclass(slots=True)
class _ProjectPlan:
    """What issue generation needs to know about one seeded project."""

    project: Project
    components: list[int]
    released: list[Version]  # by release date
    released_days: list[int]  # their release dates as ordinals, for bisect
    unreleased: list[Version]
    issues: list[Issue]
    standard: list[Issue]  # possible subtask parents: not epics, not subtasks


class _Generator:
    def __init__(self, instance: Instance, rng: random.Random, anchor: datetime) -> None:
        self.instance = instance
        self.rng = rng
        self.anchor = anchor
        self.anchor_ms = int((anchor - _EPOCH).total_seconds()) * 1000
        people = {u.username: u.account_id for u in instance.users.values()}
        self.assignee = _Pick(
            (people[n] if n else None, w) for n, w in sc.ASSIGNEE_WEIGHTS if not n or n in people
        )
        self.person = _Pick((people[n], w) for n, w in sc.REPORTER_WEIGHTS if n in people)
        if not self.person.values:  # an instance without the demo users: anyone will do
            self.person = _Pick((acc, 1.0) for acc in instance.users)
        by_name = {s.name: s for s in instance.statuses.values()}
        self.status = {name: by_name[name] for name in sc.STATUS_PATHS}
        self.status_by_age = [(days, _Pick(w)) for days, w in sc.STATUS_BY_AGE]
        self.paths = {name: _Pick(p) for name, p in sc.STATUS_PATHS.items()}
        type_by_name = {t.name: t.id for t in instance.issue_types.values()}
        self.issue_type = _Pick(sc.ISSUE_TYPE_WEIGHTS)
        self.type_id = type_by_name
        prio_by_name = {p.name: p.id for p in instance.priorities.values()}
        self.priority = _Pick((prio_by_name[n], w) for n, w in sc.PRIORITY_WEIGHTS if n in prio_by_name)
        res_by_name = {r.name: r for r in instance.resolutions.values()}
        self.fixed_id = res_by_name["Done"].id if "Done" in res_by_name else None
        self.resolution = _Pick((res_by_name[n], w) for n, w in sc.RESOLUTION_WEIGHTS if n in res_by_name)
        self.link_type = _Pick(
            (lt.id, w) for n, w in sc.LINK_TYPE_WEIGHTS for lt in instance.link_types.values() if lt.name == n
        )
        self.duplicate_type = next(
            (lt.id for lt in instance.link_types.values() if lt.name == "Duplicate"), None
        )
        self.story_points = _Pick(sc.STORY_POINTS)
        self.comment_count = _counts(sc.COMMENT_COUNT_WEIGHTS)
        self.label_count = _counts(sc.LABEL_COUNT_WEIGHTS)
        self.extra_watchers = _counts(sc.EXTRA_WATCHER_WEIGHTS)
        self.impact = CUSTOM_FIELD_OPTIONS[10018]
        mentionable = [instance.users[a] for a in self.person.values]
        self.pools = _Pools(rng, mentionable, instance.kind == "cloud")

    def at(self, ms: int) -> datetime:
        return _EPOCH + timedelta(milliseconds=ms)

    # -- projects -----------------------------------------------------------------------------
    def project(self, n: int) -> _ProjectPlan:
        rng, inst = self.rng, self.instance
        key, name, description, component_names = sc.PROJECT_THEMES[n % len(sc.PROJECT_THEMES)]
        cycle = n // len(sc.PROJECT_THEMES)
        if cycle:
            key, name = f"{key}{cycle + 1}", f"{name} {cycle + 1}"
        age_days = rng.randint(sc.CREATED_SPAN_DAYS + 30, sc.CREATED_SPAN_DAYS + 400)
        project = Project(
            id=inst.new_id(),
            key=key,
            name=name,
            lead=self.person(rng),
            issue_type_ids=list(inst.issue_types),
            description=description,
            created=self.anchor - timedelta(days=age_days, seconds=rng.randrange(86400)),
        )
        inst.add_project(project)
        count = rng.randint(min(3, len(component_names)), len(component_names))
        for cname in component_names[:count]:
            comp = Component(
                id=inst.new_id(),
                project_id=project.id,
                name=cname,
                description=f"{cname} work in {name}.",
                lead=self.person(rng) if rng.random() < 0.6 else None,
            )
            inst.components[comp.id] = comp
            project.component_ids.append(comp.id)
        released, unreleased = self.versions(project)
        return _ProjectPlan(
            project,
            list(project.component_ids),
            released,
            [v.release_date.toordinal() for v in released if v.release_date],
            unreleased,
            [],
            [],
        )

    def versions(self, project: Project) -> tuple[list[Version], list[Version]]:
        """Releases spread over the past year (old ones sometimes archived), then one or two to come."""
        rng, inst = self.rng, self.instance
        total = rng.randint(*sc.VERSIONS_PER_PROJECT)
        upcoming = 1 if total < 5 else 2
        today = self.anchor.date()
        step = (sc.CREATED_SPAN_DAYS - 30) // max(1, total - upcoming)
        day = today - timedelta(days=sc.CREATED_SPAN_DAYS - 30 - rng.randint(0, 20))
        major, minor = 1, 0
        released: list[Version] = []
        unreleased: list[Version] = []
        for i in range(total):
            if i >= total - upcoming:
                day = max(day, today + timedelta(days=rng.randint(7, 30)))
            is_released = i < total - upcoming
            if is_released:
                day = min(day, today - timedelta(days=1))
            version = Version(
                id=inst.new_id(),
                project_id=project.id,
                name=f"{major}.{minor}",
                description=f"Release {major}.{minor} of {project.name}",
                released=is_released,
                archived=is_released and (today - day).days > 240 and rng.random() < 0.6,
                release_date=day,
                start_date=day - timedelta(days=rng.randint(21, 56)),
            )
            inst.versions[version.id] = version
            project.version_ids.append(version.id)
            (released if is_released else unreleased).append(version)
            day += timedelta(days=step + rng.randint(-7, 7))
            major, minor = (major + 1, 0) if rng.random() < 0.15 else (major, minor + 1)
        return released, unreleased

    # -- issues -------------------------------------------------------------------------------
    def issues(self, plans: list[_ProjectPlan], count: int) -> None:
        rng, anchor_ms = self.rng, self.anchor_ms
        span = sc.CREATED_SPAN_DAYS * DAY_MS - 600_000
        # 1 - sqrt(u) is densest near 0: more issues were created recently (a growing team).
        created = sorted(anchor_ms - 600_000 - int(span * (1.0 - sqrt(rng.random()))) for _ in range(count))
        which = _Pick((i, 1.0 / (i + 1) ** sc.ZIPF_EXPONENT) for i in range(len(plans)))
        for n, created_ms in enumerate(created):
            # The first (oldest) issue goes to the first project, so PRJ-1 always exists.
            plan = plans[0] if n == 0 else plans[which(rng)]
            self.issue(plan, created_ms)
        self.links(plans, count)

    def issue(self, plan: _ProjectPlan, created_ms: int) -> None:
        rng, inst, shares = self.rng, self.instance, sc.SHARES
        project = plan.project
        type_name = self.issue_type(rng)
        parent: Issue | None = None
        if type_name == "Subtask":
            if plan.standard:
                parent = rng.choice(plan.standard[-50:])
            else:
                type_name = "Task"
        age_days = (self.anchor_ms - created_ms) / DAY_MS
        status_pick = next(pick for days, pick in self.status_by_age if age_days <= days)
        status_name = status_pick(rng)
        path = self.paths[status_name](rng)
        resolution = self.resolution(rng) if status_name == "Done" else None
        if status_name == "Done":
            lifetime = max(60_000, int(rng.expovariate(1.0 / sc.MEAN_DAYS_TO_RESOLVE) * DAY_MS))
            end_ms = min(created_ms + lifetime, self.anchor_ms - 1000)
        else:
            end_ms = created_ms + 1000 + int((self.anchor_ms - created_ms - 1000) * rng.random())
        steps = sorted(created_ms + 1 + int((end_ms - created_ms - 1) * rng.random()) for _ in path[1:])
        steps.append(end_ms)

        reporter = self.person(rng)
        assignee = self.assignee(rng)
        creator = self.person(rng) if rng.random() < shares["other_creator"] else reporter
        project.issue_counter += 1
        issue = Issue(
            id=inst.new_id(),
            key=f"{project.key}-{project.issue_counter}",
            project_id=project.id,
            issue_type_id=self.type_id[type_name],
            summary=_capitalised(fill(rng, rng.choice(sc.SUMMARY_TEMPLATES[type_name]))),
            status_id=self.status[status_name].id,
            reporter=reporter,
            creator=creator,
            created=self.at(created_ms),
            updated=self.at(created_ms),
            priority_id=self.priority(rng),
            assignee=assignee,
            parent_id=parent.id if parent else None,
        )
        if resolution is not None:
            issue.resolution_id = resolution.id
            issue.resolution_date = self.at(end_ms)
        if rng.random() >= shares["no_description"]:
            issue.description = self.pools.assemble(rng, sc.DESCRIPTION_LAYOUTS[type_name])
        if type_name == "Bug" and rng.random() < shares["environment"]:
            issue.environment = rng.choice(self.pools.environments)
        labels = self.label_count(rng)
        if labels:
            issue.labels = sorted(rng.sample(sc.LABELS, labels))
        if rng.random() < shares["due_date"]:
            issue.due_date = (issue.created + timedelta(days=rng.randint(3, 60))).date()
        self.planning(plan, issue, type_name, end_ms)
        self.custom(issue, type_name, status_name, steps)
        last_ms = self.history(issue, path, steps, assignee or reporter)
        last_ms = max(last_ms, self.comments(issue, created_ms))
        issue.updated = self.at(last_ms)
        watchers = {reporter}
        if assignee:
            watchers.add(assignee)
        for _ in range(self.extra_watchers(rng)):
            watchers.add(self.person(rng))
        issue.watchers = watchers
        inst.add_issue(issue)
        if (
            resolution is not None
            and resolution.name == "Duplicate"
            and plan.issues
            and self.duplicate_type is not None
        ):
            self.link(self.duplicate_type, issue, rng.choice(plan.issues[-200:]))
        plan.issues.append(issue)
        if type_name not in ("Epic", "Subtask"):
            plan.standard.append(issue)

    def planning(self, plan: _ProjectPlan, issue: Issue, type_name: str, end_ms: int) -> None:
        """Components, fix versions (the release that shipped it, or one planned) and affects versions."""
        rng, shares = self.rng, sc.SHARES
        if plan.components:
            r = rng.random()
            if r >= shares["components_none"]:
                n = 2 if r >= 1.0 - shares["components_two"] and len(plan.components) > 1 else 1
                issue.component_ids = rng.sample(plan.components, n)
        if issue.resolution_id == self.fixed_id:
            done_day = self.at(end_ms).date().toordinal()
            i = bisect_right(plan.released_days, done_day - 1)  # first release on or after the fix
            if i < len(plan.released):
                issue.fix_version_ids = [plan.released[i].id]
            elif plan.unreleased:
                issue.fix_version_ids = [plan.unreleased[0].id]
        elif issue.resolution_id is None and plan.unreleased and rng.random() < shares["fix_version_open"]:
            issue.fix_version_ids = [rng.choice(plan.unreleased).id]
        if type_name == "Bug" and plan.released and rng.random() < shares["affects_version"]:
            i = bisect_right(plan.released_days, issue.created.date().toordinal())
            if i:
                issue.version_ids = [plan.released[i - 1].id]

    def custom(self, issue: Issue, type_name: str, status_name: str, steps: list[int]) -> None:
        rng, shares, custom = self.rng, sc.SHARES, issue.custom
        if type_name == "Story" and rng.random() < shares["story_points"]:
            custom[_STORY_POINTS] = self.story_points(rng)
        if rng.random() < shares["team"]:
            custom[_TEAM] = rng.choice(sc.TEAMS)
        if rng.random() < shares["impact_bug" if type_name == "Bug" else "impact_other"]:
            option_id, value = rng.choice(self.impact)
            custom[_IMPACT] = {"value": value, "id": option_id}
        if status_name != "To Do" and rng.random() < shares["start_date"]:
            custom[_START] = self.at(steps[0]).date().isoformat()
        if type_name == "Story" and rng.random() < shares["acceptance"]:
            custom[_ACCEPTANCE] = rng.choice(self.pools.criteria)

    def history(self, issue: Issue, path: Sequence[str], steps: list[int], actor: str) -> int:
        """Changelog entries walking the workflow from its initial status to the issue's status."""
        inst = self.instance
        workflow = inst.workflows[inst.projects[issue.project_id].workflow]
        prev = inst.statuses[workflow.initial_status_id]
        created_ms = last_ms = category_ms = int((issue.created - _EPOCH).total_seconds() * 1000)
        for name, ms in zip(path, steps, strict=False):
            status = self.status[name]
            items = []
            if status.category == "done" and issue.resolution_id is not None:
                res = inst.resolutions[issue.resolution_id]
                items.append(ChangeItem("resolution", "resolution", None, None, res.id, res.name))
            items.append(ChangeItem("status", "status", prev.id, prev.name, status.id, status.name))
            issue.changelog.append(ChangeHistory(inst.new_id(), actor, self.at(ms), items))
            if status.category != prev.category:
                category_ms = ms
            prev, last_ms = status, ms
        issue.status_category_changed = self.at(category_ms)
        return max(created_ms, last_ms)

    def comments(self, issue: Issue, created_ms: int) -> int:
        rng = self.rng
        n = self.comment_count(rng)
        if not n:
            return created_ms
        room = self.anchor_ms - created_ms - 60_000
        times = sorted(created_ms + 60_000 + int(room * rng.random()) for _ in range(n))
        pool = self.pools.comments
        for ms in times:
            author = self.person(rng)
            when = self.at(ms)
            issue.comments.append(
                Comment(self.instance.new_id(), issue.id, author, rng.choice(pool), when, when, author)
            )
        return times[-1]

    # -- links --------------------------------------------------------------------------------
    def link(self, type_id: str, inward: Issue, outward: Issue) -> None:
        link = IssueLink(self.instance.new_id(), type_id, inward.id, outward.id)
        self.instance.links[link.id] = link
        inward.link_ids.append(link.id)
        outward.link_ids.append(link.id)

    def links(self, plans: list[_ProjectPlan], count: int) -> None:
        """A share of issues linked to another, mostly within the same project; no pair twice."""
        rng = self.rng
        if not self.link_type.values:
            return
        everyone = [issue for plan in plans for issue in plan.issues]
        by_project = {plan.project.id: plan.issues for plan in plans}
        linked = {
            (min(lk.inward_issue_id, lk.outward_issue_id), max(lk.inward_issue_id, lk.outward_issue_id))
            for lk in self.instance.links.values()
        }
        for _ in range(int(count * sc.SHARES["link"])):
            source = rng.choice(everyone)
            same = rng.random() < sc.SHARES["link_same_project"]
            target = rng.choice(by_project[source.project_id] if same else everyone)
            pair = (min(source.id, target.id), max(source.id, target.id))
            if source is target or pair in linked:
                continue
            linked.add(pair)
            self.link(self.link_type(rng), source, target)


def generate(instance: Instance, *, projects: int, issues: int, seed: int, now: datetime) -> None:
    """Seed ``instance`` with ``projects`` projects and ``issues`` issues spread over them.

    The same arguments (and ``now`` on the same UTC day) always produce the same data.
    """
    rng = random.Random(f"{seed}:{instance.kind}:{instance.name}")
    anchor = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    # Millions of new objects, none of them garbage: the cyclic collector would
    # rescan them all again and again (about half of the run time at 100k issues).
    collecting = gc.isenabled()
    gc.disable()
    try:
        gen = _Generator(instance, rng, anchor)
        plans = [gen.project(n) for n in range(projects)]
        if plans and issues > 0:
            gen.issues(plans, issues)
        seed_agile(instance, seed=seed, now=anchor)
    finally:
        if collecting:
            gc.enable()
