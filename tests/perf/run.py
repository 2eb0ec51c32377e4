"""`make bench`: run every tests/perf/bench_*.py and print their figures as one JSON object.

Each module exposes ``run(ctx: BenchContext) -> dict``. Figures are ratios to a floor measured
in the same run wherever a floor exists (a bare Qt window, the same SQL in raw sqlite3), so
they mean the same on a slow or a fast machine.

    python -m tests.perf.run [--only NAME ...] [--tickets N]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from desk.core.db import SCHEMA_HEAD, backup_to
from desk.core.demo import generate

HERE = Path(__file__).resolve().parent
# Timed as Desk's start is (bench_frontdesk: the first rows painted, then a zero timer ends
# the process without interpreter teardown), the bare window ends once its label has painted.
# Before, a zero timer right after show() quit before any widget was painted (leaving out the
# first text drawn, font set-up and all, that every window pays) and the interpreter's teardown
# was counted instead (~12 ms): the floor read ~5 ms higher than a painted bare window.
BARE_WINDOW = """
import os, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication(sys.argv)
window = QMainWindow(); label = QLabel("bare"); window.setCentralWidget(label); window.resize(1280, 800)
class Painted(QObject):
    def eventFilter(self, _obj, event):
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, lambda: os._exit(0))
        return False
painted = Painted(); label.installEventFilter(painted)
window.show()
QTimer.singleShot(30_000, lambda: (print("the bare window was not painted"), os._exit(1)))
app.exec()
"""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(samples: list[float]) -> dict[str, float]:
    """p50/p95 in milliseconds of samples given in seconds."""
    return {"p50_ms": round(percentile(samples, 0.5) * 1000, 3),
            "p95_ms": round(percentile(samples, 0.95) * 1000, 3)}


def timed(fn: Callable[[], object], repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


# The share of the bench store's people who are Korean, with their tickets (Korean subjects,
# details and replies): Korean search and the Korean index are measured on the same store as
# everything else.
KOREAN_SHARE = 0.2


class BenchContext:
    def __init__(self, cache: Path, scale: int) -> None:
        self.cache = cache
        self.scale = scale  # the "1M" store size; smaller for a quick run
        self.cache.mkdir(parents=True, exist_ok=True)
        self.generation_seconds: dict[int, float] = {}
        self._bare: float | None = None

    def demo_store(self, tickets: int) -> Path:
        """A cached demo store (seed 1) of ``tickets`` tickets ending today, at the current
        schema, with ``KOREAN_SHARE`` of its people (and their tickets) Korean. Do not write to it."""
        tickets = min(tickets, self.scale)
        stamp = datetime.now(UTC).strftime("%Y%m%d")
        kind = f"demo-{tickets}-seed1-ko{round(KOREAN_SHARE * 100)}"
        path = self.cache / f"{kind}-{stamp}-schema{SCHEMA_HEAD}.sqlite3"
        if not path.exists():
            partial = path.with_suffix(".partial")
            for stale in self.cache.glob(f"{kind}-*"):
                stale.unlink()
            print(f"bench: generating a {tickets:,}-ticket demo store…", file=sys.stderr)
            summary = generate(partial, tickets=tickets, seed=1, korean_share=KOREAN_SHARE)
            self.generation_seconds[tickets] = round(summary.seconds, 1)
            for suffix in ("-wal", "-shm"):
                Path(f"{partial}{suffix}").unlink(missing_ok=True)
            partial.rename(path)
        return path

    def copy_of(self, tickets: int) -> Path:
        """A writable copy of the demo store, removed when the run ends."""
        target = Path(tempfile.mkdtemp(prefix="desk-bench-")) / "store.sqlite3"
        return backup_to(self.demo_store(tickets), target)

    def bare_qt_window_seconds(self, repeats: int = 5) -> float:
        """Median wall time for a process that opens and paints a bare PySide6 window."""
        if self._bare is None:
            self._bare = statistics.median(self.process_seconds([sys.executable, "-c", BARE_WINDOW], repeats))
        return self._bare

    @staticmethod
    def process_seconds(command: list[str], repeats: int, env: dict[str, str] | None = None) -> list[float]:
        merged = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"), **(env or {})}
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run(command, check=True, env=merged, stdout=subprocess.DEVNULL)
            samples.append(time.perf_counter() - start)
        return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", default=[], help="run only bench_NAME (repeatable)")
    parser.add_argument("--tickets", type=int, default=1_000_000, help="size of the big store (default 1M)")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("DESK_BENCH_CACHE", Path.home() / ".cache" / "desk-bench")))
    args = parser.parse_args(argv)
    ctx = BenchContext(args.cache, args.tickets)
    results: dict[str, object] = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    for name in names:
        if args.only and name.removeprefix("bench_") not in args.only and name not in args.only:
            continue
        print(f"bench: {name}", file=sys.stderr)
        try:
            results[name.removeprefix("bench_")] = importlib.import_module(f"tests.perf.{name}").run(ctx)
        except Exception:  # a broken benchmark is reported, the others still run
            results[name.removeprefix("bench_")] = {"error": traceback.format_exc(limit=3)}
    if ctx.generation_seconds:
        results["demo_generation_seconds"] = ctx.generation_seconds
    text = json.dumps(results, indent=2)
    print(text)
    out = Path("bench-results")
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
