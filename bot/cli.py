"""The `dasbot` command: a thin click face over the core. Requests are read (and refused) before any work; the
heavy modules (the database, the model) load inside the commands that use them, so `--help` answers at once."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from bot.danish_click import Group, Refused
from bot.describe import counted_only, describe_lines, summary
from bot.requests import AgendaQuery, AskOptions, DecisionQuery, RequestError, TariffQuery, TimelineQuery
from indexer.report import FileReport, Status

if TYPE_CHECKING:
    from bot.core import Dasbot
    from indexer.lock import IndexBusy

R = TypeVar("R")

ENVIRONMENT = """\b
Miljøvariabler:
  DASBOT_DATA_DIR             databasen og FAISS-filen (standard: ./data)
  DASBOT_DATABASE_URL         en SQLAlchemy-URL i stedet for SQLite i datamappen
  DASBOT_CACHE_DIR            den konverterede model (standard: ~/.cache/dasbot)
  DASBOT_EMBEDDING_MODEL      en anden sentence-transformers-model (navn eller mappe)
  TELEGRAM_BOT_TOKEN          bottens token (dasbot serve)
  TELEGRAM_API_BASE_URL       en anden Bot API-server (standard: https://api.telegram.org/bot)
  TELEGRAM_API_BASE_FILE_URL  dens adresse til filer (standard: https://api.telegram.org/file/bot)
  DASBOT_MEMBERS              Telegram-id'er på medlemmer og grupper, adskilt af komma
  DASBOT_SECRETARIAT          Telegram-id'er på sekretariatet, adskilt af komma
  DASBOT_WEBHOOK_URL          webhook i stedet for long polling (dasbot serve)
  DASBOT_WEBHOOK_LISTEN       webhookens IP-adresse (standard: 127.0.0.1)
  DASBOT_WEBHOOK_SECRET       hemmeligheden, Telegram sender med (standard: tilfældig ved hver start)
  DASBOT_GROUP_MEMBERS_ONLY   1: svar i grupper kun medlemmer selv
  DASBOT_QUESTIONS_PER_MINUTE spørgsmål pr. bruger i minuttet (standard: 20)
  DASBOT_MAX_PAGES            højst så mange sider pr. fil (standard: 2000)
  DASBOT_MAX_CHARACTERS       højst så mange tegn pr. fil (standard: 5000000)
  DASBOT_MAX_CHUNKS           højst så mange tekststykker pr. fil (standard: 5000)
  DASBOT_EXTRACT_SECONDS      højst så mange sekunder til at læse en PDF's tekst (standard: 60)
  DASBOT_EXTRACT_MEMORY_MB    højst så meget hukommelse til at læse en PDF's tekst (standard: 1024)
  DASBOT_OCR_SECONDS          højst så mange sekunder til OCR af en scannet side (standard: 20)
  DASBOT_OCR_PAGES            højst så mange scannede sider OCR-læst pr. fil (standard: 50)

\b
Fuldførelse i skallen (bash; zsh og fish tilsvarende):
  eval "$(_DASBOT_COMPLETE=bash_source dasbot)"
"""
JSON_HELP = "Kun JSON på stdout; fremdrift og log på stderr."


def _emit(obj: Any) -> None:
    """One JSON document on stdout, one line."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _parsed(parse: Callable[..., R], *values: Any) -> R:
    """A request read from the command line; refused in one Danish line (exit status 2) when it cannot be."""
    try:
        return parse(*values)
    except RequestError as error:
        raise Refused(str(error)) from None


def _existing(path: Path | None) -> Path | None:
    """A file named on the command line, refused when it is not there."""
    if path is not None and not path.is_file():
        raise Refused(f"Filen findes ikke: {path}")
    return path


def _core() -> Dasbot:
    """The core of this run: the one given as the context object (tests), else one made from the environment."""
    root = click.get_current_context().find_root()
    if root.obj is None:
        from bot.core import Dasbot
        from bot.settings import load_settings_or_exit

        root.obj = Dasbot(load_settings_or_exit())
    return root.obj


def _busy(busy: IndexBusy) -> str:
    who = f" (pid {busy.holder})" if busy.holder else ""
    return f"dasbot: indekset skrives af en anden proces{who}; prøv igen, når den er færdig."


def _described(report: FileReport) -> str | None:
    """What indexing did with a file, in Danish: its first line, the details indented under it; None for a file
    already indexed unchanged (the summary counts it)."""
    if (report.status == Status.UNCHANGED and report.reason is None) or counted_only(report):
        return None
    return "\n  ".join(describe_lines(report))


def _ready() -> Dasbot:
    """The core, with the bundled corpus indexed first when the store is empty (bars on a terminal, a summary)."""
    from bot.render.progress import EmbeddingBars

    app = _core()
    with EmbeddingBars() as bars:
        reports = app.ensure_indexed(bars)
    if reports:
        click.echo(summary(reports), err=True)
    return app


class _Dasbot(Group):
    """The `dasbot` group: a reader that goes away (`dasbot meetings | head`) is no error."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            return 0


@click.group(cls=_Dasbot, epilog=ENVIRONMENT, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    package_name="dasbot", prog_name="dasbot", message="%(prog)s %(version)s", help="Vis versionen og afslut."
)
@click.option("-v", "--verbose", is_flag=True, help="Skriv fremdrift og log på stderr.")
def cli(verbose: bool) -> None:
    """Spørg DAS Socials mødereferater og dagsordener: citerede passager, takster og beslutninger."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "httpcore", "sentence_transformers", "transformers", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@cli.command()
@click.argument(
    "paths",
    nargs=-1,
    type=click.Path(path_type=Path),
    metavar="[STI]...",
    help="Filer eller mapper (PDF, .docx, .html, .htm, .txt, .md); standard: den medfølgende corpus/.",
)
@click.option("--json", "as_json", is_flag=True, help="Én JSON-rapport pr. fil på stdout; resuméet på stderr.")
@click.option("--force", is_flag=True, help="Læs også uændrede filer igen (fx efter en opgradering).")
def index(paths: tuple[Path, ...], as_json: bool, force: bool) -> None:
    """Indekser filer eller mapper.

    Uændrede filer (samme sha256) springes over; en ændret fil erstatter sine gamle tekststykker.
    """
    from bot.render.progress import EmbeddingBars
    from indexer.lock import IndexBusy

    app = _core()
    try:
        with EmbeddingBars() as bars:
            reports = app.index(list(paths) or None, None if as_json else bars, force=force)
    except IndexBusy as busy:
        click.echo(_busy(busy), err=True)
        raise click.exceptions.Exit(1) from None
    for report in reports:
        if as_json:
            _emit(report.__dict__)
        elif text := _described(report):
            click.echo(text, err=True)
    click.echo(summary(reports), err=True)
    if any(r.status == Status.FAILED for r in reports):
        raise click.exceptions.Exit(1)


def _questions(words: tuple[str, ...]) -> Iterable[str]:
    """The question on the command line, else one per non-blank stdin line."""
    if words:
        yield " ".join(words)
        return
    for line in sys.stdin:
        if line.strip():
            yield line.strip()


@cli.command()
@click.argument(
    "question",
    nargs=-1,
    metavar="[SPØRGSMÅL]...",
    help="Spørgsmålet; uden SPØRGSMÅL læses ét spørgsmål pr. linje fra stdin.",
)
@click.option("-k", "k", default="5", metavar="N", help="Antal passager (standard: 5).")
@click.option("--from", "date_from", metavar="DATO", help="Kun møder fra og med DATO (fx 21.08.2023 eller 2023-08-21).")
@click.option("--to", "date_to", metavar="DATO", help="Kun møder til og med DATO.")
@click.option("--json", "as_json", is_flag=True, help=f"Ét JSON-objekt pr. spørgsmål, én linje hver. {JSON_HELP}")
def ask(question: tuple[str, ...], k: str, date_from: str | None, date_to: str | None, as_json: bool) -> None:
    """Besvar spørgsmål med citerede passager.

    Hver passage har sit citat: mødedato, punkt, afsnit og side.
    """
    from bot.render.terminal import render_answer

    options = _parsed(AskOptions.parse, k, date_from, date_to)
    app = _ready()
    bold = sys.stdout.isatty()
    for text in _questions(question):
        try:
            answer = app.answerer.ask(text, k=options.k, date_from=options.date_from, date_to=options.date_to)
        except RequestError as error:
            if not question:  # stdin: the next line is another question
                _refused_question(text, error, as_json)
                continue
            raise Refused(str(error)) from None
        if as_json:
            _emit(answer.to_json())
        else:
            click.echo(render_answer(answer, bold=bold))
            click.echo()


def _refused_question(text: str, error: RequestError, as_json: bool) -> None:
    """A question of stdin that cannot be searched: its Danish line as JSON (`error`) or on stderr."""
    if as_json:
        _emit({"question": text, "error": str(error)})
    else:
        click.echo(f"{text[:80]}: {error}", err=True)


@cli.command()
@click.argument("day", required=False, metavar="[DATO]", help="Kun mødet den dag (fx 21.08.2023 eller 2023-08-21).")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def meetings(day: str | None, as_json: bool) -> None:
    """Vis møderne.

    Hvert møde med dato, dagsordenspunkter og bilag.
    """
    from bot.lookups.meetings import meetings as all_meetings
    from bot.lookups.meetings import meetings_on

    query = _parsed(AgendaQuery.parse, day) if day is not None else None
    engine = _core().engine
    rows = meetings_on(engine, query.day) if query else all_meetings(engine)
    if as_json:
        _emit([m.to_json() for m in rows])
        return
    for meeting in rows:
        click.echo(f"{meeting.committee} {meeting.date} ({meeting.source})")
        for item in meeting.items:
            click.echo(f"  {item.number:>2}. {item.title}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def history(as_json: bool) -> None:
    """Vis de erstattede udgaver.

    Hvert dokument, en nyere udgave har erstattet: hvornår, hvilken fil, hvilket møde og af hvilken fil.
    """
    from dataclasses import asdict

    from indexer import history as replaced_log

    settings = _core().settings
    entries = replaced_log.read(settings.ann_path.with_name(replaced_log.HISTORY_NAME))
    if as_json:
        _emit([asdict(entry) for entry in entries])
        return
    if not entries:
        click.echo("Ingen udgaver er erstattet.")
    for entry in entries:
        meeting = f"{entry.committee} {entry.date}" if entry.date else "uden mødedato"
        click.echo(f"{entry.at}  {entry.file} ({meeting}) erstattet af {entry.replaced_by}")
    if entries:
        click.echo("Gendan en udgave med: dasbot restore FIL")


@cli.command()
@click.argument("file", metavar="FIL", help="Den erstattede fil: en sti, eller navnet dasbot history viser.")
@click.option("--json", "as_json", is_flag=True, help="Rapporten som JSON på stdout.")
def restore(file: str, as_json: bool) -> None:
    """Gendan en erstattet udgave.

    Udgaven indekseres igen og erstatter den, der afløste den; den kan selv gendannes bagefter.
    """
    from indexer.lock import IndexBusy

    app = _core()
    try:
        report = app.restore(file)
    except IndexBusy as busy:
        click.echo(_busy(busy), err=True)
        raise click.exceptions.Exit(1) from None
    if as_json:
        _emit(report.__dict__)
    else:
        click.echo("\n  ".join(describe_lines(report)), err=True)
    if report.status == Status.FAILED:
        raise click.exceptions.Exit(1)


@cli.command()
@click.option("-k", "k", default="3", metavar="N", help="Antal passager pr. svar (standard: 3).")
def chat(k: str) -> None:
    """Chat i terminalen.

    Uden terminal læses ét spørgsmål pr. linje fra stdin. En kort opfølgning læses med spørgsmålet før.
    """
    from bot.conversation import Conversation
    from bot.render.terminal import render_answer

    options = _parsed(AskOptions.parse, k)
    app = _ready()
    interactive = sys.stdin.isatty()
    conversation = Conversation()
    if interactive:
        click.echo("Spørg om DAS Socials møder. Tom linje eller Ctrl-D afslutter.")
    while True:
        try:
            question = input("> " if interactive else "")
        except EOFError:
            break
        if not question.strip():
            if interactive:
                break
            continue
        if not interactive:
            click.echo(f"> {question}")
        try:
            answer = app.answerer.ask(question, k=options.k, conversation=conversation)
        except RequestError as error:
            click.echo(str(error))
            continue
        click.echo(render_answer(answer, bold=sys.stdout.isatty()))
        click.echo()


def _print_summary(title: str, figures: dict[str, Any]) -> None:
    click.echo(title)
    for key, value in figures.items():
        if key == "missed":
            for line in value:
                click.echo(f"  mangler: {line}", err=True)
        else:
            click.echo(f"  {key:<28} {f'{value:.3f}' if isinstance(value, float) else value}")


def _print_table(overall: dict[str, Any], by_type: dict[str, dict[str, Any]] | None) -> None:
    """The question figures as one table: a row per figure, a column for all questions and one per type."""
    columns = {"alle": overall, **(by_type or {})}
    keys = [k for k in overall if k not in ("questions", "answerable", "unanswerable")]
    click.echo(f"{'':<26}" + "".join(f"{name[:9]:>10}" for name in columns))
    click.echo(f"{'spørgsmål':<26}" + "".join(f"{col['questions']:>10}" for col in columns.values()))
    for key in keys:
        cells = (col.get(key) for col in columns.values())
        click.echo(
            f"{key:<26}" + "".join(f"{'–' if v is None else f'{v:.3f}' if v < 10 else f'{v:.0f}':>10}" for v in cells)
        )


@cli.command("eval")
@click.argument(
    "file",
    required=False,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="[FIL]",
    help="Spørgsmål i formatet fra shared/eval/dev_qa.jsonl.",
)
@click.option("--by-type", is_flag=True, help="Tallene for hver spørgsmålstype også.")
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "bm25", "dense"]),
    default="hybrid",
    help="Søgningen, der måles (standard: hybrid); bm25 og dense alene afstår aldrig.",
)
@click.option(
    "--tariffs",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FIL",
    help="Facitliste over takster (formatet fra shared/eval/tariffs_dev.jsonl).",
)
@click.option(
    "--decisions",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FIL",
    help="Facitliste over indstillinger og beslutninger (formatet fra shared/eval/decisions_dev.jsonl).",
)
@click.option("--json", "as_json", is_flag=True, help=f"Alle tal som ét JSON-objekt. {JSON_HELP}")
def evaluate(
    file: Path | None, by_type: bool, mode: str, tariffs: Path | None, decisions: Path | None, as_json: bool
) -> None:
    """Mål svarene og tabellerne.

    Spørgsmål: hit@1, hit@5, MRR@10, tegn at læse, afståelser og Svar. Takster og beslutninger: præcision
    og genkaldelse mod facit.
    """
    from bot.evaluate import answer_all, load_questions, rows, score, score_by_type, score_decisions, score_tariffs
    from bot.lookups.decisions import all_decisions
    from bot.lookups.tariffs import all_tariffs

    file, tariffs, decisions = _existing(file), _existing(tariffs), _existing(decisions)
    app = _ready()
    results: dict[str, Any] = {}
    if file:
        questions = load_questions(file)
        answers = answer_all(app.answerer, questions, mode)
        overall, per_question = score(questions, answers), rows(questions, answers)
        types = score_by_type(questions, answers) if by_type else None
        results["questions"] = {"summary": overall, "rows": per_question, **({"by_type": types} if types else {})}
        if not as_json:
            for row in per_question:
                rank = "-" if row["rank"] is None else row["rank"]
                direct = {None: "", True: "svar rigtigt", False: "svar forkert"}[row["direct"]]
                click.echo(
                    f"{row['id']:<10} {row['type']:<9} rank={rank!s:<3} løs={row['lenient_rank'] or '-'!s:<3} "
                    f"{'afstår ' if row['abstained'] else ''}{direct}",
                    err=True,
                )
            _print_table(overall, types)
    if tariffs:
        results["tariffs"] = score_tariffs(tariffs, all_tariffs(app.engine))
        if not as_json:
            _print_summary("Takster", results["tariffs"])
    if decisions:
        results["decisions"] = score_decisions(decisions, all_decisions(app.engine))
        if not as_json:
            _print_summary("Indstillinger", results["decisions"])
    if as_json:
        _emit(results)


