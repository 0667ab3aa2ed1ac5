"""The surface as a background image with iso-lines, for maps that animate.

Plotly drops contour traces while an animation plays (plotly.py#2151, plotly.js#4491), so the map's
background is a PNG in `layout.images`: filled bands of log-scaled loss with darker iso-lines where the band
changes. Non-finite regions (a formula's log of a negative, say) are drawn grey.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

# Plotly's "Viridis" stops, reversed so that low loss is light (yellow) and high loss dark.
_STOPS = np.array(
    [
        [0.267, 0.005, 0.329],
        [0.283, 0.141, 0.458],
        [0.254, 0.265, 0.530],
        [0.207, 0.372, 0.553],
        [0.164, 0.471, 0.558],
        [0.128, 0.567, 0.551],
        [0.135, 0.659, 0.518],
        [0.267, 0.749, 0.441],
        [0.478, 0.821, 0.318],
        [0.741, 0.873, 0.150],
        [0.993, 0.906, 0.144],
    ]
)[::-1]


def grid(surface, bounds=None, n: int = 240):
    """xs (n,), ys (n,), z (n, n) with z[i, j] = f(xs[j], ys[i])."""
    (x0, x1), (y0, y1) = bounds if bounds is not None else surface.bounds
    xs = np.linspace(x0, x1, n)
    ys = np.linspace(y0, y1, n)
    xy = np.stack(np.meshgrid(xs, ys), axis=-1)
    with np.errstate(all="ignore"):
        z = np.asarray(surface.f(xy), dtype=np.float64) * np.ones(xy.shape[:-1])
    return xs, ys, z


def normalise(z: np.ndarray) -> np.ndarray:
    """Map loss to [0, 1] on a log scale above its minimum in view (NaN where not finite)."""
    finite = np.isfinite(z)
    if not finite.any():
        return np.full(z.shape, np.nan)
    zmin, zmax = z[finite].min(), z[finite].max()
    span = zmax - zmin if zmax > zmin else 1.0
    with np.errstate(all="ignore"):
        s = np.log1p(1000 * (z - zmin) / span) / np.log1p(1000)
    return np.where(finite, np.clip(s, 0, 1), np.nan)


def rgb(s: np.ndarray, levels: int = 18) -> np.ndarray:
    """Banded colours with iso-lines: (h, w) in [0, 1] or NaN -> (h, w, 3) uint8."""
    band = np.floor(np.nan_to_num(s, nan=0.0) * levels).clip(0, levels - 1)
    pos = (band + 0.5) / levels * (len(_STOPS) - 1)
    lo = np.floor(pos).astype(int).clip(0, len(_STOPS) - 2)
    frac = (pos - lo)[..., None]
    colour = _STOPS[lo] * (1 - frac) + _STOPS[lo + 1] * frac
    edge = np.zeros(s.shape, dtype=bool)
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    colour = np.where(edge[..., None], colour * 0.55, colour * 0.85 + 0.15)
    colour = np.where(np.isnan(s)[..., None], 0.6, colour)
    return (colour * 255).round().astype(np.uint8)


def png(pixels: np.ndarray) -> bytes:
    """Encode an (h, w, 3) uint8 array as a PNG (row 0 at the top)."""
    h, w, _ = pixels.shape
    raw = b"".join(b"\x00" + pixels[i].tobytes() for i in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def data_uri(surface, bounds=None, n: int = 240) -> str:
    """The surface over `bounds` as a PNG data URI (the top row is the largest y)."""
    _, _, z = grid(surface, bounds, n)
    pixels = rgb(normalise(z))[::-1]
    return "data:image/png;base64," + base64.b64encode(png(pixels)).decode("ascii")


def layout_image(surface, bounds=None, n: int = 240) -> dict:
    """A `layout.images` entry that fills the axes' `bounds` with the surface."""
    (x0, x1), (y0, y1) = bounds if bounds is not None else surface.bounds
    return dict(
        source=data_uri(surface, bounds, n),
        xref="x",
        yref="y",
        x=x0,
        y=y1,
        sizex=x1 - x0,
        sizey=y1 - y0,
        sizing="stretch",
        layer="below",
        opacity=1.0,
    )
