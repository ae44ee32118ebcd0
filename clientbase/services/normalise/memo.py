"""A bounded memory of the normalisers' results, which another process can fill.

The normalisers are pure and costly (e-mail, phone, tax id, name key). An import runs
them for the next chunk in pool processes; those keep a journal of what they worked out
and the worker learns it, so its own checks (updates included) find the results here.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from typing import Any

Key = tuple[str, tuple[Any, ...], tuple[tuple[str, Any], ...]]
Entry = tuple[Key, str]

# Results kept per process: a few chunks' worth of distinct values.
SIZE = 65_536

_results: dict[Key, str] = {}
_lock = threading.Lock()
# What this process worked out since the journal was last taken; None: no journal kept.
_journal: list[Entry] | None = None


def remembered(function: Callable[..., str]) -> Callable[..., str]:
    """`function` answering from memory when it was called with these arguments before.
    Failures (NormalisationError) are not remembered: they are rare and cheap to redo."""
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> str:
        key = (name, args, tuple(sorted(kwargs.items())))
        found = _results.get(key)
        if found is None:
            found = function(*args, **kwargs)
            _store(key, found)
            if _journal is not None:
                _journal.append((key, found))
        return found

    return call


def _store(key: Key, value: str) -> None:
    # Locked: an import's reading and checking threads store at once, and evicting reads
    # the dict's order, which another thread's insertion would change under it.
    with _lock:
        if len(_results) >= SIZE:
            del _results[next(iter(_results))]  # the oldest: dicts keep insertion order
        _results[key] = value


def keep_journal() -> None:
    """Start a journal in this process (a pool process's initializer)."""
    global _journal
    _journal = []


def take_journal() -> list[Entry]:
    """What this process worked out since the last call, for another process to learn."""
    if _journal is None:
        return []
    taken = list(_journal)
    _journal.clear()
    return taken


def learn(entries: Iterable[Entry]) -> None:
    """Results another process worked out."""
    for key, value in entries:
        _store(key, value)
