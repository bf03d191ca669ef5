"""Does `python -m softmax predict` read a drawing as well as the app does? Measure it.

    .venv/bin/python bench/reading_paths.py              # 1,000 held-out drawings
    .venv/bin/python bench/reading_paths.py --n 300

Held-out generated drawings (`softmax.drawn.drawings(n, split="test")`: seeds and styles no model
trained on) are rendered as the canvas renders them and saved as files a user would have: the
canvas' PNG (white on black), its inverse (black ink on white, as a digital pen exports it) and a
JPEG (quality 90). Each set goes once through the CLI as a user runs it (`predict --json`, no
--model, a subprocess); the app's own path (`canvas_to_mnist` and the app's default model) reads
the canvas arrays. Printed: accuracy per path, and how many answers differ from the app's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from softmax.drawn import drawings
from softmax.model import SoftmaxClassifier, default_path
from softmax.preprocess import canvas_to_mnist

ROOT = Path(__file__).resolve().parents[1]

FORMS = {
    "canvas PNG": lambda canvas: (Image.fromarray(canvas), "png", {}),
    "inverted PNG": lambda canvas: (Image.fromarray(255 - canvas[..., 0]), "png", {}),
    "JPEG q90": lambda canvas: (Image.fromarray(canvas[..., :3]), "jpg", {"quality": 90}),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="held-out drawings (default: 1000)")
    args = parser.parse_args()

    held_out = list(drawings(args.n, split="test"))
    labels = np.array([drawing.digit for drawing in held_out])
    canvases = [drawing.canvas() for drawing in held_out]  # (280, 280, 4) uint8 each
    app = SoftmaxClassifier.load(default_path())
    by_app = np.array([app.predict(canvas_to_mnist(c, deskew=app.deskew)).digit for c in canvases])
    print(f"default model: {default_path().name} (recipe {app.recipe}); {args.n} drawings")
    print(f"{'path':<38}{'accuracy':>9}{'differs from app':>18}{'seconds':>9}")
    print(f"{'app: canvas_to_mnist, canvas arrays':<38}{np.mean(by_app == labels):>9.3f}{0:>18}")
    with tempfile.TemporaryDirectory(prefix="reading-paths-") as folder:
        for name, form in FORMS.items():
            paths = []
            for i, canvas in enumerate(canvases):
                image, extension, options = form(canvas)
                paths.append(Path(folder) / f"{name.split()[0]}-{i:04d}.{extension}")
                image.save(paths[-1], **options)
            started = time.perf_counter()
            run = subprocess.run(
                [sys.executable, "-m", "softmax", "predict", "--json", *map(str, paths)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            seconds = time.perf_counter() - started
            by_cli = np.array([result["digit"] for result in json.loads(run.stdout)])
            print(
                f"{'CLI predict, ' + name:<38}{np.mean(by_cli == labels):>9.3f}"
                f"{int(np.sum(by_cli != by_app)):>18}{seconds:>9.1f}"
            )


if __name__ == "__main__":
    main()
