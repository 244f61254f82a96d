"""Cover pictures and avatars for the demo, drawn with Pillow rather than downloaded.

A cover is an abstract composition (soft orbs, bands, arches, a dot grid or
blocks) over a gradient in its topic's palette; which composition, and where
its shapes fall, comes from a random generator seeded with the page's slug,
so every machine draws the same picture for the same page. An avatar is the
person's initials on a gradient picked by their username.
"""

import functools
import hashlib
import io
import random

from PIL import Image, ImageDraw, ImageFont

COVER_SIZE = (1200, 630)
AVATAR_SIZE = 256
_SCALE = 2  # shapes are drawn at twice the size and scaled down, for smooth edges

# Per topic: a deep ground, two mid tones and a light accent.
PALETTES: dict[str, tuple[str, str, str, str]] = {
    "wikis": ("#1b2a4a", "#2f6fd6", "#7fb2ff", "#ffd27a"),
    "knowledge sharing": ("#23314f", "#3b7bd8", "#8ad0c9", "#ffe1a8"),
    "lending": ("#2a1f3d", "#7b4bc4", "#e58fb0", "#ffd9a0"),
    "negotiation": ("#3a1c2c", "#b8456c", "#f2a07b", "#ffe6c7"),
    "facilitation": ("#14352f", "#1f8a70", "#8fd6a8", "#fff0b3"),
    "remote work": ("#102a3a", "#1f7a99", "#7cd3e0", "#ffe2a3"),
    "data literacy": ("#1e2440", "#4b57c9", "#9aa6ff", "#ffc36b"),
    "dashboards": ("#1a2233", "#3566c8", "#5fd0b8", "#ffcf5c"),
    "risk": ("#2b1a1a", "#b23a3a", "#f08a5d", "#ffe08a"),
    "spreadsheets": ("#163020", "#2f8f4e", "#a7e07a", "#f4f7c5"),
    "customer complaints": ("#2d1b36", "#9b3f8f", "#f28cb1", "#ffe0d1"),
    "treasury": ("#10273d", "#0f6e8c", "#46c2b0", "#f6d36b"),
    "automation": ("#1b1f3a", "#5a3fc0", "#38b6d8", "#c8f56b"),
    "chat bots": ("#132a38", "#2c7da0", "#a3d9ff", "#ffb38a"),
}
_FALLBACK = tuple(PALETTES.values())


def palette_for(topic: str) -> tuple[str, str, str, str]:
    """The topic's palette; a topic without one gets one picked by its name, the same everywhere."""
    return PALETTES.get(topic.lower()) or _FALLBACK[_digest(topic)[0] % len(_FALLBACK)]


# Drawing is the slow part of loading the demo, and the same arguments always
# draw the same picture: a process that loads the demo again (the tests) draws once.
@functools.cache
def cover_jpeg(*, seed: str, topic: str) -> bytes:
    """A cover for the page ``seed`` (its slug) in ``topic``'s palette, as JPEG bytes."""
    rng = random.Random(_digest(seed))  # noqa: S311 (a picture's layout, not a secret)
    palette = palette_for(topic)
    width, height = (side * _SCALE for side in COVER_SIZE)
    picture = _gradient(palette, rng, (width, height))
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    rng.choice((_orbs, _bands, _arches, _dots, _blocks))(draw, rng, palette, width, height)
    picture = Image.alpha_composite(picture.convert("RGBA"), layer).convert("RGB")
    picture = picture.resize(COVER_SIZE, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=88, optimize=True)
    return buffer.getvalue()


