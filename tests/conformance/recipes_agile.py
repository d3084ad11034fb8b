"""Request recipes for Jira Software's Agile 1.0 operations (checked against the Software spec).

Kept apart from :data:`tests.conformance.recipes.RECIPES`, which the platform
walk runs: the Software spec reuses a platform operationId
(``getConfiguration``). Board 1 is the seeded ``PRJ`` scrum board, board 2 the
``PLAT`` kanban board; sprint 1 is a closed sprint of board 1 and sprint 7 its
active one (see :mod:`jiragw.sandbox.seeding.agile`); sprint 8 is its dated future sprint, 9
the one without dates. Writes run as ``admin`` (who may manage sprints);
``alice`` may move issues but not manage sprints, ``viewer`` only browses.
"""

from __future__ import annotations

from tests.conformance.recipe_kit import ErrorRecipe, Recipe, Step

__all__ = ["AGILE", "AGILE_ERROR_RECIPES", "AGILE_RECIPES", "SPRINT_SCHEMA_OPERATIONS"]

AGILE = "/rest/agile/1.0"
# Operations whose spec documents only an example: their answers are checked against SprintBean.
SPRINT_SCHEMA_OPERATIONS = {
    "getSprint": "one",
    "getAllSprints": "page",
    "createSprint": "one",
    "updateSprint": "one",
    "partiallyUpdateSprint": "one",
}
NEW_SPRINT = {
    "name": "Conformance {seq}",
    "originBoardId": 1,
    "startDate": "2031-04-11T15:22:00.000+10:00",
    "endDate": "2031-04-25T15:22:00.000+10:00",
    "goal": "Check the spec",
}
CREATE_SPRINT = Step("POST", AGILE + "/sprint", body=NEW_SPRINT)
CREATE_EPIC = Step(
    "POST",
    "/rest/api/2/issue",
    body={"fields": {"project": {"key": "{project_key}"}, "issuetype": {"id": "10004"}, "summary": "Epic"}},
)

AGILE_RECIPES: tuple[Recipe, ...] = (
    Recipe("getAllBoards", "GET", AGILE + "/board"),
    Recipe("getAllBoards", "GET", AGILE + "/board", query={"type": "scrum", "maxResults": "1"}),
    Recipe(
        "getAllBoards", "GET", AGILE + "/board", query={"projectKeyOrId": "{project_key}", "name": "board"}
    ),
    Recipe("getBoard", "GET", AGILE + "/board/1"),
    Recipe("getBoard", "GET", AGILE + "/board/2", user="viewer"),
    Recipe("getConfiguration", "GET", AGILE + "/board/1/configuration"),
    Recipe("getConfiguration", "GET", AGILE + "/board/2/configuration"),
    Recipe("getAllSprints", "GET", AGILE + "/board/1/sprint"),
    Recipe(
        "getAllSprints", "GET", AGILE + "/board/1/sprint", query={"state": "active,future", "startAt": "1"}
    ),
    Recipe("getSprint", "GET", AGILE + "/sprint/1"),
    Recipe("getSprint", "GET", AGILE + "/sprint/9"),  # future, not scheduled: no dates
    Recipe("getIssuesForBoard", "GET", AGILE + "/board/1/issue", query={"maxResults": "5"}),
    Recipe(
        "getIssuesForBoard",
        "GET",
        AGILE + "/board/2/issue",
        query={
            "jql": "status != Done",
            "fields": "summary,status,customfield_10021",
            "expand": "names,schema",
        },
    ),
    Recipe("getIssuesForSprint", "GET", AGILE + "/sprint/7/issue", query={"fields": "*all"}),
    Recipe("getIssuesForSprint", "GET", AGILE + "/sprint/1/issue", query={"jql": "issuetype = Bug"}),
    Recipe("getIssuesForSprint", "GET", AGILE + "/sprint/7/issue", query={"fields": "summary,sprint,epic"}),
    Recipe("getBoardIssuesForSprint", "GET", AGILE + "/board/1/sprint/7/issue", query={"maxResults": "3"}),
    Recipe("getIssuesForBacklog", "GET", AGILE + "/board/1/backlog", query={"maxResults": "5"}),
    Recipe("getIssuesForBacklog", "GET", AGILE + "/board/2/backlog", query={"jql": "issuetype = Bug"}),
    Recipe("getIssue", "GET", AGILE + "/issue/{issue_key}"),
    Recipe("getIssue", "GET", AGILE + "/issue/{issue_id}", query={"fields": "summary,sprint,closedSprints"}),
    Recipe("getEpics", "GET", AGILE + "/board/1/epic"),
    Recipe("getEpics", "GET", AGILE + "/board/1/epic", query={"done": "false", "maxResults": "1"}),
    Recipe("getEpic", "GET", AGILE + "/epic/{setup0.key}", setup=(CREATE_EPIC,)),
    Recipe("getIssuesForEpic", "GET", AGILE + "/epic/{setup0.key}/issue", setup=(CREATE_EPIC,)),
    Recipe("getBoardIssuesForEpic", "GET", AGILE + "/board/1/epic/{setup0.id}/issue", setup=(CREATE_EPIC,)),
    Recipe("getProjects", "GET", AGILE + "/board/1/project"),
    Recipe("createSprint", "POST", AGILE + "/sprint", body=NEW_SPRINT),
    Recipe("createSprint", "POST", AGILE + "/sprint", body={"name": "Bare {seq}", "originBoardId": 1}),
    Recipe(
        "updateSprint",
        "PUT",
        AGILE + "/sprint/{setup0.id}",
        body={"name": "Renamed {seq}", "goal": "New goal", "startDate": "2031-05-01T09:00:00Z"},
        setup=(CREATE_SPRINT,),
    ),
    Recipe("partiallyUpdateSprint", "POST", AGILE + "/sprint/9", body={"name": "Renamed {seq}"}),
    Recipe("partiallyUpdateSprint", "POST", AGILE + "/sprint/7", body={"state": "closed"}),
    Recipe("deleteSprint", "DELETE", AGILE + "/sprint/{setup0.id}", setup=(CREATE_SPRINT,)),
    Recipe("deleteSprint", "DELETE", AGILE + "/sprint/8"),
    Recipe(
        "moveIssuesToSprintAndRank",
        "POST",
        AGILE + "/sprint/8/issue",
        body={"issues": ["{issue_key}", "{issue_id}"], "rankBeforeIssue": "{issue_key2}"},
        user="alice",
    ),
    Recipe(
        "moveIssuesToBacklog",
        "POST",
        AGILE + "/backlog/issue",
        body={"issues": ["{issue_key}"]},
        user="alice",
    ),
)

