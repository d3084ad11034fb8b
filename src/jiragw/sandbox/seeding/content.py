"""What the seed generator writes: word lists, templates and distributions, as data.

:mod:`jiragw.sandbox.seeding.generator` reads only these tables, so making the seeded
Jira look different (another mix of issue types, more bugs, other teams) is an
edit here, never a new branch there. Users are named by their demo key
(``alice``); statuses, types, priorities and resolutions by their Jira names,
resolved against the instance's own tables at generation time.

Weights are relative; ``None`` in a user table means "unassigned". Text here
must stay free of Jira wiki markup characters (``*_{}[]|``) because the wiki
rendering for Data Center uses it verbatim.
"""

from __future__ import annotations

__all__ = [
    "ACCEPTANCE_CRITERIA",
    "AREAS",
    "ASSIGNEE_WEIGHTS",
    "BENEFITS",
    "BUG_ACTUAL",
    "BUG_EXPECTED",
    "BUG_INTROS",
    "BUG_STEPS",
    "BULLET_ITEMS",
    "CAPABILITIES",
    "CODE_SNIPPETS",
    "COMMENT_COUNT_WEIGHTS",
    "COMMENT_LAYOUTS",
    "COMMENT_TEXTS",
    "CONDITIONS",
    "CREATED_SPAN_DAYS",
    "DESCRIPTION_LAYOUTS",
    "EMOJIS",
    "EMOJI_TEXTS",
    "ENVIRONMENTS",
    "EXTRA_WATCHER_WEIGHTS",
    "FINDINGS",
    "HEADINGS",
    "ISSUE_TYPE_WEIGHTS",
    "LABELS",
    "LABEL_COUNT_WEIGHTS",
    "LINKS",
    "LINK_TYPE_WEIGHTS",
    "MEAN_DAYS_TO_RESOLVE",
    "MENTION_TEXTS",
    "OBJECTS",
    "PRIORITY_WEIGHTS",
    "PROJECT_THEMES",
    "PROSE",
    "REPORTER_WEIGHTS",
    "RESOLUTION_WEIGHTS",
    "ROLES",
    "SHARES",
    "STATUS_BY_AGE",
    "STATUS_PATHS",
    "STORY_INTROS",
    "STORY_POINTS",
    "SUBTASK_TASKS",
    "SUMMARY_TEMPLATES",
    "SYMPTOMS",
    "TASK_VERBS",
    "TEAMS",
    "VERSIONS_PER_PROJECT",
    "ZIPF_EXPONENT",
]

# Tables are laid out by hand, a row per line, so they read as tables.
# fmt: off

# -- projects ----------------------------------------------------------------

# (key, name, description, component names). The first project is always PRJ:
# client suites and docs address it by key. Past the end of the table the
# themes repeat with a number (PLAT2, "Platform 2").
PROJECT_THEMES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("PRJ", "Phoenix", "The main product: web app, public API and background jobs.",
     ("Backend", "Frontend", "API", "Database", "Infrastructure")),
    ("PLAT", "Platform", "Shared services: identity, billing hooks and notifications.",
     ("Identity", "Notifications", "Gateway", "Scheduler")),
    ("MOB", "Mobile Apps", "The iOS and Android clients.", ("iOS", "Android", "Push", "Offline sync")),
    ("WEB", "Website", "Marketing site and the documentation portal.", ("CMS", "SEO", "Docs", "Analytics")),
    ("OPS", "Operations", "Infrastructure, runbooks and on-call follow-ups.",
     ("Kubernetes", "Monitoring", "CI/CD", "Networking", "Backups")),
    ("DATA", "Data Platform", "Pipelines, the warehouse and scheduled reports.",
     ("Ingestion", "Warehouse", "Reports", "ML")),
    ("SUP", "Customer Support", "Escalations from the support desk.",
     ("Escalations", "Knowledge base", "Tooling")),
    ("SEC", "Security", "Audits, penetration tests and vulnerability fixes.",
     ("AppSec", "Compliance", "IAM")),
    ("QA", "Quality", "Test automation and release sign-off.", ("E2E", "Load tests", "Test data")),
    ("DES", "Design System", "Shared UI components, tokens and accessibility.",
     ("Components", "Tokens", "Accessibility")),
    ("INT", "Integrations", "Connectors to third-party tools.",
     ("Slack", "Salesforce", "GitHub", "Webhooks")),
    ("BILL", "Billing", "Plans, invoices, payments and tax.", ("Invoices", "Payments", "Tax", "Plans")),
)
# Issues per project follow 1/rank^s: the first projects hold most issues.
ZIPF_EXPONENT = 1.1
# (min, max) versions per project; the last one or two are unreleased.
VERSIONS_PER_PROJECT = (3, 8)
TEAMS = ("Falcon", "Orion", "Atlas", "Nova", "Hydra", "Lynx")

