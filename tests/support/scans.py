"""Scanned pages made from the bundled records: real lines of `corpus/` text drawn on an A4 image with a real font
(DejaVu Serif, Debian's fonts-dejavu-core) and wrapped in a PDF without a text layer, as a scanner makes them."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.settings import BUNDLED_CORPUS

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
DPI = 300
A4_INCHES = (8.27, 11.69)
MARGIN_INCHES = 0.8
FONT_POINTS = 10
LINE_POINTS = 14
MAX_CHARACTERS = 95
"""Characters a line may have to fit between the margins at FONT_POINTS."""


def corpus_lines(count: int, prefix: str = "000", skip: int = 0) -> list[str]:
    """`count` lines of running text from a bundled record (lines of 40 to MAX_CHARACTERS characters)."""
    path = next(BUNDLED_CORPUS.glob(f"{prefix}_*.txt"))
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if 40 <= len(line) <= MAX_CHARACTERS][skip : skip + count]


def page_image(lines: list[str]) -> Image.Image:
    """An A4 grayscale page at DPI with `lines` in black, one under the other."""
    width, height = (round(side * DPI) for side in A4_INCHES)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), round(FONT_POINTS / 72 * DPI))
    top = left = round(MARGIN_INCHES * DPI)
    for number, line in enumerate(lines):
        draw.text((left, top + round(number * LINE_POINTS / 72 * DPI)), line, font=font, fill=0)
    return image


def scanned_pdf(pages: list[list[str]]) -> bytes:
    """A PDF of one scanned page (an image, no text layer) per list of lines."""
    images = [page_image(lines) for lines in pages]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=DPI, save_all=True, append_images=images[1:])
    return buffer.getvalue()


def words(text: str) -> list[str]:
    """The words of a text, lower-cased, without the punctuation around them."""
    return [word for word in (w.strip(".,:;!?()[]\"'”“’•-–").lower() for w in text.split()) if word]


def word_share(source: str, found: str) -> float:
    """The share of the source's words (each occurrence) found again in `found`."""
    wanted, seen = Counter(words(source)), Counter(words(found))
    return sum(min(n, seen[word]) for word, n in wanted.items()) / sum(wanted.values())
