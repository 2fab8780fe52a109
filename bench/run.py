"""Performance benchmark (`make bench`): indexing, cold start, warm question latency, memory, scale and OCR.

    python bench/run.py [--quick] [--sizes 10000,100000,1000000] [--out bench/results.json]
    python bench/run.py --ocr-only    # the OCR figure alone (about half a minute)

Every measurement that has a process of its own runs in a subprocess of this script, so its wall time includes
interpreter start-up and its peak RSS is its own (os.wait4). The bundled corpus is indexed into a temporary
data dir that the later steps use. Scale runs use synthetic corpora: vectors drawn around the real chunk
vectors (mixtures of two plus noise, matching the real corpus's mean pairwise cosine of ~0.88; uniform random
unit vectors, with `--uniform`, are the worst case for any approximate index) and Danish-like text sampled
Zipf-like from the bundled corpus's words and compounds of them. `--quick` indexes the same corpus but runs
the scale part at 10k and 100k chunks only, with the approximate index forced from 50k on so it is exercised.
OCR reads scanned A4 pages of real record text (drawn with DejaVu Serif, as the tests draw them) through the
product's read path, and counts the source's words found again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = ROOT.parent / "shared" / "eval" / "dev_qa.jsonl"
FALLBACK_QUESTIONS = [
    "hvad blev indstillet om Kvisten?",
    "hvad koster en plads på Aalborgskolen?",
    "hvornår blev kriterierne for det forstærkede samarbejde godkendt?",
    "hvad var på dagsordenen den 20. januar 2023?",
    "hvilke redskaber kan man bruge, hvis et tilbud kommer i økonomiske problemer?",
]
WARMUP_QUESTION = "hvad handler mødet om?"
COLD_QUESTIONS = ["hvad blev indstillet om Kvisten?", "hvem deltog i mødet?", "hvad er takststigningen i 2024?"]
NEW_AGENDA_SOURCE = "003_"
NEW_AGENDA_DATE = ("Mødet den 20.01.2023", "Mødet den 17.01.2025")
NEW_AGENDA_QUESTION = "kommissorium for Nødspor Kvisten"
CANDIDATES = 100
SCALE_QUERIES = 200
SYNTHETIC_VOCAB = 200_000
SYNTHETIC_NOISE = 0.5
"""Noise of synthetic vectors relative to the real residuals: at the corpus's size this reproduces its mean
pairwise cosine (0.888 vs 0.878) and nearest-neighbour cosine (0.95 vs 0.96)."""
GOALS = {  # name: (limit, unit)
    "warm_p95_ms": (60.0, "ms"),
    "cold_start_s": (10.0, "s"),
    "index_corpus_s": (90.0, "s"),
    "reindex_unchanged_s": (3.0, "s"),
    "new_agenda_s": (20.0, "s"),
    "scale_1m_query_p95_ms": (150.0, "ms"),
    "scale_1m_peak_rss_gb": (6.0, "GB"),
    "scale_1m_recall_at_10": (0.95, ""),
    "ocr_word_share": (0.95, ""),
    "ocr_s_per_page": (5.0, "s"),
}
HIGHER_IS_BETTER = frozenset({"scale_1m_recall_at_10", "ocr_word_share"})
OCR_SOURCES = ("000", "001", "002")
"""The bundled records whose running text fills one scanned A4 page each (45 lines of 10 pt)."""
OCR_LINES = 45


# --------------------------------------------------------------------------------------------- helpers


def percentiles(values: list[float], scale: float = 1000.0) -> dict[str, float]:
    """p50, p95, p99 and mean of `values` (seconds), in ms by default."""
    if not values:
        return {}
    p50, p95, p99 = np.percentile(values, [50, 95, 99]) * scale
    return {"p50": round(p50, 2), "p95": round(p95, 2), "p99": round(p99, 2), "mean": round(np.mean(values) * scale, 2)}


def memory() -> dict[str, float]:
    """This process's peak and current resident set size in MB (/proc/self/status)."""
    found = dict(re.findall(r"^(VmHWM|VmRSS):\s+(\d+) kB", Path("/proc/self/status").read_text(), re.MULTILINE))
    return {"peak_rss_mb": round(int(found["VmHWM"]) / 1024, 1), "rss_mb": round(int(found["VmRSS"]) / 1024, 1)}