# -- who ---------------------------------------------------------------------

ASSIGNEE_WEIGHTS: tuple[tuple[str | None, int], ...] = (
    ("alice", 24), ("bob", 20), ("carol", 16), ("dave", 13), ("erin", 9), ("admin", 3), (None, 15),
)
# Reporters, creators, comment authors and project leads (people who may create).
REPORTER_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("alice", 22), ("bob", 17), ("carol", 16), ("dave", 15), ("erin", 14), ("admin", 16),
)
# Watchers beyond the reporter and assignee (who watch by default, as in Jira).
EXTRA_WATCHER_WEIGHTS = (60, 30, 10)

# -- what --------------------------------------------------------------------

ISSUE_TYPE_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("Task", 34), ("Story", 28), ("Bug", 22), ("Epic", 3), ("Subtask", 13),
)
PRIORITY_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("Highest", 4), ("High", 16), ("Medium", 58), ("Low", 15), ("Lowest", 7),
)
RESOLUTION_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("Done", 84), ("Won't Do", 8), ("Duplicate", 5), ("Cannot Reproduce", 3),
)
STORY_POINTS: tuple[tuple[float, int], ...] = (
    (1.0, 10), (2.0, 20), (3.0, 25), (5.0, 25), (8.0, 14), (13.0, 6),
)
COMMENT_COUNT_WEIGHTS = (30, 26, 20, 12, 7, 5)  # 0..5 comments
LABEL_COUNT_WEIGHTS = (45, 33, 15, 7)  # 0..3 labels
LABELS = (
    "frontend", "backend", "api", "performance", "security", "ux", "tech-debt", "customer-reported",
    "regression", "needs-triage", "documentation", "flaky-test", "accessibility", "migration",
    "quick-win", "blocked-upstream",
)
LINK_TYPE_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("Relates", 45), ("Blocks", 35), ("Cloners", 8), ("Duplicate", 12),
)

# Fractions of issues that get something.
SHARES: dict[str, float] = {
    "due_date": 0.30,
    "no_description": 0.08,
    "story_points": 0.85,  # of stories
    "team": 0.60,
    "impact_bug": 0.70,  # Customer Impact on bugs
    "impact_other": 0.12,
    "start_date": 0.45,  # of issues that left To Do
    "acceptance": 0.40,  # Acceptance Criteria on stories
    "environment": 0.40,  # of bugs
    "link": 0.08,
    "link_same_project": 0.75,
    "components_none": 0.30,
    "components_two": 0.10,
    "fix_version_open": 0.30,  # open issues planned for an unreleased version
    "affects_version": 0.40,  # of bugs
    "other_creator": 0.05,  # created by someone other than the reporter
}

# -- when --------------------------------------------------------------------