@functools.cache
def avatar_png(*, username: str, initials: str) -> bytes:
    """``initials`` on a gradient picked by ``username``, as a square PNG."""
    digest = _digest(username)
    ground, mid, _light, accent = _FALLBACK[digest[0] % len(_FALLBACK)]
    size = AVATAR_SIZE * _SCALE
    picture = _gradient((ground, mid, ground, mid), random.Random(digest), (size, size))  # noqa: S311
    draw = ImageDraw.Draw(picture, "RGBA")
    ring = size * 0.62
    draw.ellipse((size - ring * 0.6, -ring * 0.4, size + ring * 0.4, ring * 0.6), fill=_rgba(accent, 70))
    font = ImageFont.load_default(size=size * 0.4)
    draw.text(
        (size / 2, size / 2),
        initials,
        fill="#ffffff",
        font=font,
        anchor="mm",
        stroke_width=3,
        stroke_fill="#ffffff",
    )
    picture = picture.resize((AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# --- Grounds and compositions ----------------------------------------------------


def _gradient(palette, rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A smooth four-corner gradient: a 2 by 2 picture of the palette's tones, scaled up."""
    ground, mid, light, _accent = palette
    corners = [ground, mid, ground, light if rng.random() < 0.5 else mid]
    rng.shuffle(corners)
    tiny = Image.new("RGB", (2, 2))
    tiny.putdata([_rgb(colour) for colour in corners])
    return tiny.resize(size, Image.Resampling.BICUBIC, box=(0.5, 0.5, 1.5, 1.5))


def _orbs(draw, rng, palette, width, height) -> None:
    _ground, mid, light, accent = palette
    for _ in range(rng.randint(3, 5)):
        radius = rng.uniform(0.18, 0.42) * height
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius), fill=_rgba(rng.choice((mid, light)), 120)
        )
    radius = rng.uniform(0.25, 0.35) * height
    x, y = rng.uniform(0.55, 0.85) * width, rng.uniform(0.3, 0.7) * height
    draw.ellipse(
        (x - radius, y - radius, x + radius, y + radius), outline=_rgba(accent, 230), width=height // 60
    )
    small = radius * 0.22
    draw.ellipse(
        (
            x + radius * 0.6 - small,
            y - radius * 0.9 - small,
            x + radius * 0.6 + small,
            y - radius * 0.9 + small,
        ),
        fill=_rgba(accent, 255),
    )


def _bands(draw, rng, palette, width, height) -> None:
    _ground, mid, light, accent = palette
    band = rng.uniform(0.08, 0.14) * width
    slant = rng.choice((-1, 1)) * height * rng.uniform(0.6, 1.0)
    start = rng.uniform(0.2, 0.5) * width
    for n, colour in enumerate((mid, light, accent, mid)):
        x = start + n * band * 1.15
        draw.polygon(
            ((x, 0), (x + band, 0), (x + band + slant, height), (x + slant, height)),
            fill=_rgba(colour, 170 if colour != accent else 235),
        )
    radius = height * 0.16
    cx, cy = rng.uniform(0.1, 0.25) * width, rng.uniform(0.25, 0.75) * height
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=_rgba(light, 210))


def _arches(draw, rng, palette, width, height) -> None:
    _ground, mid, light, accent = palette
    cx = rng.uniform(0.25, 0.75) * width
    step = height * rng.uniform(0.1, 0.14)
    colours = (accent, light, mid, light, mid)
    for n in range(len(colours), 0, -1):
        radius = step * (n + 1.5)
        draw.ellipse(
            (cx - radius, height - radius, cx + radius, height + radius),
            fill=_rgba(colours[n - 1], 150 + n * 15),
        )
    sun = height * 0.07
    sx, sy = rng.uniform(0.1, 0.9) * width, rng.uniform(0.12, 0.3) * height
    draw.ellipse((sx - sun, sy - sun, sx + sun, sy + sun), fill=_rgba(accent, 255))


def _dots(draw, rng, palette, width, height) -> None:
    _ground, mid, light, accent = palette
    radius = height * rng.uniform(0.55, 0.8)
    corner = rng.choice(((0, 0), (width, 0), (0, height), (width, height)))
    draw.ellipse(
        (corner[0] - radius, corner[1] - radius, corner[0] + radius, corner[1] + radius), fill=_rgba(mid, 200)
    )
    gap = height / 12
    dot = gap * 0.14
    for row in range(1, 12):
        for column in range(1, int(width / gap)):
            x, y = column * gap, row * gap
            if rng.random() < 0.55:
                colour = accent if rng.random() < 0.08 else light
                grow = 2.2 if colour == accent else 1
                draw.ellipse(
                    (x - dot * grow, y - dot * grow, x + dot * grow, y + dot * grow), fill=_rgba(colour, 200)
                )


def _blocks(draw, rng, palette, width, height) -> None:
    _ground, mid, light, accent = palette
    columns = 6
    cell = width / columns
    for column in range(columns):
        for row in range(int(height / cell) + 1):
            if rng.random() < 0.45:
                continue
            x, y = column * cell, row * cell
            colour = rng.choice((mid, light, accent, mid))
            shape = rng.randrange(3)
            box = (x + cell * 0.08, y + cell * 0.08, x + cell * 0.92, y + cell * 0.92)
            if shape == 0:
                draw.rectangle(box, fill=_rgba(colour, 200))
            elif shape == 1:
                draw.ellipse(box, fill=_rgba(colour, 210))
            else:
                draw.pieslice(
                    (box[0], box[1], box[2] + (box[2] - box[0]), box[3] + (box[3] - box[1])),
                    180,
                    270,
                    fill=_rgba(colour, 210),
                )


# --- Colours -------------------------------------------------------------------------


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _rgba(colour: str, alpha: int) -> tuple[int, int, int, int]:
    return (*_rgb(colour), alpha)