@cli.command()
@click.argument(
    "words",
    nargs=-1,
    metavar="[SØGEORD]...",
    help="Tilbud, ydelse, lovgrundlag eller enhed; et år blandt ordene (fx Kvisten 2021) vælger året.",
)
@click.option("--year", metavar="ÅR", help="Kun takster for ÅR.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def tariffs(words: tuple[str, ...], year: str | None, as_json: bool) -> None:
    """Slå takster op efter søgeord og år.

    Uden SØGEORD vises alle takster, nyeste år først.
    """
    from bot.lookups.tariffs import find_tariffs
    from bot.render.terminal import render_tariff

    query = _parsed(TariffQuery.parse, " ".join(words), year)
    rows = find_tariffs(_ready().engine, query.words, query.year)
    if as_json:
        _emit([r.to_json() for r in rows])
    else:
        click.echo("\n".join(render_tariff(r) for r in rows) if rows else "Ingen takster matcher.")


@cli.command()
@click.argument(
    "words",
    nargs=-1,
    metavar="[SØGEORD]...",
    help="Ord i punktets titel eller tekst; en dato blandt ordene (fx Kvisten 20.01.2023) vælger mødet.",
)
@click.option("--from", "date_from", metavar="DATO", help="Kun møder fra og med DATO (fx 21.08.2023 eller 2023-08-21).")
@click.option("--to", "date_to", metavar="DATO", help="Kun møder til og med DATO.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def decisions(words: tuple[str, ...], date_from: str | None, date_to: str | None, as_json: bool) -> None:
    """Slå indstillinger og beslutninger op.

    Efter søgeord og mødedato, nyeste møde først.
    """
    from bot.lookups.decisions import find_decisions
    from bot.render.terminal import render_decision

    query = _parsed(DecisionQuery.parse, " ".join(words), date_from, date_to)
    rows = find_decisions(_ready().engine, query.words, query.date_from, query.date_to)
    if as_json:
        _emit([r.to_json() for r in rows])
    else:
        click.echo(
            "\n\n".join(render_decision(r) for r in rows) if rows else "Ingen indstillinger eller beslutninger matcher."
        )


@cli.command()
@click.argument("topic", nargs=-1, required=True, metavar="EMNE...", help="Emnet, fx Socialtilsyn.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def timeline(topic: tuple[str, ...], as_json: bool) -> None:
    """Følg et emne gennem møderne.

    Alle dagsordenspunkter om emnet, ældste først, med det indstillede og besluttede.
    """
    from bot.lookups.timeline import timeline as topic_timeline
    from bot.render.terminal import render_decision

    query = _parsed(TimelineQuery.parse, " ".join(topic))
    entries = topic_timeline(_ready().engine, query.topic)
    if as_json:
        _emit([e.to_json() for e in entries])
        return
    if not entries:
        click.echo("Ingen dagsordenspunkter om det emne.")
    for entry in entries:
        when = f"{entry.meeting_date:%d.%m.%Y}" if entry.meeting_date else entry.source
        click.echo(f"{when}  punkt {entry.item}: {entry.item_title}")
        for decision in entry.decisions:
            click.echo("\n".join(render_decision(decision).splitlines()[1:]))


@cli.command()
def serve() -> None:
    """Kør Telegram-botten.

    Long polling, eller webhook når DASBOT_WEBHOOK_URL er sat.
    """
    from bot.telegram.app import serve as serve_bot

    app = _core()
    if not app.settings.telegram_token:
        click.echo("dasbot: TELEGRAM_BOT_TOKEN er ikke sat; botten kan ikke starte.", err=True)
        raise click.exceptions.Exit(2)
    _ready()
    raise click.exceptions.Exit(serve_bot(app))


@cli.command()
@click.option(
    "--repair", is_flag=True, help="Genopbyg først FAISS-filen fra databasen (og konverter en manglende model)."
)
def doctor(repair: bool) -> None:
    """Tjek datamappen.

    Database, FAISS-fil, model og skrivelås; exit-status 1, når noget er galt.
    """
    from bot.doctor import diagnose, render
    from bot.doctor import repair as mend
    from indexer.lock import IndexBusy

    app = _core()
    if repair:
        try:
            for line in mend(app):
                click.echo(line)
        except IndexBusy as busy:
            click.echo(_busy(busy), err=True)
            raise click.exceptions.Exit(1) from None
    checks = diagnose(app)
    click.echo(render(app.settings, checks))
    if not all(check.ok for check in checks):
        raise click.exceptions.Exit(1)


def main(argv: list[str] | None = None) -> int:
    """Run `dasbot` on `argv` (default: the command line); the exit status."""
    try:
        code = cli.main(argv, prog_name="dasbot", standalone_mode=False)  # a command's `Exit` comes back as its code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.Abort:  # Ctrl-C
        return 130
    return code if isinstance(code, int) else 0


def run() -> None:
    """The console script: `main`, then exit at once. The interpreter's normal teardown of torch and
    transformers takes ~1.6 s after the answer is printed; every write is committed by then."""
    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a reader that went away (`| head`)
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
