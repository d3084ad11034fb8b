"""Issues of the emulated Jira: field values, edits and their changelog, sprints, rendering.

- :mod:`.fields`: reading a create/edit payload against the screens, and applying it;
- :mod:`.field_values`, :mod:`.field_meta`: one field's value parsing and its metadata;
- :mod:`.changes`: applying values and recording the changelog;
- :mod:`.sprints`: an issue's sprint membership, as Jira Software schedules it;
- :mod:`.render`: an issue's JSON (fields, names, schema, changelog, transitions).
"""
