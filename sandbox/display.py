"""Text a skill wrote, made inert before anyone prints it on a terminal or a page.

A skill controls its docstring, its printed output, its error messages and the arguments of its
tool calls. Printed as they are, control characters in them drive the terminal (``ESC ]0;`` sets
the window title, ``ESC [2J`` clears the screen, the 8-bit ``U+009B`` starts the same sequences),
and bidirectional controls (``U+202E`` and friends, CVE-2021-42574 "Trojan Source") make text
read differently from what it is. :func:`inert_text` spells every such character as a visible
escape (``\\x1b``, ``\\u202e``), so the reader sees that it is there and nothing acts on it.
Everything that prints skill-supplied text goes through it (the sandbox's command line, and
skillbank's CLI and HTML report).
"""

from __future__ import annotations

import unicodedata

__all__ = ["inert_text", "is_default_ignorable"]

_KEPT_CATEGORIES = frozenset({"Zs", "Co", "Cn"})
"""Not printable by Python's definition, yet harmless: spaces, private use, unassigned."""

_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
"""Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt, stable since 2012).

Characters a renderer shows as nothing. Most are format characters (category Cf), which Python
already calls unprintable; the rest are "printable" letters and marks that draw nothing: the
Hangul fillers (U+115F, U+1160, U+3164, U+FFA0: valid in Python identifiers, so ``adminㅤ`` is a
name that reads as ``admin``), variation selectors (U+FE00–U+FE0F, U+E0100–U+E01EF: text can be
hidden in them, one byte per selector), the combining grapheme joiner and Khmer inherent vowels.
"""


def is_default_ignorable(char: str) -> bool:
    """Whether ``char`` is a default-ignorable code point: one that displays as nothing."""
    code = ord(char)
    return any(first <= code <= last for first, last in _DEFAULT_IGNORABLE)


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def inert_text(text: str, *, newlines: bool = True) -> str:
    """``text`` with every control, format, bidi and separator character visibly escaped.

    Args:
        text: Any text (a non-``str`` is turned into one with ``str``).
        newlines: Keep ``\\n`` and ``\\t`` as they are (multi-line output); with False they are
            escaped too, for one-line contexts.

    Returns:
        Text whose every character prints as itself: C0 and C1 controls, DEL, ``\\r``, the
        bidirectional controls (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069), other
        invisible format characters (category Cf: zero-width spaces, U+FEFF...), the line and
        paragraph separators, lone surrogates and every other character that displays as nothing
        (Unicode's default-ignorable code points: Hangul fillers, variation selectors, tag
        characters) become ``\\xNN``/``\\uNNNN`` escapes. One pass, linear in the length.
    """
    if not isinstance(text, str):
        text = str(text)
    if text.isascii() and text.isprintable():  # the common case: nothing to do
        return text
    kept = "\n\t" if newlines else ""
    return "".join(
        char
        if char in kept
        or (
            (char.isprintable() or unicodedata.category(char) in _KEPT_CATEGORIES)
            and (char.isascii() or not is_default_ignorable(char))
        )
        else _escape(char)
        for char in text
    )
