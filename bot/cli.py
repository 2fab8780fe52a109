"""The `dasbot` command: a thin face over the core (index, ask, meetings, chat, eval)."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from bot.conversation import Conversation
from bot.core import Dasbot
from bot.doctor import diagnose, render, repair
from bot.evaluate import answer_all, load_questions, rows, score, score_by_type, score_decisions, score_tariffs
from bot.lookups.decisions import all_decisions, find_decisions
from bot.lookups.tariffs import all_tariffs, find_tariffs
from bot.lookups.timeline import timeline
from bot.render.terminal import render_answer, render_decision, render_tariff
from bot.settings import Settings
from bot.lookups.meetings import meetings
from indexer.dates import parse_danish_date
from indexer.lock import IndexBusy
from indexer.pipeline import FileReport

log = logging.getLogger("dasbot")


def _emit(obj: Any) -> None:
    """One JSON document on stdout, one line."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _progress_bar() -> Callable[[str, int, int], None]:
    """A progress bar on stderr for embedding."""

    def show(name: str, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r{name[:28]:<28} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def _summary(reports: list[FileReport]) -> str:
    counts = {status: sum(1 for r in reports if r.status == status) for status in ("indexed", "replaced", "unchanged", "failed")}
    chunks = sum(r.chunks for r in reports)
    empty = sum(len(r.empty_pages) for r in reports)
    return (
        f"{len(reports)} filer: {counts['indexed']} indekseret, {counts['replaced']} erstattet, "
        f"{counts['unchanged']} uændret, {counts['failed']} fejlet; {chunks} nye tekststykker"
        + (f"; {empty} sider uden tekst (kræver OCR)" if empty else "")
    )


def _busy(busy: IndexBusy) -> str:
    who = f" (pid {busy.holder})" if busy.holder else ""
    return f"dasbot: indekset skrives af en anden proces{who}; prøv igen, når den er færdig."


def _report_line(report: FileReport) -> str | None:
    """One Danish line about a file that was indexed, replaced something or was left out; None otherwise."""
    if report.duplicate_of:
        dropped = f"; den tidligere udgave af {report.path} er fjernet" if report.status == "replaced" else ""
        return f"{report.path}: samme indhold er allerede indekseret som {report.duplicate_of}{dropped}"
    if report.newer_version:
        return f"{report.path}: springes over; {report.newer_version} er en nyere udgave af samme mødes dokument"
    if report.status == "unchanged":
        return None
    when = report.meeting_date or "ingen mødedato"
    line = (f"{report.path}: {report.kind}, {when}, {report.items} punkter, "
            f"{report.appendices} bilag, {report.chunks} tekststykker")
    if report.replaces:
        line += f"; erstatter {', '.join(report.replaces)}"
    if report.empty_pages:
        line += f"; sider uden tekst (kræver OCR): {', '.join(map(str, report.empty_pages))}"
    return line


def cmd_index(app: Dasbot, args: argparse.Namespace) -> int:
    try:
        paths = [Path(p) for p in args.paths] or None
        reports = app.index(paths, None if args.json else _progress_bar(), force=args.force)
    except IndexBusy as busy:
        print(_busy(busy), file=sys.stderr)
        return 1
    for report in reports:
        if args.json:
            _emit(report.__dict__)
        elif report.status == "failed":
            reason = (report.error or "").removeprefix(f"{report.path}: ")
            print(f"fejl: {report.path}: {reason}", file=sys.stderr)
        elif line := _report_line(report):
            print(line, file=sys.stderr)
    print(_summary(reports), file=sys.stderr)
    return 1 if any(r.status == "failed" for r in reports) else 0


def cmd_doctor(app: Dasbot, args: argparse.Namespace) -> int:
    if args.repair:
        try:
            for line in repair(app):
                print(line)
        except IndexBusy as busy:
            print(_busy(busy), file=sys.stderr)
            return 1
    checks = diagnose(app)
    print(render(app.settings, checks))
    return 0 if all(check.ok for check in checks) else 1


def _questions(args: argparse.Namespace) -> Iterable[str]:
    if args.question:
        yield " ".join(args.question)
        return
    for line in sys.stdin:
        if line.strip():
            yield line.strip()


def cmd_ask(app: Dasbot, args: argparse.Namespace) -> int:
    app.ensure_indexed(_progress_bar())
    date_from, date_to = _date(args.date_from), _date(args.date_to)
    bold = sys.stdout.isatty()
    for question in _questions(args):
        answer = app.answerer.ask(question, k=args.k, date_from=date_from, date_to=date_to)
        if args.json:
            _emit(answer.to_json())
        else:
            print(render_answer(answer, bold=bold))
            print()
    return 0


def cmd_chat(app: Dasbot, args: argparse.Namespace) -> int:
    app.ensure_indexed(_progress_bar())
    interactive = sys.stdin.isatty()
    conversation = Conversation()
    if interactive:
        print("Spørg om DAS Socials møder. Tom linje eller Ctrl-D afslutter.")
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
            print(f"> {question}")
        print(render_answer(app.answerer.ask(question, k=args.k, conversation=conversation), bold=sys.stdout.isatty()))
        print()
    return 0


def cmd_meetings(app: Dasbot, args: argparse.Namespace) -> int:
    rows = meetings(app.engine)
    if args.json:
        _emit(rows)
        return 0
    for meeting in rows:
        print(f"{meeting['committee']} {meeting['date']} ({meeting['source']})")
        for item in meeting["items"]:
            print(f"  {item['number']:>2}. {item['title']}")
    return 0


def _print_summary(title: str, summary: dict[str, Any]) -> None:
    print(title)
    for key, value in summary.items():
        if key == "missed":
            for line in value:
                print(f"  mangler: {line}", file=sys.stderr)
        else:
            print(f"  {key:<28} {f'{value:.3f}' if isinstance(value, float) else value}")


def _print_table(overall: dict[str, Any], by_type: dict[str, dict[str, Any]] | None) -> None:
    """The question figures as one table: a row per figure, a column for all questions and one per type."""
    columns = {"alle": overall, **(by_type or {})}
    keys = [k for k in overall if k not in ("questions", "answerable", "unanswerable")]
    print(f"{'':<26}" + "".join(f"{name[:9]:>10}" for name in columns))
    print(f"{'spørgsmål':<26}" + "".join(f"{col['questions']:>10}" for col in columns.values()))
    for key in keys:
        cells = (col.get(key) for col in columns.values())
        print(f"{key:<26}" + "".join(f"{'–' if v is None else f'{v:.3f}' if v < 10 else f'{v:.0f}':>10}" for v in cells))


def cmd_eval(app: Dasbot, args: argparse.Namespace) -> int:
    app.ensure_indexed(_progress_bar())
    results: dict[str, Any] = {}
    if args.file:
        questions = load_questions(Path(args.file))
        answers = answer_all(app.answerer, questions, args.mode)
        summary, per_question = score(questions, answers), rows(questions, answers)
        by_type = score_by_type(questions, answers) if args.by_type else None
        results["questions"] = {"summary": summary, "rows": per_question, **({"by_type": by_type} if by_type else {})}
        if not args.json:
            for row in per_question:
                rank = "-" if row["rank"] is None else row["rank"]
                direct = {None: "", True: "svar rigtigt", False: "svar forkert"}[row["direct"]]
                print(f"{row['id']:<10} {row['type']:<9} rank={rank!s:<3} løs={row['lenient_rank'] or '-'!s:<3} "
                      f"{'afstår ' if row['abstained'] else ''}{direct}", file=sys.stderr)
            _print_table(summary, by_type)
    if args.tariffs:
        results["tariffs"] = score_tariffs(Path(args.tariffs), all_tariffs(app.engine))
        if not args.json:
            _print_summary("Takster", results["tariffs"])
    if args.decisions:
        results["decisions"] = score_decisions(Path(args.decisions), all_decisions(app.engine))
        if not args.json:
            _print_summary("Indstillinger", results["decisions"])
    if args.json:
        _emit(results)
    return 0


def cmd_tariffs(app: Dasbot, args: argparse.Namespace) -> int:
    app.ensure_indexed(_progress_bar())
    rows = find_tariffs(app.engine, " ".join(args.query), args.year)
    if args.json:
        _emit([r.to_json() for r in rows])
    else:
        print("\n".join(render_tariff(r) for r in rows) if rows else "Ingen takster matcher.")
    return 0


def cmd_decisions(app: Dasbot, args: argparse.Namespace) -> int:
    app.ensure_indexed(_progress_bar())
    rows = find_decisions(app.engine, " ".join(args.query), _date(args.date_from), _date(args.date_to))
    if args.json:
        _emit([r.to_json() for r in rows])
    else:
        print("\n\n".join(render_decision(r) for r in rows) if rows else "Ingen indstillinger eller beslutninger matcher.")
    return 0


def cmd_timeline(app: Dasbot, args: argparse.Namespace) -> int:
    app.ensure_indexed(_progress_bar())
    entries = timeline(app.engine, " ".join(args.topic))
    if args.json:
        _emit([e.to_json() for e in entries])
        return 0
    if not entries:
        print("Ingen dagsordenspunkter om det emne.")
    for entry in entries:
        when = f"{entry.meeting_date:%d.%m.%Y}" if entry.meeting_date else entry.source
        print(f"{when}  punkt {entry.item}: {entry.item_title}")
        for decision in entry.decisions:
            print("\n".join(render_decision(decision).splitlines()[1:]))
    return 0


def cmd_serve(app: Dasbot, args: argparse.Namespace) -> int:
    if not app.settings.telegram_token:
        print("dasbot: TELEGRAM_BOT_TOKEN er ikke sat; botten kan ikke starte.", file=sys.stderr)
        return 2
    from bot.telegram.app import serve

    app.ensure_indexed(_progress_bar())
    return serve(app)


def _date(text: str | None) -> date | None:
    """A date option in any Danish form; exits with a clear line when it is not a date."""
    if not text:
        return None
    parsed = parse_danish_date(text)
    if parsed is None:
        raise SystemExit(f"dasbot: ikke en dato: {text!r} (brug fx 2023-08-21 eller 21.08.2023)")
    return parsed


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dasbot", description="Spørg DAS Socials mødereferater og dagsordener.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    index = sub.add_parser("index", help="index files or folders (default: the bundled corpus)")
    index.add_argument("paths", nargs="*")
    index.add_argument("--json", action="store_true")
    index.add_argument("--force", action="store_true", help="re-read unchanged files too (after an upgrade)")
    index.set_defaults(func=cmd_index)

    ask = sub.add_parser("ask", help="answer a question (or one per stdin line) with cited passages")
    ask.add_argument("question", nargs="*")
    ask.add_argument("-k", type=int, default=5)
    ask.add_argument("--from", dest="date_from")
    ask.add_argument("--to", dest="date_to")
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(func=cmd_ask)

    meetings_parser = sub.add_parser("meetings", help="list meetings and their agenda items")
    meetings_parser.add_argument("--json", action="store_true")
    meetings_parser.set_defaults(func=cmd_meetings)

    chat = sub.add_parser("chat", help="terminal chat (reads questions from stdin when piped)")
    chat.add_argument("-k", type=int, default=3)
    chat.set_defaults(func=cmd_chat)

    evaluation = sub.add_parser("eval", help="score questions (hit@1, hit@5, MRR@10, abstention), tariffs, decisions")
    evaluation.add_argument("file", nargs="?")
    evaluation.add_argument("--tariffs", help="gold tariffs (format of shared/eval/tariffs_dev.jsonl)")
    evaluation.add_argument("--decisions", help="gold decisions (format of shared/eval/decisions_dev.jsonl)")
    evaluation.add_argument("--mode", choices=["hybrid", "bm25", "dense"], default="hybrid",
                            help="retrieval to measure (bm25/dense alone never abstain)")
    evaluation.add_argument("--by-type", action="store_true", help="the figures per question type too")
    evaluation.add_argument("--json", action="store_true")
    evaluation.set_defaults(func=cmd_eval)

    tariffs = sub.add_parser("tariffs", help="look up tariffs (takster) by keyword and year")
    tariffs.add_argument("query", nargs="*")
    tariffs.add_argument("--year", type=int)
    tariffs.add_argument("--json", action="store_true")
    tariffs.set_defaults(func=cmd_tariffs)

    decisions = sub.add_parser("decisions", help="look up recommendations and decisions by keyword and date")
    decisions.add_argument("query", nargs="*")
    decisions.add_argument("--from", dest="date_from")
    decisions.add_argument("--to", dest="date_to")
    decisions.add_argument("--json", action="store_true")
    decisions.set_defaults(func=cmd_decisions)

    topic = sub.add_parser("timeline", help="every agenda item on a topic, oldest first, with its decisions")
    topic.add_argument("topic", nargs="+")
    topic.add_argument("--json", action="store_true")
    topic.set_defaults(func=cmd_timeline)
    doctor = sub.add_parser("doctor", help="check the data dir (database, FAISS file, model); exit 1 when unhealthy")
    doctor.add_argument("--repair", action="store_true", help="rebuild the FAISS file from the database first")
    doctor.set_defaults(func=cmd_doctor)

    serve = sub.add_parser("serve", help="run the Telegram bot (long polling, or webhook with DASBOT_WEBHOOK_URL)")
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `dasbot` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "sentence_transformers", "transformers", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return args.func(Dasbot(Settings.from_env()), args)
    except KeyboardInterrupt:
        return 130


def run() -> None:
    """The console script: `main`, then exit at once. The interpreter's normal teardown of torch and
    transformers takes ~1.6 s after the answer is printed; every write is committed by then."""
    try:
        code = main()
    except BrokenPipeError:  # the reader went away (`dasbot meetings | head`)
        code = 0
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a reader that went away (`| head`)
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
