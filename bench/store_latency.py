"""How long the classroom store's operations take, on SQLite and on PostgreSQL.

    .venv/bin/python bench/store_latency.py                 # both (PostgreSQL: a throwaway cluster)
    .venv/bin/python bench/store_latency.py --backends sqlite --students 60

A class of `--students` joins, then saves labelled drawings: first one after another (the
latency of one save), then `--drawings` rounds in which every student saves at the same moment,
each from its own thread as each browser session has (the worst case of a class tapping
together: latency under contention, and throughput). Then the reads a board makes
(`get_class`, `class_drawings`), the training lease, and a class model stored and loaded. Both
databases are durable as deployed: SQLite in WAL mode with its default synchronous=FULL in a
temporary file, PostgreSQL with fsync on (tests/services.py's cluster, `durable=True`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from services import POSTGRES_MISSING, PostgresCluster  # the tests' throwaway cluster

from softmax.classroom import Drawing
from softmax.model import SoftmaxClassifier
from softmax.store import TRAINING_SLOT, Store


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def row(name: str, milliseconds: list[float]) -> None:
    p50, p95 = np.percentile(milliseconds, [50, 95])
    print(f"  {name:<38} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   (n={len(milliseconds)})")


def a_drawing(student_id: str, rng: np.random.Generator) -> Drawing:
    probabilities = rng.dirichlet(np.ones(10))
    return Drawing(
        student_id,
        label=int(rng.integers(10)),
        image=rng.integers(0, 256, (28, 28), dtype=np.uint8),
        predicted=int(probabilities.argmax()),
        probabilities=probabilities,
        model_fingerprint="0" * 24,
    )


def measure(url: str, students: int, drawings: int) -> None:
    rng = np.random.default_rng(0)
    with Store(url) as store:
        room = store.create_class("bench", capacity=students)
        joins, members = [], []
        for i in range(students):
            start = time.perf_counter()
            members.append(store.join(room.code, f"s{i}"))
            joins.append((time.perf_counter() - start) * 1000)
        row("join", joins)

        one_by_one = [a_drawing(members[i % students].id, rng) for i in range(drawings)]
        row(
            "save_drawing, one at a time",
            [timed(lambda d=d: store.save_drawing(d)) for d in one_by_one],
        )
        row(
            "save_drawing again (a retry)",
            [timed(lambda d=d: store.save_drawing(d)) for d in one_by_one[:50]],
        )

        together = [[a_drawing(m.id, rng) for _ in range(drawings)] for m in members]
        everyone = threading.Barrier(students)

        def student(own: list[Drawing]) -> list[float]:
            latencies = []
            for drawing in own:  # each round, the whole class taps at the same moment
                everyone.wait()
                latencies.append(timed(lambda d=drawing: store.save_drawing(d)))
            return latencies

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=students) as pool:
            latencies = [ms for own in pool.map(student, together) for ms in own]
        seconds = time.perf_counter() - start
        row(f"save_drawing, {students} students at once", latencies)
        print(
            f"  {'':<38} {drawings} rounds of {students} saves: {len(latencies) / seconds:.0f} saves/s"
        )

        total = store.get_class(room.code).drawings
        row("get_class (counts)", [timed(lambda: store.get_class(room.code)) for _ in range(50)])
        row(
            f"class_drawings ({total} drawings)",
            [timed(lambda: store.class_drawings(room.code)) for _ in range(10)],
        )

        def lease() -> None:
            store.acquire_lease(TRAINING_SLOT, "bench", "bench").release()

        row("acquire + release the training lease", [timed(lease) for _ in range(50)])
        classifier = SoftmaxClassifier(rng.normal(0, 0.01, (784, 10)), np.zeros(10))
        row(
            "save_model",
            [timed(lambda: store.save_model(room.code, classifier)) for _ in range(10)],
        )
        model_id = store.list_models(room.code)[0].id
        row("load_model", [timed(lambda: store.load_model(model_id)) for _ in range(10)])
        store.delete_class(room.code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--drawings", type=int, default=20, help="per student")
    args = parser.parse_args()
    for backend in args.backends:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                print(f"SQLite (WAL, synchronous=FULL), {args.students} students")
                measure(f"sqlite:///{folder}/studio.db", args.students, args.drawings)
        elif POSTGRES_MISSING:
            print(f"PostgreSQL skipped: {POSTGRES_MISSING}")
        else:
            cluster = PostgresCluster(durable=True)
            try:
                print(f"PostgreSQL (fsync on, 127.0.0.1), {args.students} students")
                measure(cluster.create_database(), args.students, args.drawings)
            finally:
                cluster.destroy()


if __name__ == "__main__":
    main()
