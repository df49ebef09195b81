"""Telling a failed call from its result, when the source does not flag it.

Real logs rarely say a call failed: OpenAI transcripts have no error flag at all, and many tools
answer a failure with text (``"Error: No such file or directory: 'x'"``) or an object holding an
``error`` (``{"error": "not found"}``, ``{"success": false, ...}``). ``failure_of`` says whether a
call failed and why, from the source's own flag first, then from the shape of its result:

- a text that opens the way error messages open (``Error``, ``ValueError:``, ``Traceback``,
  ``Failed``, ``Invalid``, ``Cannot``, ``Unable``, ``Permission denied``, ``No such``, ``not
  found``, ``HTTP 404``);
- an object whose only business is an error (an ``error``/``errors``/``error_message`` key and at
  most one other key, such as a code), or one that says ``"success": false``, ``"ok": false`` or
  ``"status": "error"``.

Text that merely mentions an error later on (a log line, a ticket about a failure) is not a
failure: only how a result *opens* counts.
"""

from __future__ import annotations

from typing import Any

from skills_runtime.trajectory.model import ToolCall

__all__ = ["failure_of", "reads_as_failure"]

# How error messages open (compared by hand on the first words, so nothing can backtrack).
_OPENING_WORDS = (
    "error",
    "[error",
    "err:",
    "err ",
    "errno",
    "fatal",
    "failed",
    "failure",
    "exception",
    "traceback",
    "invalid",
    "cannot",
    "can't",
    "can not",
    "unable",
    "permission denied",
    "access denied",
    "forbidden",
    "unauthorized",
    "unauthorised",
    "not found",
    "not allowed",
    "not permitted",
    "not authorized",
    "no such",
    "does not exist",
)


def _opens_like_an_error(text: str) -> bool:
    head = " ".join(text[:200].split()).lower()
    for opening in _OPENING_WORDS:
        if head.startswith(opening):
            rest = head[len(opening) : len(opening) + 1]
            # A whole word: "errors found: 0" is not "error", "invalidated" is not "invalid".
            if not rest or not (rest.isalnum() or rest == "_") or opening[-1] in ": ":
                return True
    # "ValueError: ...", "requests.exceptions.HTTPError: ...": a first word naming an error.
    first, colon, _ = head.partition(":")
    if colon and " " not in first and first.endswith(("error", "exception")):
        return True
    # "HTTP 404", "500 Internal Server Error".
    words = head.replace("http", "http ", 1).split()
    code = words[1] if words[:1] == ["http"] and len(words) > 1 else words[0] if words else ""
    return (
        len(code) == 3
        and code.isdigit()
        and code[0] in "45"
        and (words[:1] == ["http"] or len(words) > 1)
    )


_ERROR_KEYS = frozenset({"error", "errors", "error_message", "errormessage", "error_msg"})
_FLAG_KEYS = {"success": False, "ok": False, "succeeded": False}


def reads_as_failure(result: Any) -> str | None:
    """Why a result reads as a failure (a short quote of it), or None when it does not."""
    if isinstance(result, str):
        return _quote(result[:200]) if _opens_like_an_error(result) else None
    if isinstance(result, dict):
        keys = {str(key).lower(): key for key in result}
        errors = _ERROR_KEYS & set(keys)
        if errors and len(result) <= 2:
            value = result[keys[min(errors)]]
            if value not in (None, "", [], {}, False):
                return _quote(f"{keys[min(errors)]}: {value}")
        for key, failed in _FLAG_KEYS.items():
            if key in keys and result[keys[key]] is failed:
                return _quote(f"{keys[key]}: false")
        status = result.get(keys["status"]) if "status" in keys else None
        if isinstance(status, str) and status.lower() in ("error", "failed", "failure"):
            return _quote(f"status: {status}")
    return None


def failure_of(call: ToolCall) -> str | None:
    """Why a call counts as failed, or None: the source's flag, else its result's shape."""
    if call.is_error:
        return "the source marks it as an error"
    found = reads_as_failure(call.result)
    return None if found is None else f"its result reads as an error: {found}"


def _quote(text: str) -> str:
    line = " ".join(text.split())
    return repr(line if len(line) <= 80 else line[:77] + "...")
