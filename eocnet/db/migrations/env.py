"""Alembic environment: migrates the database named in the Alembic config."""

from __future__ import annotations

from alembic import context

from eocnet.db.database import make_engine
from eocnet.db.models import Base
from eocnet.db.unmanaged import is_managed

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url
    engine = make_engine(url, pool_size=1)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_object=is_managed,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
