"""Preprocessing at two corpus sizes: peak memory must not grow; and Dask beside local workers.

    python bench/preprocess_scale.py [--sizes 2000 20000] [--dask-articles 1000] [--workers 2]

Inputs are real Reuters articles written as one JSONL file per size; past the corpus's 19,043
articles, copy k of an article has its date moved k years on (so a new id, the same text to
annotate). Each size runs `python -m dashboard preprocess` in a fresh process with --workers, and
the peak resident memory it reports is printed with its ratio to the smallest size: of the whole
run (main process + workers x the largest worker), of the main process (the commit's corpus-wide
SQL, under DuckDB's cap) and of the largest worker (its model and largest chunk); a ratio near 1.0
is the bound holding. Then the same articles are annotated once by
local worker processes and once by a distributed.LocalCluster with as many single-threaded worker
processes, in this run, and their throughputs compared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.ingest import Article, read_inputs  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "reuters-1987" / "articles"


def write_inputs(path: Path, count: int) -> None:
    """`count` articles as JSONL, streamed: the corpus in order, then again with dates k years on."""
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for k in range(1_000):
            for item in read_inputs([CORPUS]):
                if not isinstance(item, Article):
                    continue
                try:
                    day = item.date.replace(year=item.date.year + k)
                except ValueError:  # 29 February
                    day = item.date.replace(year=item.date.year + k, day=28)
                row = {"date": day.isoformat(), "title": item.title, "text": item.text, "source": "Reuters"}
                out.write(json.dumps(row) + "\n")
                written += 1
                if written == count:
                    return


def run_size(inputs: Path, out: Path, workers: int) -> dict:
    """One preprocess run in its own process; its manifest."""
    command = [sys.executable, "-m", "dashboard", "preprocess", str(inputs), "--out", str(out)]
    started = time.perf_counter()
    subprocess.run([*command, "--workers", str(workers), "--no-progress"], cwd=ROOT, check=True, capture_output=True)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["wall"] = time.perf_counter() - started
    return manifest


def dask_beside_local(inputs: Path, tmp: Path, workers: int) -> tuple[float, float]:
    """Seconds to annotate the same inputs with local worker processes and with a LocalCluster."""
    from distributed import Client, LocalCluster

    from dashboard.preprocess import preprocess

    started = time.perf_counter()
    preprocess([inputs], tmp / "local", workers=workers)
    local = time.perf_counter() - started
    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        client.wait_for_workers(workers)
        started = time.perf_counter()
        preprocess([inputs], tmp / "dask", scheduler=client)
        dask = time.perf_counter() - started
    return local, dask


def main(argv: list[str] | None = None) -> int:
    """Print peak memory per size and the Dask/local throughput ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--dask-articles", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; {dt.datetime.now():%Y-%m-%d %H:%M}")
    with tempfile.TemporaryDirectory(prefix="newsdash-bench-") as tmp_name:
        tmp = Path(tmp_name)
        print(
            f"{'articles':>9} {'wall s':>8} {'articles/s':>10} {'run peak MiB':>12} {'vs smallest':>11} "
            f"{'main MiB':>9} {'vs smallest':>11} {'worker MiB':>10} {'vs smallest':>11}"
        )
        bases = None
        for size in sorted(args.sizes):
            inputs = tmp / f"in-{size}.jsonl"
            write_inputs(inputs, size)
            manifest = run_size(inputs, tmp / f"store-{size}", args.workers)
            t = manifest["timings"]
            peaks = (t["peak_memory_mib"], t.get("peak_main_mib", 0.0), t.get("peak_worker_mib", 0.0))
            bases = bases or peaks
            ratios = [p / b if b else float("nan") for p, b in zip(peaks, bases)]
            stored = manifest["counts"]["articles"]
            print(
                f"{stored:>9,} {manifest['wall']:>8.1f} {stored / manifest['wall']:>10.1f} "
                f"{peaks[0]:>12.1f} {ratios[0]:>10.2f}x {peaks[1]:>9.1f} {ratios[1]:>10.2f}x "
                f"{peaks[2]:>10.1f} {ratios[2]:>10.2f}x"
            )
            inputs.unlink()
        inputs = tmp / "in-dask.jsonl"
        write_inputs(inputs, args.dask_articles)
        local, dask = dask_beside_local(inputs, tmp, args.workers)
        n = args.dask_articles
        print(
            f"\n{n:,} articles, {args.workers} workers: local processes {local:.1f} s ({n / local:.1f} articles/s), "
            f"Dask LocalCluster {dask:.1f} s ({n / dask:.1f} articles/s); Dask/local throughput {local / dask:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
