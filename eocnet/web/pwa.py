"""The installable app: the web app manifest and the service worker, both served from
the root so that the worker's scope is the whole site."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).parent / "static"
THEME_COLOUR = "#1d6fa5"
SERVICE_WORKER = (STATIC / "sw.js").read_bytes()


def manifest() -> dict[str, object]:
    icons: list[dict[str, str]] = [
        {"src": "/static/favicon.svg", "sizes": "any", "type": "image/svg+xml"}
    ]
    for size in (192, 512):
        icons.append(
            {
                "src": f"/static/icons/icon-{size}.png",
                "sizes": f"{size}x{size}",
                "type": "image/png",
            }
        )
        icons.append(
            {
                "src": f"/static/icons/maskable-{size}.png",
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "maskable",
            }
        )
    return {
        "id": "/",
        "name": "eocnet: ASEAN public-health EOC network",
        "short_name": "eocnet",
        "description": "Alerts, events and channels of the ASEAN network of public-health "
        "Emergency Operations Centres.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": icons,
    }


@router.get("/manifest.webmanifest")
def web_manifest(request: Request) -> Response:
    return Response(
        json.dumps(manifest(), separators=(",", ":")),
        media_type="application/manifest+json",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get("/sw.js")
def service_worker(request: Request) -> Response:
    # Revalidated on every load, so a new worker reaches the browsers at once.
    return Response(
        SERVICE_WORKER,
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )
