"""HTTP helpers shared by the JSON API (``api/``) and the pages (``web/``), below both:
the session and CSRF cookies (cookies.py) and file downloads (files.py)."""