CREATED_SPAN_DAYS = 365
# Status mix by age: (max age in days, ((status name, weight), ...)); old issues are done.
STATUS_BY_AGE: tuple[tuple[float, tuple[tuple[str, int], ...]], ...] = (
    (7, (("To Do", 50), ("In Progress", 30), ("In Review", 12), ("Done", 8))),
    (30, (("To Do", 34), ("In Progress", 28), ("In Review", 14), ("Done", 24))),
    (90, (("To Do", 20), ("In Progress", 14), ("In Review", 8), ("Done", 58))),
    (180, (("To Do", 10), ("In Progress", 6), ("In Review", 3), ("Done", 81))),
    (float("inf"), (("To Do", 5), ("In Progress", 3), ("In Review", 1), ("Done", 91))),
)
# Status sequences (after the initial To Do) that end in each status, with weights;
# every step is a transition of the software workflow in defaults.WORKFLOWS.
STATUS_PATHS: dict[str, tuple[tuple[tuple[str, ...], int], ...]] = {
    "To Do": (
        ((), 92),
        (("In Progress", "To Do"), 8),
    ),
    "In Progress": (
        (("In Progress",), 85),
        (("In Progress", "In Review", "In Progress"), 15),
    ),
    "In Review": (
        (("In Progress", "In Review"), 88),
        (("In Progress", "In Review", "In Progress", "In Review"), 12),
    ),
    "Done": (
        (("In Progress", "In Review", "Done"), 58),
        (("In Progress", "Done"), 24),
        (("Done",), 12),
        (("In Progress", "In Review", "In Progress", "In Review", "Done"), 6),
    ),
}
# Mean days from creation to resolution (exponential, capped at the present).
MEAN_DAYS_TO_RESOLVE = 14.0

# -- words -------------------------------------------------------------------

AREAS = (
    "login page", "billing service", "search index", "checkout flow", "notification emails",
    "admin console", "REST API", "mobile app", "dashboard", "export job", "audit log", "user settings",
    "SSO integration", "report builder", "file uploads", "webhook delivery", "onboarding wizard",
    "permissions model", "data importer", "rate limiter",
)
OBJECTS = (
    "CSV export", "password reset", "dark mode", "pagination", "retry policy", "cache layer",
    "error messages", "date picker", "audit trail", "API tokens", "email templates", "usage metrics",
    "feature flags", "search filters", "bulk edit", "release notes", "status page", "invoice PDFs",
    "time zone handling", "access logs",
)
TASK_VERBS = (
    "Update", "Refactor", "Document", "Migrate", "Clean up", "Upgrade", "Review", "Automate", "Monitor",
    "Configure", "Benchmark", "Deprecate", "Add tests for", "Investigate",
)
SYMPTOMS = (
    "returns 500", "times out", "shows the wrong total", "crashes on empty input", "loses unsaved changes",
    "ignores the time zone", "renders blank", "sends duplicates", "is slow for large accounts",
    "fails for non-ASCII names", "leaks memory", "breaks in Safari", "rejects valid input",
    "shows stale data",
)
CONDITIONS = (
    "after a session timeout", "when the list is empty", "on the first login", "for archived projects",
    "with more than 1,000 rows", "behind a proxy", "during the nightly batch", "in Firefox",
    "for users without an avatar", "after a password change", "on slow networks", "when two tabs are open",
)
# Roles carry their article ("As an admin, ...").
ROLES = (
    "an admin", "a project manager", "a developer", "a support agent", "a new user", "a team lead",
    "a billing contact", "an auditor",
)
CAPABILITIES = (
    "filter the {area} by date", "see all {object} in one place", "share {object} with my team",
    "undo changes to {object}", "schedule {object}", "get notified about {object}",
    "export the {area} as CSV", "search {object} by keyword", "configure {object} per project",
)
BENEFITS = (
    "I save time every week", "mistakes are caught early", "I can report to stakeholders",
    "the team stays in sync", "customers get answers faster", "we pass the next audit",
)
SUBTASK_TASKS = (
    "Write unit tests", "Update documentation", "Code review", "Add logging", "Handle edge cases",
    "Deploy to staging", "QA sign-off", "Update API docs", "Add metrics", "Write migration script",
)
FINDINGS = (
    "the cache key ignores the locale", "the query does a full table scan",
    "a retry storm follows the deploy",
    "the token expires one hour early", "the worker pool is exhausted", "the index was never rebuilt",
    "the feature flag is off in this region", "the payload exceeds the 1 MB limit",
)

