"""`python -m bot`: the `dasbot` command."""

from bot.cli import run

run()
