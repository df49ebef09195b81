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

__all__ = ["inert_text"]

_KEPT_CATEGORIES = frozenset({"Zs", "Co", "Cn"})
"""Not printable by Python's definition, yet harmless: spaces, private use, unassigned."""


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
        paragraph separators and lone surrogates become ``\\xNN``/``\\uNNNN`` escapes. One pass,
        linear in the length.
    """
    if not isinstance(text, str):
        text = str(text)
    if text.isprintable():  # the common case: nothing to do
        return text
    kept = "\n\t" if newlines else ""
    return "".join(
        char
        if char in kept or char.isprintable() or unicodedata.category(char) in _KEPT_CATEGORIES
        else _escape(char)
        for char in text
    )
