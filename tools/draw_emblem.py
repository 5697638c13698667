"""Draw the demo's neutral sample emblem, site_config/emblem.png (not any real organ's emblem).

A stylised public building (roof, four columns, steps) in white on a dark red disc, 128×128
px, saved by Pillow without any metadata chunk, so GK121 (gkpublish.site.emblem) accepts it.
Run: .venv/bin/python tools/draw_emblem.py [out.png]
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 128
SCALE = 4  # drawn large, then reduced: smooth edges without anti-aliasing options


def draw() -> Image.Image:
    n = SIZE * SCALE
    im = Image.new("RGBA", (n, n), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)

    def box(x0: float, y0: float, x1: float, y1: float) -> list[float]:
        return [v * SCALE for v in (x0, y0, x1, y1)]

    d.ellipse(box(2, 2, 126, 126), fill=(158, 27, 36, 255))
    d.ellipse(box(10, 10, 118, 118), outline=(255, 214, 102, 255), width=3 * SCALE)
    white = (255, 255, 255, 255)
    d.polygon([(v * SCALE) for v in (32, 52, 64, 32, 96, 52)], fill=white)  # roof
    d.rectangle(box(34, 54, 94, 59), fill=white)  # architrave
    for x in (38, 54, 70, 86):  # four columns
        d.rectangle(box(x, 62, x + 5, 86), fill=white)
    d.rectangle(box(32, 88, 96, 93), fill=white)  # steps
    d.rectangle(box(28, 95, 100, 100), fill=white)
    small = im.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    return small.quantize(colors=64, method=Image.Quantize.FASTOCTREE)  # a palette PNG: a few KB


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "site_config" / "emblem.png"
    draw().save(out, "PNG", optimize=True)  # Pillow writes no text/EXIF chunk unless asked
    print(f"已写入 {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
