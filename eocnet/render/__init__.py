"""Turning data into what people read, for every caller (pages, the API, reports,
the command line): translations (i18n.py and its catalogues), Markdown as safe HTML
(markdown.py), figures drawn with matplotlib (charts.py) and documents (documents.py:
HTML from the templates in render/templates, PDF by WeasyPrint from the same HTML).

Nothing here knows about requests: it sits below ``api/``, ``web/``, ``reports/`` and
``actions/`` (docs/architecture.md)."""
