"""Recipes for work items: issues, comments, transitions, links, search and JQL."""

from __future__ import annotations

from tests.conformance.recipe_kit import (
    ADD_COMMENT,
    ADD_LINK,
    CLOUD,
    DC,
    ISSUE,
    NEW_ISSUE,
    NEW_ISSUE_V2,
    SET_PROPERTY,
    Recipe,
    Step,
    V,
    adf,
)

__all__ = ["WORK_RECIPES"]

WORK_RECIPES: tuple[Recipe, ...] = (
    # -- issues ----------------------------------------------------------
    Recipe("createIssue", "POST", V + "/issue", body=NEW_ISSUE, body_v2=NEW_ISSUE_V2),
    Recipe(
        "createIssues",
        "POST",
        V + "/issue/bulk",
        body={"issueUpdates": [NEW_ISSUE, NEW_ISSUE]},
        body_v2={"issueUpdates": [NEW_ISSUE_V2]},
    ),
    Recipe("getIssue", "GET", ISSUE),
    Recipe("getIssue", "GET", V + "/issue/{issue_id}", {"fields": "summary,status,assignee"}),
    Recipe(
        "getIssue", "GET", ISSUE, {"expand": "names,schema,changelog,renderedFields,transitions,editmeta"}
    ),
    Recipe(
        "getIssue",
        "GET",
        ISSUE,
        {"fields": "*all", "fieldsByKeys": "false"},
        setup=(ADD_COMMENT, ADD_LINK),
    ),
    Recipe(
        "editIssue",
        "PUT",
        ISSUE,
        body={"fields": {"summary": "Edited"}, "update": {"labels": [{"add": "x"}]}},
    ),
    Recipe(
        "editIssue",
        "PUT",
        ISSUE,
        {"returnIssue": "true"},
        body={"fields": {"summary": "Edited"}},
        targets=CLOUD,
    ),
    Recipe("deleteIssue", "DELETE", V + "/issue/{issue_key2}"),
    Recipe("assignIssue", "PUT", ISSUE + "/assignee", body={"{user_field}": "{user_ref}"}),
    Recipe(
        "getChangeLogs",
        "GET",
        ISSUE + "/changelog",
        setup=(Step("PUT", ISSUE, {"fields": {"summary": "E"}}),),
    ),
    Recipe("getIssueWatchers", "GET", ISSUE + "/watchers"),
    Recipe("addWatcher", "POST", ISSUE + "/watchers", body="{user_ref}"),
    Recipe(
        "removeWatcher",
        "DELETE",
        ISSUE + "/watchers",
        {"{user_param}": "{user_ref}"},
        setup=(Step("POST", ISSUE + "/watchers", "{user_ref}"),),
    ),
    Recipe("getIssuePropertyKeys", "GET", ISSUE + "/properties", setup=(SET_PROPERTY,)),
    Recipe("setIssueProperty", "PUT", SET_PROPERTY.path, body=SET_PROPERTY.body),
    Recipe("getIssueProperty", "GET", SET_PROPERTY.path, setup=(SET_PROPERTY,)),
    Recipe("deleteIssueProperty", "DELETE", SET_PROPERTY.path, setup=(SET_PROPERTY,)),
    Recipe("getIssuePickerResource", "GET", V + "/issue/picker", {"query": "Issue"}),
    Recipe("getVotes", "GET", ISSUE + "/votes"),
    Recipe("getRemoteIssueLinks", "GET", ISSUE + "/remotelink"),
    Recipe("getIssueWorklog", "GET", ISSUE + "/worklog"),
    Recipe(
        "notify",
        "POST",
        ISSUE + "/notify",
        body={"subject": "Hi", "textBody": "Body", "to": {"reporter": True}},
    ),
    Recipe("addVote", "POST", V + "/issue/{issue_key2}/votes", user="bob"),
    Recipe(
        "removeVote",
        "DELETE",
        V + "/issue/{issue_key2}/votes",
        user="bob",
        setup=(Step("POST", V + "/issue/{issue_key2}/votes"),),
    ),
    Recipe(
        "getChangeLogsByIds",
        "POST",
        ISSUE + "/changelog/list",
        body={"changelogIds": ["{int:changelog_id}"]},
        setup=(Step("PUT", ISSUE, {"fields": {"summary": "Changed"}}),),
    ),
    Recipe(
        "createOrUpdateRemoteIssueLink",
        "POST",
        ISSUE + "/remotelink",
        body={"object": {"url": "https://example.com/x", "title": "Example"}},
    ),
    Recipe("getAllLabels", "GET", V + "/label"),
    Recipe(
        "getIssue",
        "GET",
        ISSUE,
        {"fields": "*navigable,-description", "expand": "operations,versionedRepresentations"},
    ),
    Recipe("getIssue", "GET", ISSUE, {"properties": "*all", "updateHistory": "true"}, setup=(SET_PROPERTY,)),
    Recipe(
        "createIssues",
        "POST",
        V + "/issue/bulk",
        # One good issue and one without a summary: Jira creates the first and reports the second.
        body={
            "issueUpdates": [
                NEW_ISSUE,
                {"fields": {"project": {"key": "{project_key}"}, "issuetype": {"id": "10001"}}},
            ]
        },
        body_v2={
            "issueUpdates": [
                NEW_ISSUE_V2,
                {"fields": {"project": {"key": "{project_key}"}, "issuetype": {"id": "10001"}}},
            ]
        },
    ),
    Recipe(
        "editIssue",
        "PUT",
        ISSUE,
        {"notifyUsers": "false"},
        body={"update": {"summary": [{"set": "Via update"}]}},
    ),
    # Rich text written in one REST version reads back in the other's format (wiki <-> ADF).
    Recipe(
        "getIssue",
        "GET",
        V + "/issue/{setup0.key}",
        {"fields": "description,environment,comment"},
        setup=(
            Step(
                "POST", "/rest/api/2/issue", {"fields": {**NEW_ISSUE_V2["fields"], "environment": "h1. Env"}}
            ),
            Step("POST", "/rest/api/2/issue/{setup0.key}/comment", {"body": "A *wiki* comment\n* item"}),
        ),
        targets=CLOUD,
    ),
    Recipe(
        "getIssue",
        "GET",
        V + "/issue/{setup0.key}",
        {"fields": "description,comment"},
        setup=(
            Step("POST", "/rest/api/3/issue", NEW_ISSUE),
            Step("POST", "/rest/api/3/issue/{setup0.key}/comment", {"body": adf("An ADF comment.")}),
        ),
        targets=CLOUD,
    ),
    # -- comments --------------------------------------------------------
    Recipe("getComments", "GET", ISSUE + "/comment", setup=(ADD_COMMENT,)),
    Recipe("getComments", "GET", ISSUE + "/comment", {"expand": "renderedBody", "maxResults": "1"}),
    Recipe("getComments", "GET", ISSUE + "/comment", {"orderBy": "-created", "startAt": "500"}),
    Recipe(
        "addComment",
        "POST",
        ADD_COMMENT.path,
        {"expand": "renderedBody"},
        body={"body": adf("Restricted."), "visibility": {"type": "role", "value": "Administrators"}},
        body_v2={"body": "Restricted.", "visibility": {"type": "role", "value": "Administrators"}},
    ),
    Recipe("addComment", "POST", ADD_COMMENT.path, body=ADD_COMMENT.body, body_v2=ADD_COMMENT.body_v2),
    Recipe("getComment", "GET", ISSUE + "/comment/{setup0.id}", setup=(ADD_COMMENT,)),
    Recipe(
        "updateComment",
        "PUT",
        ISSUE + "/comment/{setup0.id}",
        body={"body": adf("Edited.")},
        body_v2={"body": "Edited."},
        setup=(ADD_COMMENT,),
    ),
    Recipe(
        "getComment",
        "GET",
        ISSUE + "/comment/{setup0.id}",
        {"expand": "renderedBody"},
        setup=(
            Step("POST", "/rest/api/2/issue/{issue_key}/comment", {"body": "h2. Title\n||a||b||\n|1|2|"}),
        ),
        targets=CLOUD,
    ),
    Recipe(
        "getComment",
        "GET",
        ISSUE + "/comment/{setup0.id}",
        setup=(Step("POST", "/rest/api/3/issue/{issue_key}/comment", {"body": adf("Written as ADF.")}),),
        targets=CLOUD,
    ),
    Recipe("deleteComment", "DELETE", ISSUE + "/comment/{setup0.id}", setup=(ADD_COMMENT,)),
    Recipe(
        "getCommentsByIds",
        "POST",
        V + "/comment/list",
        body={"ids": ["{int:setup0.id}"]},
        setup=(ADD_COMMENT,),
    ),
    # -- transitions -----------------------------------------------------
    Recipe("getTransitions", "GET", ISSUE + "/transitions"),
    Recipe("getTransitions", "GET", ISSUE + "/transitions", {"expand": "transitions.fields"}),
    Recipe("getTransitions", "GET", ISSUE + "/transitions", {"transitionId": "21"}),
    Recipe("doTransition", "POST", ISSUE + "/transitions", body={"transition": {"id": "21"}}),
    Recipe(
        "doTransition",
        "POST",
        ISSUE + "/transitions",
        body={
            "transition": {"id": "41"},
            "fields": {"resolution": {"name": "Done"}},
            "update": {"comment": [{"add": {"body": adf("Closing.")}}]},
        },
        body_v2={
            "transition": {"id": "41"},
            "fields": {"resolution": {"name": "Done"}},
            "update": {"comment": [{"add": {"body": "Closing."}}]},
        },
    ),
    # -- links -----------------------------------------------------------
    Recipe("linkIssues", "POST", ADD_LINK.path, body=ADD_LINK.body),
    Recipe("getIssueLink", "GET", V + "/issueLink/{link_id}", setup=(ADD_LINK,)),
    Recipe("deleteIssueLink", "DELETE", V + "/issueLink/{link_id}", setup=(ADD_LINK,)),
    # -- search and JQL --------------------------------------------------
    Recipe(
        "searchForIssuesUsingJql",
        "GET",
        V + "/search",
        {"jql": "project = {project_key}", "maxResults": "3"},
        targets=DC,  # Cloud removed /search (CHANGE-2046): see the 410 error recipes
    ),
    Recipe(
        "searchForIssuesUsingJql",
        "GET",
        V + "/search",
        {"jql": "project = {project_key} ORDER BY key", "fields": "summary,status", "expand": "names,schema"},
        targets=DC,
    ),
    Recipe(
        "searchForIssuesUsingJqlPost",
        "POST",
        V + "/search",
        body={"jql": "project = {project_key}", "maxResults": 3, "fields": ["summary", "assignee"]},
        targets=DC,
    ),
    Recipe(
        "searchAndReconsileIssuesUsingJql",
        "GET",
        V + "/search/jql",
        {"jql": "project = {project_key}", "maxResults": "3", "fields": "summary,status"},
    ),
    Recipe(
        "searchAndReconsileIssuesUsingJqlPost",
        "POST",
        V + "/search/jql",
        body={"jql": "project = {project_key}", "maxResults": 3, "fields": ["*navigable"]},
    ),
    Recipe(
        "bulkFetchIssues",
        "POST",
        V + "/issue/bulkfetch",
        body={
            "issueIdsOrKeys": ["{issue_key}", "{issue_id}"],
            "fields": ["summary", "status"],
            "expand": ["names"],
        },
    ),
    Recipe(
        "searchAndReconsileIssuesUsingJql",
        "GET",
        V + "/search/jql",
        {
            "jql": "project = {project_key} ORDER BY created DESC",
            "maxResults": "2",
            "fields": "*all",
            "expand": "names,schema,renderedFields,changelog",
        },
        setup=(ADD_COMMENT,),
    ),
    Recipe(
        "searchAndReconsileIssuesUsingJql",
        "GET",
        V + "/search/jql",
        {"jql": 'project = {project_key} AND text ~ "nothing-matches-this"'},
    ),
    Recipe(
        "searchForIssuesUsingJql",
        "GET",
        V + "/search",
        {
            "jql": "project = {project_key}",
            "maxResults": "2",
            "fields": "*all",
            "expand": "names,schema,renderedFields,changelog",
        },
        setup=(ADD_COMMENT,),
        targets=DC,
    ),
    Recipe(
        "searchAndReconsileIssuesUsingJql",
        "GET",
        V + "/search/jql",
        {
            "jql": "project = {project_key} ORDER BY key",
            "maxResults": "2",
            "nextPageToken": "{setup0.nextPageToken}",
        },
        setup=(
            Step(
                "GET",
                V + "/search/jql",
                query={"jql": "project = {project_key} ORDER BY key", "maxResults": "2"},
            ),
        ),
    ),
    Recipe(
        "searchAndReconsileIssuesUsingJqlPost",
        "POST",
        V + "/search/jql",
        body={
            "jql": "assignee = currentUser() OR reporter = currentUser()",
            "maxResults": 5,
            "fields": ["summary", "status", "assignee"],
            "fieldsByKeys": False,
            "properties": ["conformance"],
            "expand": "names",
        },
    ),
    Recipe("countIssues", "POST", V + "/search/approximate-count", body={"jql": "project = {project_key}"}),
    Recipe(
        "parseJqlQueries",
        "POST",
        V + "/jql/parse",
        {"validation": "strict"},
        body={"queries": ["project = X"]},
    ),
    Recipe("getAutoComplete", "GET", V + "/jql/autocompletedata"),
    Recipe(
        "getFieldAutoCompleteForQueryString",
        "GET",
        V + "/jql/autocompletedata/suggestions",
        {"fieldName": "status"},
    ),
)
