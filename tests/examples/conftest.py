"""Make the repository's ``examples`` package importable however pytest is started."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # ``python -m pytest`` adds it; a bare ``pytest`` does not
    sys.path.insert(0, str(ROOT))
