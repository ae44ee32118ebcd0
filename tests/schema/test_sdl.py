"""The committed SDL is the exported schema: a change to the API shows up in review."""

from __future__ import annotations

from pathlib import Path

from clientbase.resolvers.root import build_schema

SDL_FILE = Path(__file__).resolve().parents[2] / "clientbase" / "schema" / "schema.graphql"


def test_committed_sdl_matches_the_schema() -> None:
    assert SDL_FILE.read_text() == build_schema().as_str() + "\n", (
        "schema changed: run `make schema` and commit clientbase/schema/schema.graphql"
    )
