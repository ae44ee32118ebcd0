"""Where every benchmark records its figures: a dated section appended to bench/RESULTS.md,
headed by the exact command that made them and the machine's load at the time."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def command() -> str:
    """The command line of the running benchmark, as a reader would type it."""
    return " ".join([".venv/bin/python", f"bench/{Path(sys.argv[0]).name}", *sys.argv[1:]])


def record(title: str, setting: str, lines: Iterable[str], notes: str = "") -> None:
    """Append a section: `title` and the time, the command with `setting` (goal, servers),
    one bullet per line (indented lines stay nested), then `notes` as a paragraph."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    bullets = "".join(
        f"  - {line.strip()}\n" if line.startswith("  ") else f"- {line}\n" for line in lines
    )
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(f"\n## {title} ({stamp})\n\n`{command()}` ({setting}; {os.cpu_count()} cores, "
                  f"load average {load:.1f} at the end)\n\n{bullets}")  # fmt: skip
        if notes:
            out.write(f"\n{notes}\n")