AGILE_ERROR_RECIPES: tuple[ErrorRecipe, ...] = (
    ErrorRecipe("boards-anonymous", "getAllBoards", "GET", AGILE + "/board", 401, user=None),
    ErrorRecipe("board-missing", "getBoard", "GET", AGILE + "/board/999", 404),
    ErrorRecipe("board-hidden-from-outsider", "getBoard", "GET", AGILE + "/board/1", 404, user="outsider"),
    ErrorRecipe("configuration-missing", "getConfiguration", "GET", AGILE + "/board/999/configuration", 404),
    ErrorRecipe("sprints-of-kanban", "getAllSprints", "GET", AGILE + "/board/2/sprint", 400),
    ErrorRecipe(
        "sprints-bad-state", "getAllSprints", "GET", AGILE + "/board/1/sprint", 400, query={"state": "open"}
    ),
    ErrorRecipe("sprint-missing", "getSprint", "GET", AGILE + "/sprint/999", 404),
    ErrorRecipe("sprint-hidden-from-outsider", "getSprint", "GET", AGILE + "/sprint/1", 404, user="outsider"),
    ErrorRecipe(
        "board-issues-bad-jql",
        "getIssuesForBoard",
        "GET",
        AGILE + "/board/1/issue",
        400,
        query={"jql": "a = = ("},
    ),
    ErrorRecipe("sprint-issues-missing", "getIssuesForSprint", "GET", AGILE + "/sprint/999/issue", 404),
    ErrorRecipe(
        "board-sprint-issues-missing",
        "getBoardIssuesForSprint",
        "GET",
        AGILE + "/board/1/sprint/999/issue",
        404,
    ),
    ErrorRecipe("backlog-missing", "getIssuesForBacklog", "GET", AGILE + "/board/999/backlog", 404),
    ErrorRecipe("agile-issue-missing", "getIssue", "GET", AGILE + "/issue/NOPE-999999", 404),
    ErrorRecipe("agile-issue-hidden", "getIssue", "GET", AGILE + "/issue/{issue_key}", 404, user="outsider"),
    ErrorRecipe("epics-board-missing", "getEpics", "GET", AGILE + "/board/999/epic", 404),
    ErrorRecipe("epic-missing", "getEpic", "GET", AGILE + "/epic/NOPE-999999", 404),
    ErrorRecipe("epic-not-an-epic", "getEpic", "GET", AGILE + "/epic/{issue_key}", 404),
    ErrorRecipe("epic-issues-missing", "getIssuesForEpic", "GET", AGILE + "/epic/NOPE-999999/issue", 404),
    ErrorRecipe(
        "board-epic-issues-missing", "getBoardIssuesForEpic", "GET", AGILE + "/board/1/epic/999/issue", 404
    ),
    ErrorRecipe("board-projects-missing", "getProjects", "GET", AGILE + "/board/999/project", 404),
    ErrorRecipe(
        "create-sprint-on-kanban",
        "createSprint",
        "POST",
        AGILE + "/sprint",
        400,
        body={"name": "K", "originBoardId": 2},
    ),
    ErrorRecipe(
        "create-sprint-nameless", "createSprint", "POST", AGILE + "/sprint", 400, body={"originBoardId": 1}
    ),
    ErrorRecipe(
        "create-sprint-unmanaged",
        "createSprint",
        "POST",
        AGILE + "/sprint",
        403,
        user="alice",
        body={"name": "X", "originBoardId": 1},
    ),
    ErrorRecipe(
        "create-sprint-board-missing",
        "createSprint",
        "POST",
        AGILE + "/sprint",
        404,
        body={"name": "X", "originBoardId": 999},
    ),
    ErrorRecipe("update-closed-sprint", "updateSprint", "PUT", AGILE + "/sprint/1", 400, body={"name": "X"}),
    ErrorRecipe(
        "update-sprint-missing", "updateSprint", "PUT", AGILE + "/sprint/999", 404, body={"name": "X"}
    ),
    ErrorRecipe(
        "update-sprint-unmanaged",
        "updateSprint",
        "PUT",
        AGILE + "/sprint/8",
        403,
        user="alice",
        body={"name": "X"},
    ),
    ErrorRecipe(
        "start-second-active-sprint",
        "partiallyUpdateSprint",
        "POST",
        AGILE + "/sprint/8",
        400,
        body={"state": "active"},
    ),
    ErrorRecipe(
        "start-sprint-without-dates",
        "partiallyUpdateSprint",
        "POST",
        AGILE + "/sprint/9",
        400,
        body={"state": "active"},
    ),
    ErrorRecipe(
        "reopen-closed-sprint",
        "partiallyUpdateSprint",
        "POST",
        AGILE + "/sprint/1",
        400,
        body={"state": "active"},
    ),
    ErrorRecipe("delete-sprint-unmanaged", "deleteSprint", "DELETE", AGILE + "/sprint/8", 403, user="alice"),
    ErrorRecipe("delete-sprint-missing", "deleteSprint", "DELETE", AGILE + "/sprint/999", 404),
    ErrorRecipe(
        "move-to-closed-sprint",
        "moveIssuesToSprintAndRank",
        "POST",
        AGILE + "/sprint/1/issue",
        400,
        body={"issues": ["{issue_key}"]},
    ),
    ErrorRecipe(
        "move-unknown-issue",
        "moveIssuesToSprintAndRank",
        "POST",
        AGILE + "/sprint/8/issue",
        400,
        body={"issues": ["NOPE-1"]},
    ),
    ErrorRecipe(
        "move-without-schedule-permission",
        "moveIssuesToSprintAndRank",
        "POST",
        AGILE + "/sprint/8/issue",
        403,
        user="viewer",
        body={"issues": ["{issue_key}"]},
    ),
    ErrorRecipe(
        "move-to-missing-sprint",
        "moveIssuesToSprintAndRank",
        "POST",
        AGILE + "/sprint/999/issue",
        404,
        body={"issues": ["{issue_key}"]},
    ),
    ErrorRecipe(
        "backlog-too-many",
        "moveIssuesToBacklog",
        "POST",
        AGILE + "/backlog/issue",
        400,
        body={"issues": [f"PRJ-{n}" for n in range(1, 52)]},
    ),
    ErrorRecipe(
        "backlog-without-schedule-permission",
        "moveIssuesToBacklog",
        "POST",
        AGILE + "/backlog/issue",
        403,
        user="viewer",
        body={"issues": ["{issue_key}"]},
    ),
)
