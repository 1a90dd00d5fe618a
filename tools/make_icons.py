"""Draw the app icons (the favicon's blue disc and white cross) as PNGs for the web app
manifest: ``python tools/make_icons.py`` writes eocnet/web/static/icons/."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Circle, Rectangle

OUT = Path(__file__).resolve().parent.parent / "eocnet" / "web" / "static" / "icons"
BLUE = "#1d6fa5"


def draw(size: int, path: Path, maskable: bool) -> None:
    fig = plt.figure(figsize=(1, 1), dpi=size)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 32)
    ax.set_ylim(0, 32)
    ax.axis("off")
    if maskable:  # full-bleed background, the cross inside the safe zone
        ax.add_patch(Rectangle((0, 0), 32, 32, color=BLUE))
        arm, bar = 8.0, 3.2
    else:
        ax.add_patch(Circle((16, 16), 14, color=BLUE))
        arm, bar = 7.0, 4.0
    ax.add_patch(Rectangle((16 - arm, 16 - bar / 2), 2 * arm, bar, color="white"))
    ax.add_patch(Rectangle((16 - bar / 2, 16 - arm), bar, 2 * arm, color="white"))
    fig.savefig(path, dpi=size, transparent=not maskable)
    plt.close(fig)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, OUT / f"icon-{size}.png", maskable=False)
        draw(size, OUT / f"maskable-{size}.png", maskable=True)
