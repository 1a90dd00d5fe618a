"""Storage: SQLAlchemy models, the engine for SQLite or PostgreSQL, and migrations."""
