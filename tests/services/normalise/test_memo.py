"""The normalisers' memory: a result worked out once, and learnt from another process."""

from __future__ import annotations

import pytest

from clientbase.services.normalise import memo


def test_a_result_is_worked_out_once_and_learnt_by_another_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(memo, "_journal", None)
    calls: list[str] = []

    def shout(text: str, mark: str = "!") -> str:
        calls.append(text)
        return text.upper() + mark

    remembered = memo.remembered(shout)
    assert remembered("hello") == remembered("hello") == "HELLO!"
    assert remembered("hello", mark="?") == "HELLO?"
    assert calls == ["hello", "hello"]  # once per distinct arguments

    # A pool process keeps a journal of what it works out ...
    memo.keep_journal()
    assert remembered("olá") == "OLÁ!"
    journal = memo.take_journal()
    assert [value for _, value in journal] == ["OLÁ!"] and memo.take_journal() == []
    # ... which another process learns: it then answers without working it out.
    monkeypatch.setattr(memo, "_results", {})
    memo.learn(journal)
    assert remembered("olá") == "OLÁ!"
    assert calls == ["hello", "hello", "olá"]


def test_the_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memo, "_results", {})
    monkeypatch.setattr(memo, "SIZE", 3)
    double = memo.remembered(lambda text: text * 2)
    for text in "abcde":
        double(text)
    assert len(memo._results) == 3
    assert [key[1] for key in memo._results] == [("c",), ("d",), ("e",)]  # the oldest went