def run(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a command; its wall time, CPU time, own peak RSS (MB) and stdout. Fails loudly on an error."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, env={**os.environ, **(env or {})}, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])}… failed ({proc.returncode}):\n{stderr[-2000:]}")
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "stdout": stdout,
    }


def timed(spent: dict[str, float], key: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn`, adding the seconds each call takes to `spent[key]`."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[key] += time.perf_counter() - began

    return wrapper


def worker(name: str, *args: str) -> dict[str, Any]:
    """Run one of this script's workers in a subprocess; its JSON result plus wall time and peak RSS."""
    result = run([sys.executable, str(Path(__file__).resolve()), "--worker", name, *args])
    out = json.loads(result.pop("stdout").strip().splitlines()[-1])
    return {**out, "process": result}


def questions(path: Path) -> list[str]:
    """The dev questions (the shared eval file), or a few built-in ones when it is absent."""
    if not path.exists():
        return FALLBACK_QUESTIONS
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def machine() -> dict[str, Any]:
    """CPU model, cores, RAM, bf16 support and the load when the run started."""
    from indexer.embedding.embedder import bf16_supported

    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    model = re.search(r"^Model name:\s+(.+)$", lscpu, re.MULTILINE)
    mem = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    return {
        "cpu": model.group(1).strip() if model else platform.processor(),
        "cores": os.cpu_count(),
        "ram_gb": round(int(mem.group(1)) / 1024**2, 1) if mem else None,
        "bf16": bf16_supported(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# --------------------------------------------------------------------------------------------- workers


def work_index(data: str, *paths: str) -> dict[str, Any]:
    """Index `paths` (none: the bundled corpus) into `data`, timing the model load, embedding and FAISS builds."""
    start = time.perf_counter()
    from bot.core import Dasbot
    from bot.settings import Settings
    from indexer import ann
    from indexer.embedding import Embedder

    spent: dict[str, float] = {"model_load": 0.0, "embedding": 0.0, "faiss": 0.0}
    Embedder.load = timed(spent, "model_load", Embedder.load)  # type: ignore[method-assign]
    Embedder.encode_passages = timed(spent, "embedding", Embedder.encode_passages)  # type: ignore[method-assign]
    ann.build = timed(spent, "faiss", ann.build)
    ann.update = timed(spent, "faiss", ann.update)
    imports = time.perf_counter() - start
    app = Dasbot(Settings.from_env({**os.environ, "DASBOT_DATA_DIR": data}))
    began = time.perf_counter()
    reports = app.index([Path(p) for p in paths] or None)
    total = time.perf_counter() - began
    failed = [r.error for r in reports if r.status == "failed"]
    if failed:
        raise RuntimeError(f"indexing failed: {failed}")
    chunks = sum(r.chunks for r in reports)
    rest = total - sum(spent.values())
    return {
        "files": len(reports),
        "statuses": sorted({r.status for r in reports}),
        "chunks": chunks,
        "in_process_s": round(total, 2),
        "breakdown_s": {
            "imports": round(imports, 2),
            **{k: round(v, 2) for k, v in spent.items()},
            "parse_chunk_store": round(rest, 2),
        },
        "embedding_chunks_per_s": round(chunks / spent["embedding"], 1) if spent["embedding"] else None,
        **memory(),
    }


def work_upload(data: str, path: str) -> dict[str, Any]:
    """One new agenda uploaded to a running bot: model and index already loaded, timed until a question
    finds the new meeting's passages."""
    from bot.core import Dasbot
    from bot.settings import Settings

    app = Dasbot(Settings.from_env({**os.environ, "DASBOT_DATA_DIR": data}))
    app.answerer.ask(WARMUP_QUESTION)  # model, BM25 and FAISS loaded, as in a bot that has answered once
    began = time.perf_counter()
    [report] = app.index([Path(path)])
    indexed = time.perf_counter() - began
    day = dt.date.fromisoformat(report.meeting_date or "1900-01-01")
    hits = app.searcher.search(NEW_AGENDA_QUESTION, k=5, date_from=day, date_to=day)
    searchable = time.perf_counter() - began
    sources = [h.chunk.citation.source for h in hits]
    if report.status != "indexed" or Path(path).name not in sources:
        raise RuntimeError(f"the new agenda is not searchable: {report.status}, {sources}")
    return {
        "chunks": report.chunks,
        "meeting_date": report.meeting_date,
        "indexed_s": round(indexed, 2),
        "searchable_s": round(searchable, 2),
        **memory(),
    }


def work_warm(data: str, questions_file: str, vectors_dir: str) -> dict[str, Any]:
    """Warm question latency in process: the dev questions twice, with a breakdown per question; also saves
    the real chunk and query vectors for the scale runs."""
    began = time.perf_counter()
    from bot.core import Dasbot
    from bot.settings import Settings
    from indexer import ann

    startup = {"imports": time.perf_counter() - began}
    app = Dasbot(Settings.from_env({**os.environ, "DASBOT_DATA_DIR": data}))
    for key, step in (
        ("model_load", lambda: app.embedder),
        ("index_load", app.searcher.snapshot),
        ("first_answer", lambda: app.answerer.ask(WARMUP_QUESTION)),
    ):
        t = time.perf_counter()
        step()
        startup[key] = time.perf_counter() - t
    embedder, searcher = app.embedder, app.searcher
    spent = {"embed": 0.0, "search": 0.0}
    embedder.encode_query = timed(spent, "embed", embedder.encode_query)  # type: ignore[method-assign]
    searcher.found = timed(spent, "search", searcher.found)  # type: ignore[method-assign]
    asked = questions(Path(questions_file))
    passes: list[dict[str, list[float]]] = []
    for _ in range(2):
        parts: dict[str, list[float]] = {"total": [], "embed": [], "retrieval": [], "answer": []}
        for question in asked:
            spent["embed"] = spent["search"] = 0.0
            t = time.perf_counter()
            app.answerer.ask(question)
            total = time.perf_counter() - t
            parts["total"].append(total)
            parts["embed"].append(spent["embed"])
            parts["retrieval"].append(spent["search"] - spent["embed"])
            parts["answer"].append(total - spent["search"])
        passes.append(parts)
    np.save(Path(vectors_dir) / "queries.npy", np.stack([embedder.encode_query(q) for q in asked]))
    np.save(Path(vectors_dir) / "chunks.npy", ann.stored_vectors(app.engine)[1])
    both = passes[0]["total"] + passes[1]["total"]
    return {
        "questions": len(asked),
        "startup_s": {k: round(v, 3) for k, v in startup.items()},
        "all_ms": percentiles(both),
        "first_pass_ms": {k: percentiles(v) for k, v in passes[0].items()},
        "second_pass_ms": {k: percentiles(v) for k, v in passes[1].items()},
        **memory(),
    }


def synthetic_vectors(n: int, base: np.ndarray, rng: np.random.Generator, uniform: bool) -> np.ndarray:
    """`n` unit vectors: mixtures of two `base` residuals around the base mean plus noise (or uniform)."""
    dim = base.shape[1]
    out = np.empty((n, dim), dtype=np.float32)
    mean = base.mean(axis=0)
    residuals = base - mean
    noise = SYNTHETIC_NOISE * float(np.linalg.norm(residuals, axis=1).mean()) / np.sqrt(dim)
    for start in range(0, n, 100_000):
        size = min(100_000, n - start)
        gauss = rng.standard_normal((size, dim), dtype=np.float32)
        if uniform:
            x = gauss
        else:
            a, b = rng.integers(0, len(base), size), rng.integers(0, len(base), size)
            w = rng.random((size, 1), dtype=np.float32)
            x = mean + w * residuals[a] + (1 - w) * residuals[b] + noise * gauss
        out[start : start + size] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def synthetic_texts(n: int, rng: np.random.Generator) -> list[str]:
    """`n` chunk texts of ~70 words drawn Zipf-like from the corpus's words, and compounds of them."""
    from collections import Counter

    counts: Counter[str] = Counter()
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        counts.update(re.findall(r"[a-zæøåéüöäA-ZÆØÅ]+", path.read_text(encoding="utf-8")))
    vocab = [word for word, _ in counts.most_common()]
    pairs = rng.integers(0, len(vocab), size=(max(0, SYNTHETIC_VOCAB - len(vocab)), 2))
    words = np.array(vocab + [vocab[a].lower() + vocab[b].lower() for a, b in pairs], dtype=object)
    p = 1.0 / (np.arange(len(words)) + 2.7) ** 1.1
    lengths = rng.poisson(65, n) + 5
    drawn = words[rng.choice(len(words), size=int(lengths.sum()), p=p / p.sum())]
    ends = np.cumsum(lengths)
    return [" ".join(drawn[end - length : end]) for end, length in zip(ends, lengths)]


def work_scale(n_text: str, vectors_dir: str, questions_file: str, exact_limit: str, uniform: str) -> dict[str, Any]:
    """Build dense and BM25 indexes over `n` synthetic chunks; retrieval latency, recall@10 and memory."""
    import faiss

    from bot.search import dense
    from bot.search.hybrid import fuse
    from bot.search.lexical import LexicalIndex
    from indexer import ann

    n, limit = int(n_text), int(exact_limit)
    rng = np.random.default_rng(n)
    real_queries = np.load(Path(vectors_dir) / "queries.npy")
    base = np.load(Path(vectors_dir) / "chunks.npy")
    vectors = synthetic_vectors(n, base, rng, uniform == "1")
    extra = synthetic_vectors(SCALE_QUERIES - len(real_queries), real_queries, rng, uniform == "1")
    queries = np.vstack([real_queries, extra]).astype(np.float32)
    ids = np.arange(1, n + 1, dtype=np.int64)
    allowed_mask = rng.random(n) < 0.1  # a date filter keeping 10 % of the chunks
    allowed = set(ids[allowed_mask].tolist())
    truth = ids[faiss.knn(queries, vectors, 10, metric=faiss.METRIC_INNER_PRODUCT)[1]]
    truth_filtered = ids[allowed_mask][
        faiss.knn(queries, vectors[allowed_mask], 10, metric=faiss.METRIC_INNER_PRODUCT)[1]
    ]
    exact_scan = []
    for q in queries[:20]:
        t = time.perf_counter()
        faiss.knn(q[None, :], vectors, CANDIDATES, metric=faiss.METRIC_INNER_PRODUCT)
        exact_scan.append(time.perf_counter() - t)
    t = time.perf_counter()
    index = ann.build(ids, vectors, vectors.shape[1], exact_limit=limit)
    dense_build = time.perf_counter() - t
    del vectors
    inner = index if isinstance(index, faiss.IndexIVF) else faiss.downcast_index(index.index)
    texts = synthetic_texts(n, rng)
    t = time.perf_counter()
    lexical = LexicalIndex(ids, texts)
    lexical_build = time.perf_counter() - t
    del texts
    asked = questions(Path(questions_file))
    mask = allowed_mask.astype(np.float32)
    results: dict[str, Any] = {}
    for label, filt, fmask, gold in (
        ("unfiltered", None, None, truth),
        ("filtered_10pct", allowed, mask, truth_filtered),
    ):
        total, dense_t, lexical_t, found = [], [], [], []
        for i, q in enumerate(queries):
            t0 = time.perf_counter()
            lex = lexical.search(asked[i % len(asked)], CANDIDATES, fmask)
            t1 = time.perf_counter()
            hits = dense.search(index, q, CANDIDATES, filt)
            t2 = time.perf_counter()
            fuse(hits, lex)
            total.append(time.perf_counter() - t0)
            lexical_t.append(t1 - t0)
            dense_t.append(t2 - t1)
            found.append([cid for cid, _ in hits[:10]])
        results[label] = {
            "retrieval_ms": percentiles(total),
            "dense_ms": percentiles(dense_t),
            "bm25_ms": percentiles(lexical_t),
            "recall_at_10": round(ann.recall_at(np.array(found), gold), 4),
            "recall_at_10_real_questions": round(
                ann.recall_at(np.array(found[: len(real_queries)]), gold[: len(real_queries)]), 4
            ),
        }
    return {
        "chunks": n,
        "vectors": "uniform" if uniform == "1" else "clustered",
        "index": type(inner).__name__,
        "nlist": getattr(inner, "nlist", None),
        "nprobe": getattr(inner, "nprobe", None),
        "build_s": {"faiss": round(dense_build, 2), "bm25": round(lexical_build, 2)},
        "exact_scan_ms": percentiles(exact_scan),
        **results,
        **memory(),
    }


def work_ocr() -> dict[str, Any]:
    """Scanned A4 pages of Danish record text read as an indexed PDF is (text extraction, then OCR of the pages
    without text, each in its sandboxed process): the share of the source's words found again, seconds a page."""
    from indexer import ocr
    from indexer.extract import extract_file
    from indexer.limits import Limits

    try:
        from tests.support.scans import FONT, corpus_lines, scanned_pdf, word_share, words
    except ImportError as error:  # Pillow, which draws the pages, comes with the test extras
        return {"skipped": str(error)}
    if ocr.engine() is None or not FONT.exists():
        return {"skipped": "Tesseract with Danish data or the DejaVu font is not installed (make ocr-test)"}
    sources = ["\n".join(corpus_lines(OCR_LINES, prefix)) for prefix in OCR_SOURCES]
    data = scanned_pdf([source.splitlines() for source in sources])
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    pages = extract_file("scan.pdf", data, Limits()).pages
    seconds, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {
        "pages": len(pages),
        "ocr_pages": sum(page.ocr for page in pages),
        "words": sum(len(words(source)) for source in sources),
        "word_share": round(word_share("\n".join(sources), "\n".join(page.text for page in pages)), 4),
        "word_share_by_page": [round(word_share(s, p.text), 4) for s, p in zip(sources, pages)],
        "s_per_page": round(seconds / len(pages), 2),
        "cpu_s_per_page": round(cpu / len(pages), 2),
    }


WORKERS: dict[str, Callable[..., dict[str, Any]]] = {
    "index": work_index,
    "upload": work_upload,
    "warm": work_warm,
    "scale": work_scale,
    "ocr": work_ocr,
}


# ------------------------------------------------------------------------------------------ the run


def bench_indexing(data: Path, tmp: Path) -> dict[str, Any]:
    """The bundled corpus from scratch, again unchanged (the real `dasbot index`), and one new agenda (a copy of
    agenda 003 with another meeting date) added to a copy of the store: by a new process, as `dasbot index`
    does, and by a running bot, as an upload in the chat does."""
    corpus = sorted((ROOT / "corpus").glob("*.txt"))
    full = worker("index", str(data))
    full["corpus_bytes"] = sum(p.stat().st_size for p in corpus)
    full["chunks_per_s"] = round(full["chunks"] / full["process"]["seconds"], 1)
    cli = [sys.executable, "-m", "bot.cli", "index", "--json"]
    unchanged = run(cli, {"DASBOT_DATA_DIR": str(data)})
    statuses = {json.loads(line)["status"] for line in unchanged.pop("stdout").splitlines() if line.strip()}
    source = next(p for p in corpus if p.name.startswith(NEW_AGENDA_SOURCE))
    new = tmp / "new" / "005_bench_new_agenda.txt"
    new.parent.mkdir()
    new.write_text(source.read_text(encoding="utf-8").replace(*NEW_AGENDA_DATE), encoding="utf-8")
    cold, warm = tmp / "data-new-agenda-cli", tmp / "data-new-agenda-bot"
    shutil.copytree(data, cold)
    shutil.copytree(data, warm)
    return {
        "corpus": full,
        "unchanged": {**unchanged, "statuses": sorted(statuses)},
        "new_agenda": worker("index", str(cold), str(new)),
        "new_agenda_bot": worker("upload", str(warm), str(new)),
    }


def bench_cold(data: Path, runs: int) -> dict[str, Any]:
    """`dasbot ask --json` in a fresh process: start, model load, index load, one answer."""
    results = []
    for question in COLD_QUESTIONS[:runs]:
        result = run([sys.executable, "-m", "bot.cli", "ask", "--json", question], {"DASBOT_DATA_DIR": str(data)})
        answer = json.loads(result.pop("stdout").strip().splitlines()[-1])
        results.append({**result, "abstained": answer["abstained"], "passages": len(answer["passages"])})
    seconds = [r["seconds"] for r in results]
    return {
        "runs": results,
        "median_s": round(float(np.median(seconds)), 2),
        "max_s": max(seconds),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
    }


def goals(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each goal's measured value, limit and whether it was met (None when not measured)."""
    idx, scale = report["indexing"], {row["chunks"]: row for row in report["scale"] if row["vectors"] == "clustered"}
    million = scale.get(1_000_000)
    values = {
        "warm_p95_ms": report["warm"]["all_ms"]["p95"],
        "cold_start_s": report["cold_start"]["median_s"],
        "index_corpus_s": idx["corpus"]["process"]["seconds"],
        "reindex_unchanged_s": idx["unchanged"]["seconds"],
        "new_agenda_s": idx["new_agenda_bot"]["searchable_s"],
        "scale_1m_query_p95_ms": million["unfiltered"]["retrieval_ms"]["p95"] if million else None,
        "scale_1m_peak_rss_gb": round(million["peak_rss_mb"] / 1024, 2) if million else None,
        "scale_1m_recall_at_10": million["unfiltered"]["recall_at_10"] if million else None,
        "ocr_word_share": report["ocr"].get("word_share"),
        "ocr_s_per_page": report["ocr"].get("s_per_page"),
    }
    out = {}
    for name, value in values.items():
        limit, unit = GOALS[name]
        met = None if value is None else (value >= limit if name in HIGHER_IS_BETTER else value <= limit)
        out[name] = {"value": value, "limit": limit, "unit": unit, "met": met}
    return out


def table(report: dict[str, Any]) -> str:
    """The results as a plain-text table."""
    m, idx, cold, warm = report["machine"], report["indexing"], report["cold_start"], report["warm"]
    corpus, first = idx["corpus"], warm["first_pass_ms"]
    rows = [
        (f"index bundled corpus ({corpus['chunks']} chunks)", f"{corpus['process']['seconds']:.1f} s"),
        (
            "  throughput (embedding alone)",
            f"{corpus['chunks_per_s']:.1f} ({corpus['embedding_chunks_per_s']}) chunks/s",
        ),
        (
            "  seconds: " + " / ".join(corpus["breakdown_s"]),
            " / ".join(f"{v:.1f}" for v in corpus["breakdown_s"].values()),
        ),
        ("  peak RSS", f"{corpus['process']['peak_rss_mb']:.0f} MB"),
        ("re-index, nothing changed", f"{idx['unchanged']['seconds']:.2f} s"),
        (
            f"add one agenda ({idx['new_agenda_bot']['chunks']} chunks) to a running bot",
            f"{idx['new_agenda_bot']['searchable_s']:.1f} s",
        ),
        ("  the same by `dasbot index` in a new process", f"{idx['new_agenda']['process']['seconds']:.1f} s"),
        (
            "  seconds: " + " / ".join(idx["new_agenda"]["breakdown_s"]),
            " / ".join(f"{v:.1f}" for v in idx["new_agenda"]["breakdown_s"].values()),
        ),
        ("cold start to first answer (median)", f"{cold['median_s']:.2f} s"),
        ("  in process: " + " / ".join(warm["startup_s"]), " / ".join(f"{v:.2f}" for v in warm["startup_s"].values())),
        ("  peak RSS (bot process)", f"{cold['peak_rss_mb']:.0f} MB"),
    ]
    for label, stats in (
        (f"warm question x{2 * warm['questions']}", warm["all_ms"]),
        ("  first pass (new query vectors)", first["total"]),
        ("  second pass (cached query vectors)", warm["second_pass_ms"]["total"]),
    ):
        rows.append((label, f"p50 {stats['p50']:.1f} p95 {stats['p95']:.1f} p99 {stats['p99']:.1f} ms"))
    rows += [
        (
            "  first pass mean: embed / retrieve / answer",
            " / ".join(f"{first[k]['mean']:.1f}" for k in ("embed", "retrieval", "answer")) + " ms",
        ),
        ("  peak RSS after both passes", f"{warm['peak_rss_mb']:.0f} MB"),
    ]
    lines = [
        (
            f"machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, bf16 {'yes' if m['bf16'] else 'no'}; "
            f"load average {m['load_average_at_start']} at start, {report['load_average_at_end']} at end"
        ),
        "",
        *(f"{name:<46} {value:>30}" for name, value in rows),
        "",
        (
            f"{'scale':<22} {'index':>15} {'build s':>13} {'p50/p95 ms':>13} {'filtered p95':>12} "
            f"{'recall@10':>9} {'exact scan':>10} {'peak RSS':>9}"
        ),
    ]
    for s in report["scale"]:
        unf, fil = s["unfiltered"], s["filtered_10pct"]
        kind = s["index"].replace("Index", "") + (f" {s['nprobe']}/{s['nlist']}" if s["nlist"] else "")
        lines.append(
            f"{s['chunks']:>9,} {s['vectors']:<12} {kind:>15} {s['build_s']['faiss']:>6.1f}+{s['build_s']['bm25']:<6.1f} "
            f"{unf['retrieval_ms']['p50']:>6.1f}/{unf['retrieval_ms']['p95']:<6.1f} {fil['retrieval_ms']['p95']:>12.1f} "
            f"{unf['recall_at_10']:>9.3f} {s['exact_scan_ms']['p50']:>8.1f}ms {s['peak_rss_mb'] / 1024:>7.2f}GB"
        )
    lines += ["", ocr_line(report["ocr"]), "", "goals:"]
    for name, g in report["goals"].items():
        state = "n/a" if g["met"] is None else ("met" if g["met"] else "MISSED")
        lines.append(f"  {name:<26} {g['value']!s:>8} (limit {g['limit']} {g['unit']}) {state}")
    return "\n".join(lines)


def ocr_line(ocr: dict[str, Any]) -> str:
    """The OCR figure in one line."""
    if "skipped" in ocr:
        return f"OCR: not measured ({ocr['skipped']})"
    return (
        f"OCR of {ocr['pages']} scanned A4 pages ({ocr['words']} words): {ocr['word_share']:.1%} of the words found "
        f"(by page {', '.join(f'{s:.1%}' for s in ocr['word_share_by_page'])}); {ocr['s_per_page']:.2f} s a page "
        f"({ocr['cpu_s_per_page']:.2f} s CPU)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="scale at 10k and 100k only (about 3 minutes)")
    parser.add_argument("--sizes", help="comma-separated synthetic corpus sizes (default 10k,100k,1M)")
    parser.add_argument("--uniform", action="store_true", help="also scale with uniform random vectors")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--ocr-only", action="store_true", help="measure OCR alone and print its line")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args(argv)
    if args.worker:
        print(json.dumps(WORKERS[args.worker](*rest)), flush=True)
        os._exit(0)  # as the `dasbot` command does: skip the interpreter's teardown of torch
    if args.ocr_only:
        print(ocr_line(worker("ocr")))
        return 0
    from indexer.ann import EXACT_LIMIT

    sizes = (
        [int(s) for s in args.sizes.split(",")]
        if args.sizes
        else ([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000])
    )
    exact_limit = 50_000 if args.quick else EXACT_LIMIT
    report: dict[str, Any] = {"machine": machine(), "quick": args.quick, "exact_limit": exact_limit}
    with tempfile.TemporaryDirectory(prefix="dasbot-bench-") as name:
        tmp = Path(name)
        data = tmp / "data"

        def step(label: str, fn: Callable[[], Any]) -> Any:
            print(f"bench: {label}…", file=sys.stderr, flush=True)
            return fn()

        report["indexing"] = step("indexing the bundled corpus", lambda: bench_indexing(data, tmp))
        report["cold_start"] = step("cold start", lambda: bench_cold(data, 2 if args.quick else 3))
        report["warm"] = step("warm questions", lambda: worker("warm", str(data), str(args.questions), str(tmp)))
        report["scale"] = [
            step(
                f"scale {n:,} {kind}",
                lambda n=n, kind=kind: worker(
                    "scale", str(n), str(tmp), str(args.questions), str(exact_limit), "1" if kind == "uniform" else "0"
                ),
            )
            for kind in (["clustered", "uniform"] if args.uniform else ["clustered"])
            for n in sizes
        ]
        report["ocr"] = step("OCR of scanned pages", lambda: worker("ocr"))
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["goals"] = goals(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(report))
    print(f"\nwritten to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
