"""What the reliability scripts share: the repository on the import path (they
reuse the test suite's strategies, corpus and server helpers), a header naming
the machine and the date, and a bounded wall-clock budget."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def header(title: str) -> None:
    """One line that says what ran, where and when."""
    cpu = platform.processor() or platform.machine()
    print(f"# {title}: {_dt.date.today().isoformat()}, {os.cpu_count()} cores ({cpu}), "
          f"Python {platform.python_version()}")  # fmt: skip


class Budget:
    """A wall-clock limit: loops check `left()` and stop when it reaches zero."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())
