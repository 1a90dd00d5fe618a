"""Pages for people: server-rendered templates, static assets and translations."""
