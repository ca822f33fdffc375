"""The ministry's part of the gateway: load-test runs (model, schemas, API) and the dashboard.

- ``models``: ``LoadRun`` and its per-endpoint figures, in the gateway's database;
- ``schemas``: the load-run routes' request and response schemas;
- ``api``: ``/api/v1/ministry/load-runs`` (record: admin; list: ministry, admin);
- ``pages``: the dashboard and its CSV downloads (on the ``pages`` blueprint);
- ``charts``: the dashboard's inline SVG bar charts.
"""
