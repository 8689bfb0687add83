"""Who runs the chunk tasks: this process, local worker processes, or a Dask cluster.

Every runner takes an iterator of `ChunkTask`s and yields their `ChunkDone`s as they finish,
keeping at most two tasks per worker in flight, so the client never holds more than those
chunks' articles. The task function is the same everywhere (`annotate.run_chunk`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from dashboard.annotate import ChunkDone, ChunkTask, run_chunk

Runner = Callable[[Iterable[ChunkTask]], Iterator[ChunkDone]]
IN_FLIGHT_PER_WORKER = 2


def _in_process(tasks: Iterable[ChunkTask]) -> Iterator[ChunkDone]:
    for task in tasks:
        yield run_chunk(task)


def _bounded(submit: Callable, tasks: Iterable[ChunkTask], limit: int, wait_some: Callable) -> Iterator[ChunkDone]:
    """Submit tasks, never more than `limit` unfinished; yield results in completion order."""
    pending: set = set()
    for task in tasks:
        pending.add(submit(task))
        while len(pending) >= limit:
            finished, pending = wait_some(pending)
            for future in finished:
                yield future.result()
    while pending:
        finished, pending = wait_some(pending)
        for future in finished:
            yield future.result()


@contextlib.contextmanager
def _process_pool(workers: int) -> Iterator[Runner]:
    # fork shares the imported code; each worker loads its own model on its first task.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:

        def run(tasks: Iterable[ChunkTask]) -> Iterator[ChunkDone]:
            yield from _bounded(
                lambda t: pool.submit(run_chunk, t),
                tasks,
                workers * IN_FLIGHT_PER_WORKER,
                lambda pending: wait(pending, return_when=FIRST_COMPLETED),
            )

        yield run


@contextlib.contextmanager
def _dask(scheduler) -> Iterator[Runner]:
    from distributed import Client
    from distributed import wait as dask_wait

    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        workers = max(1, sum(client.nthreads().values()))

        def run(tasks: Iterable[ChunkTask]) -> Iterator[ChunkDone]:
            def wait_some(pending):
                result = dask_wait(list(pending), return_when="FIRST_COMPLETED")
                return set(result.done), set(result.not_done)

            # pure=False: a retried chunk is a new task, never a cached result of another run.
            yield from _bounded(
                lambda t: client.submit(run_chunk, t, pure=False, key=f"chunk-{t.chunk}-{id(t)}"),
                tasks,
                workers * IN_FLIGHT_PER_WORKER,
                wait_some,
            )

        yield run
    finally:
        if own:
            client.close()


def runner(workers: int = 1, scheduler=None):
    """A context manager giving the run function: Dask when `scheduler` is given, else local processes."""
    if scheduler is not None:
        return _dask(scheduler)
    if workers > 1:
        return _process_pool(workers)
    return contextlib.nullcontext(_in_process)
