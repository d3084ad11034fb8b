"""Request recipes: concrete, successful requests for every emulated operation.

Every operation in :data:`jiragw.sandbox.routing.ENDPOINTS` needs at least one
recipe (``recipes_config.py``, ``recipes_work.py``); ``test_responses.py``
fails for an operation without one, so the suite grows with the sandbox.
Recipes for operations not yet emulated are kept (checked against the scope
table) and start running when the endpoint lands. :data:`ERROR_RECIPES` are
requests that must fail with Jira's ErrorCollection. How recipes are written:
:mod:`tests.conformance.recipe_kit`.
"""

from __future__ import annotations

from tests.conformance.recipe_kit import (
    CLOUD,
    DC,
    ISSUE,
    NEW_FILTER,
    NEW_ISSUE,
    PLACEHOLDERS,
    ErrorRecipe,
    Recipe,
    Step,
    V,
)
from tests.conformance.recipes_config import CONFIG_RECIPES
from tests.conformance.recipes_work import WORK_RECIPES

__all__ = ["ERROR_RECIPES", "PLACEHOLDERS", "RECIPES", "ErrorRecipe", "Recipe", "Step", "recipes_for"]

RECIPES: tuple[Recipe, ...] = (*CONFIG_RECIPES, *WORK_RECIPES)

ERROR_RECIPES: tuple[ErrorRecipe, ...] = (
    ErrorRecipe("myself-anonymous", "getCurrentUser", "GET", V + "/myself", 401, user=None),
    ErrorRecipe("issue-missing", "getIssue", "GET", V + "/issue/NOPE-999999", 404),
    ErrorRecipe("issue-hidden-from-outsider", "getIssue", "GET", ISSUE, 404, user="outsider"),
    ErrorRecipe("project-missing", "getProject", "GET", V + "/project/NOPE", 404),
    ErrorRecipe(
        "create-without-summary",
        "createIssue",
        "POST",
        V + "/issue",
        400,
        body={"fields": {"project": {"key": "{project_key}"}, "issuetype": {"id": "10001"}}},
    ),
    ErrorRecipe(
        "search-bad-jql",
        "searchForIssuesUsingJql",
        "GET",
        V + "/search",
        400,
        query={"jql": "project = = ("},
        targets=DC,
    ),
    ErrorRecipe(
        "search-bad-jql",
        "searchAndReconsileIssuesUsingJql",
        "GET",
        V + "/search/jql",
        400,
        query={"jql": "project = = ("},
    ),
    # Jira Cloud removed the old search endpoints (CHANGE-2046) and answers 410 Gone.
    ErrorRecipe(
        "search-removed",
        "searchForIssuesUsingJql",
        "GET",
        V + "/search",
        410,
        query={"jql": ""},
        targets=CLOUD,
    ),
    ErrorRecipe(
        "search-post-removed", "searchForIssuesUsingJqlPost", "POST", V + "/search", 410, targets=CLOUD
    ),
    ErrorRecipe("comment-missing", "getComment", "GET", ISSUE + "/comment/999999", 404),
    ErrorRecipe(
        "comment-on-missing-issue",
        "addComment",
        "POST",
        V + "/issue/NOPE-999999/comment",
        404,
        body={"body": "x"},
    ),
    ErrorRecipe("delete-missing-issue", "deleteIssue", "DELETE", V + "/issue/NOPE-999999", 404),
    ErrorRecipe(
        "transitions-missing-issue", "getTransitions", "GET", V + "/issue/NOPE-999999/transitions", 404
    ),
    ErrorRecipe(
        "project-hidden-from-outsider",
        "getProject",
        "GET",
        V + "/project/{project_key}",
        404,
        user="outsider",
    ),
    ErrorRecipe("user-missing", "getUser", "GET", V + "/user", 404, query={"{user_param}": "nobody-at-all"}),
    ErrorRecipe(
        "edit-unknown-field",
        "editIssue",
        "PUT",
        ISSUE,
        400,
        body={"fields": {"customfield_99999": "x"}},
    ),
    ErrorRecipe(
        "create-project-duplicate-key",
        "createProject",
        "POST",
        V + "/project",
        400,
        body={
            "key": "{project_key}",
            "name": "Dup",
            "projectTypeKey": "software",
            "leadAccountId": "{admin_ref}",
            "lead": "{admin_ref}",
        },
    ),
    # The spec documents both 400 and 403 for a caller without Create Issues; the sandbox answers 403.
    ErrorRecipe(
        "create-issue-viewer", "createIssue", "POST", V + "/issue", 403, user="viewer", body=NEW_ISSUE
    ),
    ErrorRecipe(
        "transition-invalid",
        "doTransition",
        "POST",
        ISSUE + "/transitions",
        400,
        body={"transition": {"id": "999"}},
    ),
    ErrorRecipe("filter-missing", "getFilter", "GET", V + "/filter/999999", 400),  # the spec's 400, not 404,
    # -- missing entities: the spec's 404s ----------------------------------
    ErrorRecipe("priority-missing", "getPriority", "GET", V + "/priority/999", 404),
    ErrorRecipe("status-missing", "getStatus", "GET", V + "/status/999999", 404),
    ErrorRecipe("resolution-missing", "getResolution", "GET", V + "/resolution/999999", 404),
    ErrorRecipe("issuetype-missing", "getIssueType", "GET", V + "/issuetype/999999", 404),
    ErrorRecipe("linktype-missing", "getIssueLinkType", "GET", V + "/issueLinkType/999999", 404),
    ErrorRecipe("link-missing", "getIssueLink", "GET", V + "/issueLink/999999", 404),
    ErrorRecipe("version-missing", "getVersion", "GET", V + "/version/999999", 404),
    ErrorRecipe("component-missing", "getComponent", "GET", V + "/component/999999", 404),
    ErrorRecipe("dashboard-missing", "getDashboard", "GET", V + "/dashboard/999999", 404),
    ErrorRecipe("delete-comment-missing", "deleteComment", "DELETE", ISSUE + "/comment/999999", 404),
    ErrorRecipe("watchers-missing-issue", "getIssueWatchers", "GET", V + "/issue/NOPE-999999/watchers", 404),
    ErrorRecipe("versions-missing-project", "getProjectVersions", "GET", V + "/project/NOPE/versions", 404),
    # -- invalid requests: the spec's 400s ---------------------------------
    ErrorRecipe("transition-unspecified", "doTransition", "POST", ISSUE + "/transitions", 400, body={}),
    ErrorRecipe(
        "filter-name-taken",
        "createFilter",
        "POST",
        V + "/filter",
        400,
        body={"name": "{setup0.name}", "jql": "project = {project_key}"},
        setup=(NEW_FILTER,),
    ),
    ErrorRecipe(
        "search-jql-unknown-field",
        "searchAndReconsileIssuesUsingJql",
        "GET",
        V + "/search/jql",
        400,
        query={"jql": "nosuchfield = 1"},
    ),
    ErrorRecipe("find-users-without-query", "findUsers", "GET", V + "/user/search", 400, targets=CLOUD),
)


def recipes_for(operation: str) -> list[Recipe]:
    return [r for r in RECIPES if r.operation == operation]
