"""Click in Danish: help headings and the help option's text, and usage errors as one Danish line (status 2)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import click

HELP = "Vis denne hjælp og afslut."
_HEADINGS = {"Options": "Tilvalg", "Positional arguments": "Argumenter", "Commands": "Kommandoer"}


class HelpFormatter(click.HelpFormatter):
    """Click's help layout with Danish headings."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        """The usage line, headed "Brug:"."""
        super().write_usage(prog, args, "Brug: " if prefix is None else prefix)

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        """A section under its Danish heading."""
        with super().section(_HEADINGS.get(name, name)):
            yield


class Context(click.Context):
    """A context whose help is Danish."""

    formatter_class = HelpFormatter


class Refused(click.UsageError):
    """A command line refused before any work is done: one Danish line on stderr, exit status 2."""

    def show(self, file: IO[Any] | None = None) -> None:
        """`dasbot: <the reason>`."""
        click.echo(f"dasbot: {self.message}", err=True)


def _either(values: list[str]) -> str:
    """`a`, `a eller b`, `a, b eller c`."""
    return " eller ".join([", ".join(values[:-1]), values[-1]]) if len(values) > 1 else "".join(values)


def _reason(error: click.UsageError) -> str:
    """What is wrong with the command line, in Danish."""
    if isinstance(error, click.NoSuchOption | click.NoSuchCommand):
        kind, name = (
            ("tilvalg", error.option_name)
            if isinstance(error, click.NoSuchOption)
            else ("kommando", error.command_name)
        )
        guess = f" (mente du {_either(error.possibilities)}?)" if error.possibilities else ""
        return f"ukendt {kind} {name}{guess}"
    if isinstance(error, click.BadOptionUsage):
        return f"forkert brug af {error.option_name}"
    if isinstance(error, click.BadParameter) and error.param is not None:
        name = error.param.get_error_hint(error.ctx)
        if isinstance(error, click.MissingParameter):
            return f"mangler {name}"
        choices = [str(choice) for choice in getattr(error.param.type, "choices", ())]
        return f"ugyldig værdi for {name}" + (f" (vælg {_either(choices)})" if choices else "")
    return "ugyldig kommandolinje"


@contextmanager
def _in_danish(ctx: click.Context) -> Iterator[None]:
    """Usage errors raised inside, as one Danish line that points to the command's help."""
    try:
        yield
    except click.exceptions.NoArgsIsHelpError:
        raise
    except click.UsageError as error:
        raise Refused(f"{_reason(error)}; se {ctx.command_path} --help", ctx) from None


class _Danish(click.Command):
    """Danish help and usage errors for a command or group."""

    context_class = Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[TILVALG]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """The help option, explained in Danish."""
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP
        return option

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """The arguments parsed; a usage error in Danish."""
        with _in_danish(ctx):
            return super().parse_args(ctx, args)


class Command(_Danish):
    """A command with Danish help and usage errors."""


class Group(_Danish, click.Group):
    """A group with Danish help and usage errors; its commands are the same."""

    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "KOMMANDO [ARGUMENTER]...")
        super().__init__(*args, **kwargs)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """The command named first in `args`; an unknown one in Danish."""
        with _in_danish(ctx):
            return super().resolve_command(ctx, args)
