"""Text a hostile skill writes to fool a reader, and the check that it reached the screen inert."""

from __future__ import annotations

import unicodedata

HOSTILE = (
    "title\x1b]0;owned\x07"  # OSC: sets the terminal's window title
    "\x1b[2J\x1b[H"  # clears the screen, cursor home
    "\x9b31m"  # 8-bit CSI (C1): the same, in one character
    "over\rwrite"  # carriage return: the rest overwrites the start of the line
    "\u202eevil\u202c"  # RIGHT-TO-LEFT OVERRIDE ... POP (Trojan Source)
    "\u2066isolate\u2069"  # LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL ISOLATE
    "zero\u200bwidth\ufeff"  # invisible format characters
    "[/][link=https://evil.example]ok[/link][bold green]passed[/]"  # rich markup
)
"""One line packing every trick; skill text reaching a terminal must show it only as text."""

MARKUP = "[link=https://evil.example]ok[/link]"


def dangerous(text: str) -> list[str]:
    """The characters of ``text`` a terminal or a bidi renderer would act on."""
    return [
        char
        for char in text
        if char not in "\n\t"
        and (
            unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")
            or 0x80 <= ord(char) <= 0x9F
        )
    ]