# Summary templates per issue type; placeholders name the word lists above
# (``{Area}`` is the capitalised form).
SUMMARY_TEMPLATES: dict[str, tuple[str, ...]] = {
    "Task": ("{verb} {object} in the {area}", "{verb} the {area}", "{verb} {object}"),
    "Bug": ("{Area} {symptom} {condition}", "{Object} {symptom}", "{Area}: {object} {symptom} {condition}"),
    "Story": (
        "As {role}, I want to {capability}", "Allow users to {capability}", "Let {role} {capability}",
    ),
    "Epic": (
        "{Area} overhaul", "{Object} v2", "{Area} reliability", "Self-service {object}",
        "Accessibility for the {area}", "Move the {area} to the new platform",
    ),
    "Subtask": ("{subtask}", "{subtask} for {object}"),
}

# -- rich text building blocks --------------------------------------------------

# Paragraph templates by pool; the generator fills and pre-serialises them.
BUG_STEPS = (
    "Open the {area}", "Sign in as {role}", "Select {object}", "Wait for the page to load",
    "Click Save", "Reload the page", "Switch to another project", "Repeat {condition}",
)
# Expected/actual sentences follow a bold "Expected:"/"Actual:" label.
BUG_EXPECTED = ("the {area} saves the change.", "{object} load in under a second.", "no error is shown.")
BUG_ACTUAL = ("the {area} {symptom}.", "{object} {symptom} {condition}.")
BUG_INTROS = (
    "The {area} {symptom} {condition}.", "Reported by a customer: {object} {symptom}.",
    "Since the last release the {area} {symptom}.",
)
STORY_INTROS = ("As {role}, I want to {capability} so that {benefit}.",)
PROSE = (
    "This covers the {object} work in the {area}.", "The {area} depends on {object}, and {finding}.",
    "Follow-up from the incident review: {finding}.", "Part of the {team} team's plan for the {area}.",
    "Keep the scope small: only {object} for now.", "Measure first, then decide how to change the {area}.",
)
BULLET_ITEMS = (
    "Check {object}", "Update the {area}", "Ask the {team} team about {object}", "Add a test {condition}",
    "Remove the old {object}", "Confirm whether {finding}",
)
# Words after a mention, and before an emoji.
MENTION_TEXTS = (
    "can you take a look?", "FYI, this touches your area.", "please review when you have a moment.",
)
EMOJI_TEXTS = ("Nice catch", "Heads up", "Confirmed on staging", "Not fixed yet")
ACCEPTANCE_CRITERIA = (
    "The {area} shows {object}", "Works for {role}", "Covered by an end-to-end test",
    "Documented in the release notes", "No regression in page load time", "Errors are shown inline",
)
HEADINGS: dict[str, tuple[str, ...]] = {
    "steps": ("Steps to reproduce", "How to reproduce"),
    "context": ("Context", "Background"),
    "plan": ("Plan", "Proposed approach"),
    "criteria": ("Acceptance criteria", "Definition of done"),
}
# (language, code); code blocks keep their text verbatim in both ADF and wiki.
CODE_SNIPPETS: tuple[tuple[str, str], ...] = (
    ("python", "def retry(fn, attempts=3):\n    for n in range(attempts):\n        try:\n"
               "            return fn()\n        except TimeoutError:\n            continue\n    raise"),
    ("java", "public Response export(Request req) {\n    return service.export(req.projectId());\n}"),
    ("json", '{\n  "status": 500,\n  "error": "Internal Server Error",\n  "path": "/api/export"\n}'),
    ("bash", "kubectl -n prod rollout restart deploy/api\nkubectl -n prod get pods -w"),
    ("sql", "SELECT id, created FROM audit_log\nWHERE project_id = 42\nORDER BY created DESC LIMIT 50;"),
    ("yaml", "retries: 3\ntimeout_seconds: 30\nfeature_flags:\n  new_export: true"),
    ("javascript", "const total = rows.reduce((sum, r) => sum + r.amount, 0);\nrender(total);"),
    ("text", "java.lang.NullPointerException\n\tat com.example.export.CsvWriter.write(CsvWriter.java:88)"),
)
# (link text, URL template); {n} is a number, {slug} a slug of an area.
LINKS: tuple[tuple[str, str], ...] = (
    ("runbook", "https://wiki.example.com/runbooks/{slug}"),
    ("design doc", "https://docs.example.com/design/{slug}"),
    ("Sentry event", "https://sentry.example.com/issues/{n}"),
    ("pull request", "https://github.com/example/phoenix/pull/{n}"),
    ("Grafana dashboard", "https://grafana.example.com/d/{slug}"),
)
# (ADF shortName, id, text, wiki emoticon with the same meaning)
EMOJIS: tuple[tuple[str, str, str, str], ...] = (
    (":smile:", "1f604", "\U0001f604", ":D"),
    (":slight_smile:", "1f642", "\U0001f642", ":)"),
    (":thumbsup:", "1f44d", "\U0001f44d", "(y)"),
    (":warning:", "26a0", "\u26a0\ufe0f", "(!)"),
    (":white_check_mark:", "2705", "\u2705", "(/)"),
    (":x:", "274c", "\u274c", "(x)"),
    (":information_source:", "2139", "\u2139\ufe0f", "(i)"),
)
ENVIRONMENTS = (
    "Chrome 126 on macOS 14.5", "Firefox 127 on Windows 11", "Safari 17 on iOS 17.5",
    "Android 14, app 5.2.1", "Production, EU region", "Staging, build 2024.06.3",
)
COMMENT_TEXTS = (
    "Looked into this: {finding}.", "Can we get this into the next release?",
    "Reproduced {condition}.", "Blocked until the {area} change lands.",
    "Deployed to staging, please verify.",
    "Customer confirmed the fix.", "Moving this to the {team} team.", "Still happening {condition}.",
    "Root cause: {finding}.", "Pairing on this tomorrow.",
)

