"""Text for PDFs drawn with the core fonts (Helvetica), which cover Latin-1 only."""

from __future__ import annotations

# Characters that commonly appear in descriptions and notes but are not in Latin-1, the encoding of the PDF
# core fonts, mapped to readable equivalents before anything unknown becomes "?".
_LATIN1_FALLBACKS = str.maketrans(
    {
        "\u20ac": "EUR",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u2264": "<=",
        "\u2265": ">=",
        "\u2260": "!=",
        "\u2022": "-",
        "\u00a0": " ",
        "\u202f": " ",
    }
)


def latin1(text: str) -> str:
    """`text` in the PDF core fonts' Latin-1, with common symbols spelled out and anything else shown as '?'."""
    return text.translate(_LATIN1_FALLBACKS).encode("latin-1", "replace").decode("latin-1")
