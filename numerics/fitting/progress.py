"""A rich progress bar on stderr for the fit stages (only on a terminal, so stdout JSON stays clean)."""

from __future__ import annotations

import contextlib
import time


@contextlib.contextmanager
def stderr_progress(enabled: bool = True, delay: float = 1.0):
    """Yield a ``progress(stage, done, total)`` callback drawing a transient bar on stderr.

    The bar appears only when stderr is a terminal and the fit has run for ``delay`` seconds.
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda *_: None
        return
    t0 = time.perf_counter()
    bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                   TimeElapsedColumn(), console=console, transient=True)
    tasks: dict[str, int] = {}
    started = False

    def update(stage: str, done: int, total: int) -> None:
        nonlocal started
        if not started and time.perf_counter() - t0 >= delay:
            bar.start()
            started = True
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    try:
        yield update
    finally:
        if started:
            bar.stop()
