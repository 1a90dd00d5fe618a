"""The ASGI entry point for servers: ``uvicorn eocnet.asgi:app``."""

from eocnet.app import create_app

app = create_app()
