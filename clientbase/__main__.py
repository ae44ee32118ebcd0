"""`python -m clientbase` runs the command line."""

from clientbase.cli import app

app()