# Description layouts per issue type: (part, probability). Parts name fragment
# pools the generator builds: prose, lists, code, links, mentions, emoji.
DESCRIPTION_LAYOUTS: dict[str, tuple[tuple[str, float], ...]] = {
    "Bug": (
        ("bug_intro", 1.0), ("h_steps", 0.5), ("steps", 1.0), ("expected", 1.0), ("actual", 1.0),
        ("code", 0.35), ("link", 0.3), ("mention", 0.15), ("emoji", 0.1),
    ),
    "Story": (
        ("story_intro", 1.0), ("h_context", 0.25), ("prose", 0.6), ("h_criteria", 0.5), ("criteria", 0.8),
        ("link", 0.25), ("mention", 0.1),
    ),
    "Task": (
        ("prose", 1.0), ("h_plan", 0.3), ("bullets", 0.5), ("code", 0.2), ("link", 0.3), ("mention", 0.15),
        ("emoji", 0.1),
    ),
    "Epic": (
        ("prose", 1.0), ("h_context", 0.6), ("prose", 0.7), ("h_plan", 0.5), ("bullets", 0.8),
        ("link", 0.5),
    ),
    "Subtask": (("prose", 1.0), ("bullets", 0.3), ("code", 0.15)),
}
# Comment layouts: (part, probability), same pools plus ``comment``.
COMMENT_LAYOUTS: tuple[tuple[tuple[str, float], ...], ...] = (
    (("comment", 1.0),),
    (("comment", 1.0), ("emoji", 1.0)),
    (("mention", 1.0), ("comment", 1.0)),
    (("comment", 1.0), ("code", 1.0)),
    (("comment", 1.0), ("link", 1.0)),
)
# fmt: on
