"""The supervision screen (智慧监管) of the agency, served by the centre at /supervision/.

- models.py   its tables: hourly/daily aggregates, drug use, 3505 uploads, folded settlements, alerts, state
- rollup.py   folds the centre's journal (the change feed) into the aggregates, within a second while watched
- alerts.py   the alert rules (thresholds: resources/config/supervision.json) and acknowledge/assign
- queries.py  the panels and drill-downs, read from the aggregates
- auth.py     agency/supervisor staff with the supervisor role (server.staff) and the session cookie
- routes.py   pages, JSON under /supervision/api/, Server-Sent Events, exports (export.py), HTML (pages.py)
- static/     the big screen (index.html, screen.js, screen.css) and the vendored ECharts with its licence
"""
