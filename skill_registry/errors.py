"""Errors raised by ``skill_registry`` for misuse of its API and for storage failures.

Every error names what was wrong, where, and what to do next::

    RegistryError
    ├── InvalidRecord(RegistryError, ValueError)          a value that cannot be stored
    ├── InvalidTransition(RegistryError, ValueError)      a lifecycle move the table does not allow
    ├── GateNotPassed(RegistryError, ValueError)          verified/promoted without passing reports
    ├── UnknownSkillError(RegistryError, LookupError)     no skill of that name
    │   └── UnknownVersionError                           the skill exists, that version does not
    ├── NotARegistry(RegistryError, ValueError)           a directory, a text file, a foreign db
    ├── CorruptRegistry(RegistryError, RuntimeError)      our file, but SQLite cannot read it
    ├── IncompatibleRegistry(RegistryError, RuntimeError) written by a newer schema version
    └── RegistryUnavailable(RegistryError, OSError)       cannot open or write the path
        ├── RegistryNotFound                              opened for reading; nothing is there
        └── RegistryBusy                                  still locked after every retry
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "CorruptRegistry",
    "GateNotPassed",
    "IncompatibleRegistry",
    "InvalidRecord",
    "InvalidTransition",
    "NotARegistry",
    "RegistryBusy",
    "RegistryError",
    "RegistryNotFound",
    "RegistryUnavailable",
    "UnknownSkillError",
    "UnknownVersionError",
]


class RegistryError(Exception):
    """Base of every error ``skill_registry`` raises on purpose."""


class InvalidRecord(RegistryError, ValueError):
    """A value that cannot be stored: an empty name, a schema that is not a JSON object, ..."""


class InvalidTransition(RegistryError, ValueError):
    """A lifecycle transition the transition table does not allow from the version's state."""

    def __init__(self, message: str, *, allowed: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.allowed = tuple(allowed)


class GateNotPassed(RegistryError, ValueError):
    """Entering ``verified`` or ``promoted`` without passed check and verify reports."""

    def __init__(self, message: str, *, missing: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.missing = tuple(missing)


class UnknownSkillError(RegistryError, LookupError):
    """No skill of that name is stored; the message lists close matches."""

    def __init__(self, message: str, *, close_matches: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.close_matches = tuple(close_matches)


class UnknownVersionError(UnknownSkillError):
    """The skill exists but has no such version; the message lists the stored versions."""


class NotARegistry(RegistryError, ValueError):
    """The path holds something that is not a skillbank registry; it is left untouched."""


class CorruptRegistry(RegistryError, RuntimeError):
    """The file is a skillbank registry that SQLite cannot read; restore it from a backup."""


class IncompatibleRegistry(RegistryError, RuntimeError):
    """The file was written by a newer schema than this version of skillbank knows."""


class RegistryUnavailable(RegistryError, OSError):
    """The path cannot be opened or written (missing directory, permissions, read-only medium)."""


class RegistryNotFound(RegistryUnavailable):
    """No registry where it was looked for, and the caller did not ask to create one."""


class RegistryBusy(RegistryUnavailable):
    """Other writers kept the database locked through every retry."""
