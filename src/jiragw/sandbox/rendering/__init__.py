"""JSON shapes and text shared by many endpoints of the emulated Jira.

- :mod:`.shapes`: users, statuses, priorities, issue types, projects, page beans;
- :mod:`.agile`: boards and sprints;
- :mod:`.richtext`: ADF (REST v3) and wiki markup (REST v2) for rich-text fields;
- :mod:`.text`: the plain text of an issue, for text search.
"""
