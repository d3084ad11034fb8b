"""Request recipes for Jira Software's Agile 1.0 operations (checked against the Software spec).

Kept apart from :data:`tests.conformance.recipes.RECIPES`, which the platform
walk runs: the Software spec reuses a platform operationId
(``getConfiguration``). Board 1 is the seeded ``PRJ`` scrum board, board 2 the
``PLAT`` kanban board; sprint 1 is a closed sprint of board 1 and sprint 7 its
active one (see :mod:`jiragw.sandbox.seed_agile`).
"""

from __future__ import annotations

from tests.conformance.recipe_kit import ErrorRecipe, Recipe

__all__ = ["AGILE", "AGILE_ERROR_RECIPES", "AGILE_RECIPES", "SPRINT_SCHEMA_OPERATIONS"]

AGILE = "/rest/agile/1.0"
# Operations whose spec documents only an example: their answers are checked against SprintBean.
SPRINT_SCHEMA_OPERATIONS = {"getSprint": "one", "getAllSprints": "page"}

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
)
