"""Conformance of the sandbox to the Jira platform OpenAPI spec."""
