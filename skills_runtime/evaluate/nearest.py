"""Nearest runs: which recorded run's request reads most like a new request.

The raw-trajectory baseline of evaluation retrieves, for a held-out task, the training run whose
request is most similar. Similarity is Okapi BM25 (k1 = 1.2, b = 0.75) of the new request's words
against each run's request words: deterministic, model-free, and what a plain text index would
answer. Words are runs of letters and digits, lower-cased; a run's text is its instruction and
every request of its turns. A run whose text is the request's, word for word, comes first (BM25
alone may rank a shorter near-copy above it); ties go to the smaller run id, so the answer never
depends on order.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from skills_runtime.trajectory.model import Trajectory

__all__ = ["Nearest", "RequestIndex", "request_text", "request_words"]

_WORD = re.compile(r"[^\W_]+")
_K1 = 1.2
_B = 0.75


def request_text(trajectory: Trajectory) -> str:
    """Everything the user asked in a run: the instruction and each turn's request."""
    parts = [trajectory.task, *(turn.request for turn in trajectory.requests)]
    return "\n".join(dict.fromkeys(part for part in parts if part))


def request_words(text: str) -> list[str]:
    """The words BM25 scores: runs of letters and digits, lower-cased."""
    return [word.lower() for word in _WORD.findall(text)]


@dataclass(frozen=True)
class Nearest:
    """The run retrieved for a request, and how similar its request is (BM25)."""

    trajectory: Trajectory
    score: float


class RequestIndex:
    """BM25 over the requests of a fixed set of runs."""

    def __init__(self, runs: Iterable[Trajectory]) -> None:
        self.runs: tuple[Trajectory, ...] = tuple(sorted(runs, key=lambda run: run.id))
        texts = [request_words(request_text(run)) for run in self.runs]
        self._counts = [Counter(words) for words in texts]
        self._verbatim: dict[tuple[str, ...], list[int]] = {}
        for position, words in enumerate(texts):
            self._verbatim.setdefault(tuple(words), []).append(position)
        lengths = [sum(counts.values()) for counts in self._counts]
        self._lengths = lengths
        self._average = sum(lengths) / len(lengths) if lengths else 0.0
        frequency: Counter[str] = Counter()
        for counts in self._counts:
            frequency.update(counts.keys())
        total = len(self.runs)
        self._idf = {
            word: math.log(1 + (total - seen + 0.5) / (seen + 0.5))
            for word, seen in frequency.items()
        }

    def score(self, position: int, words: Sequence[str]) -> float:
        """BM25 of the run at ``position`` for the query ``words``."""
        counts = self._counts[position]
        norm = _K1 * (1 - _B + _B * self._lengths[position] / self._average) if self._average else 0
        total = 0.0
        for word in set(words):
            seen = counts.get(word, 0)
            if seen:
                total += self._idf[word] * seen * (_K1 + 1) / (seen + norm)
        return total

    def nearest(self, text: str, *, among: Iterable[int] | None = None) -> Nearest | None:
        """The run (of those at positions ``among``, default all) most similar to ``text``."""
        words = request_words(text)
        positions = range(len(self.runs)) if among is None else sorted(set(among))
        allowed = set(positions)
        same = [p for p in self._verbatim.get(tuple(words), []) if p in allowed] if words else []
        if same:
            return Nearest(self.runs[same[0]], self.score(same[0], words))
        best: tuple[float, int] | None = None
        for position in positions:
            score = self.score(position, words)
            if best is None or score > best[0]:  # positions ascend by id: ties keep the first
                best = (score, position)
        if best is None:
            return None
        return Nearest(self.runs[best[1]], best[0])
