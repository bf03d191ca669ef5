"""How soon after its last epoch is a Train page run ready: result known, slot free, child gone?

    .venv/bin/python bench/training_latency.py                    # default recipe on MNIST, 3 runs
    .venv/bin/python bench/training_latency.py --dataset digits --runs 5

Starts real `TrainingJob`s (the child process the Train page starts) one after the other and
polls each every 10 ms, as a page would but finer: the moment the last epoch's report is in, the
moment the result is known (`progress().done`), the moment the slot would take the next run
(`running` false) and the moment the child process has exited. The page shows the result on its
first poll (every 0.5 s) after `done`; the goal is done ≤ 1 s after the last epoch.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from softmax.recipes import RECIPES
from softmax.training_jobs import TrainingJob

POLL = 0.01  # s


def measure(dataset: str) -> dict[str, float]:
    """Seconds from the last epoch's report to the result, a free slot and the child's exit."""
    recipe = RECIPES["default"]
    if dataset == "digits":
        recipe = recipe.replace(batch_size=32)
    job = TrainingJob(recipe, dataset, owner="bench")
    job.start()
    process = job._process  # the bench looks at the child itself: the page never does
    seen: dict[str, float] = {}
    while len(seen) < 4:
        now = time.perf_counter()
        progress = job.progress()
        if len(progress.epochs) == progress.total or progress.done:
            seen.setdefault("last epoch", now)
        if progress.done:
            seen.setdefault("result", now)
        if not job.running:
            seen.setdefault("slot free", now)
        if process.poll() is not None:
            seen.setdefault("child exited", now)
        time.sleep(POLL)
    if progress.error:
        raise SystemExit(f"training failed: {progress.error}")
    return {name: at - seen["last epoch"] for name, at in seen.items() if name != "last epoch"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", choices=("mnist", "digits"), default="mnist")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = [measure(args.dataset) for _ in range(args.runs)]
    print(f"default recipe on {args.dataset}, {args.runs} runs: seconds after the last epoch")
    for name in runs[0]:
        values = [run[name] for run in runs]
        shown = " ".join(f"{value:.2f}" for value in values)
        print(f"  {name:13} median {statistics.median(values):.2f}   ({shown})")


if __name__ == "__main__":
    main()
