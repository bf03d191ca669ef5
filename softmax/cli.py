"""`python -m softmax COMMAND` (train, evaluate, predict, bench, fetch, classroom) from a shell.

Bad input (a missing or foreign file, an empty image, an unknown recipe, a bad number, a model no
view can use) ends with exactly one line `error: ...` on stderr and exit status 2, never a
traceback. Without --model, `predict`, `evaluate` and `bench` use the default model, the app's
(`model.default_path`). `--json` output is strict JSON: never NaN. `predict` and `evaluate` use
the numpy classifier and never import TensorFlow; `train` and `bench` do.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from softmax.model import SoftmaxClassifier, default_path, quiet_tensorflow

EXIT_BAD_INPUT = 2
MODEL_HELP = "model .npz (default: the app's, the shipped model that reads drawings best)"
DATA_HELP = "mnist.npz to read (default: $SOFTMAX_MNIST, then Keras' cache)"


class UsageError(ValueError):
    """The command line itself is wrong (argparse's complaint, kept to one line)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print the usage too: two lines, not one
        raise UsageError(f"{self.prog}: {message} (see --help)")


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit status (0 ok, 2 bad input)."""
    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except (ValueError, OSError) as error:  # DataError, ModelFileError, ImageError are ValueErrors
        message = " ".join(str(error).split()) or type(error).__name__
        print(f"error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    from softmax.classroom_cli import add_classroom_parser
    from softmax.preprocess import MODES
    from softmax.recipes import OPTIMIZERS, RECIPES

    parser = _Parser(
        prog="python -m softmax",
        description="Train, evaluate, run and time the 7,850-parameter softmax digit classifier.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser(
        "train",
        help="train a model on MNIST (Keras); last line test_accuracy=0.xxxx",
        description="Train with a recipe (any field overridable) and print test_accuracy=0.xxxx last.",
    )
    train.add_argument("--recipe", default="default", choices=RECIPES, help="default: %(default)s")
    train.add_argument("--epochs", type=int, help="override the recipe's epochs")
    train.add_argument("--batch-size", type=int, help="override the recipe's batch size")
    train.add_argument("--optimizer", choices=OPTIMIZERS, help="override the recipe's optimizer")
    train.add_argument("--learning-rate", type=float, help="override the recipe's learning rate")
    train.add_argument("--seed", type=int, help="override the recipe's seed")
    train.add_argument(
        "--weight-penalty",
        type=float,
        metavar="LAMBDA",
        help="override the recipe's L2 penalty: λ·‖W‖²/2 added to the loss (0: none)",
    )
    train.add_argument("--data", help=DATA_HELP)
    train.add_argument("--out", help="save the model here (.npz, written atomically, + .json)")
    train.add_argument(
        "--verbose",
        type=int,
        choices=(0, 1, 2),
        help="Keras output: 0 none, 1 progress bar, 2 a line per epoch (default: 1 on a terminal)",
    )
    train.set_defaults(run=run_train)

    evaluate = commands.add_parser(
        "evaluate",
        help="accuracy, per-digit accuracy and confusion matrix on the MNIST test set",
        description="Score a model on the 10,000 MNIST test digits (deskewed if the model says so).",
    )
    evaluate.add_argument("--model", help=MODEL_HELP)
    evaluate.add_argument("--data", help=DATA_HELP)
    evaluate.add_argument("--json", action="store_true", help="print JSON instead of a table")
    evaluate.set_defaults(run=run_evaluate)

    predict = commands.add_parser(
        "predict",
        help="classify image files",
        description="Classify image files (any size; light or dark ink) as the app would: a "
        "clean digital drawing exactly as the canvas, a photo cleaned first.",
    )
    predict.add_argument("images", nargs="+", metavar="IMAGE", help="PNG, JPEG, ... files")
    predict.add_argument("--model", help=MODEL_HELP)
    predict.add_argument(
        "--mode",
        default="mnist",
        choices=MODES,
        help="mnist: crop, fit 20×20, centre of mass (default); naive: just resize to 28×28",
    )
    predict.add_argument("--json", action="store_true", help='print [{"path", "digit", ...}]')
    predict.set_defaults(run=run_predict)

    bench = commands.add_parser(
        "bench",
        help="time preprocess + predict against Keras, and training against a numpy loop",
        description="Latency of canvas -> prediction (numpy) next to Keras; training time of "
        "the default and notebook recipes, and of the notebook's SGD as a plain numpy loop.",
    )
    bench.add_argument("--model", help=f"{MODEL_HELP}; a deskew model adds that step")
    bench.add_argument("--runs", type=int, default=200, help="timed calls each (default: 200)")
    bench.add_argument("--no-train", action="store_true", help="skip timing the training")
    bench.add_argument("--json", action="store_true", help="print JSON instead of text")
    bench.set_defaults(run=run_bench)

    add_classroom_parser(commands)
    fetch = commands.add_parser(
        "fetch",
        help="download MNIST (11 MB) into Keras' cache",
        description="Download Keras' mnist.npz into $KERAS_HOME/datasets (default ~/.keras), "
        "check its sha256 and keep it there for every command and page. "
        "SOFTMAX_MNIST_URL and SOFTMAX_MNIST_SHA256 override the origin and the hash.",
    )
    fetch.set_defaults(run=run_fetch)
    return parser


def run_train(args: argparse.Namespace) -> int:
    from softmax.data import find_mnist, mnist_dataset
    from softmax.recipes import get_recipe
    from softmax.train import fit

    overrides = {
        name: getattr(args, name)
        for name in ("epochs", "batch_size", "optimizer", "learning_rate", "seed", "weight_penalty")
        if getattr(args, name) is not None
    }
    recipe = get_recipe(args.recipe, **overrides)
    if args.out is not None and Path(args.out).suffix != ".npz":
        raise ValueError(f"--out must end in .npz, got {args.out}")
    if find_mnist(args.data) is None:  # nothing local: download it once, showing progress
        _fetch()
    dataset = mnist_dataset(args.data)  # a bad local file fails here, before TensorFlow loads
    _import_keras_quietly()  # cheap when already imported
    verbose = args.verbose if args.verbose is not None else (1 if sys.stdout.isatty() else 2)
    result = fit(recipe, dataset, verbose=verbose)
    metadata = result.classifier.metadata
    print(
        f"recipe={recipe.name} epochs={metadata['epochs_run']} seconds={result.seconds:.1f} "
        f"train_accuracy={metadata['train_accuracy']:.4f} "
        f"drawn_accuracy={metadata.get('drawn_accuracy', float('nan')):.4f} "
        f"rim_share={metadata['rim_share']:.4f}"
    )
    if args.out is not None:
        print(f"saved {result.classifier.save(args.out)}")
    print(f"test_accuracy={result.test_accuracy:.4f}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from softmax.data import load_mnist
    from softmax.evaluation import evaluate

    path = args.model or default_path()
    classifier = SoftmaxClassifier.load(path)
    if classifier.image_shape != (28, 28):
        raise ValueError(f"{path} takes {classifier.image_shape} images, MNIST is 28×28")
    _, (x_test, y_test) = load_mnist(args.data, download=False)
    result = evaluate(classifier, x_test, y_test)
    if args.json:
        report = {
            "model": str(path),
            "recipe": classifier.recipe,
            "deskew": classifier.deskew,
            "n": result.n,
            "accuracy": result.accuracy,
            "per_class_accuracy": [float(a) for a in result.per_class_accuracy],
            "confusion_matrix": result.confusion.tolist(),
        }
        print(_strict_json(report))
        return 0
    print(f"model     {path} (recipe {classifier.recipe})")
    print(f"accuracy  {result.accuracy:.4f} on {result.n} MNIST test digits")
    print()
    print("confusion matrix: rows = true digit, columns = predicted")
    print("true  accuracy " + "".join(f"{digit:>6}" for digit in range(10)))
    for digit, (accuracy, row) in enumerate(
        zip(result.per_class_accuracy, result.confusion, strict=True)
    ):
        print(f"{digit:>4}  {accuracy:>8.4f} " + "".join(f"{count:>6}" for count in row))
    return 0


def run_predict(args: argparse.Namespace) -> int:
    from softmax.preprocess import image_to_mnist, read_image

    classifier = SoftmaxClassifier.load(args.model)
    if classifier.image_shape != (28, 28):
        side = classifier.image_shape[0]
        raise ValueError(f"{args.model} reads {side}×{side} images; predict needs a 28×28 model")
    results = []
    for path in args.images:  # all first, so one bad file prints nothing but its error
        image = image_to_mnist(read_image(path), mode=args.mode, deskew=classifier.deskew)
        prediction = classifier.predict(image)
        results.append((path, prediction))
    if args.json:
        report = [
            {
                "path": path,
                "digit": prediction.digit,
                "probabilities": [round(float(p), 6) for p in prediction.probabilities],
            }
            for path, prediction in results
        ]
        print(_strict_json(report))
    else:
        for path, prediction in results:
            print(f"{path}: {prediction.digit} ({prediction.confidence:.1%})")
    return 0


def run_bench(args: argparse.Namespace) -> int:
    from softmax.bench import run

    _import_keras_quietly()
    classifier = SoftmaxClassifier.load(args.model)
    result = run(runs=args.runs, train=not args.no_train, classifier=classifier)
    print(_strict_json(result.to_dict()) if args.json else result.report())
    return 0


def _strict_json(report: object) -> str:
    """JSON any parser reads: a NaN or infinity is an error (exit 2), never printed."""
    try:
        return json.dumps(report, indent=2, allow_nan=False)
    except ValueError as error:
        raise ValueError(f"the result holds a number that is not finite ({error})") from error


def run_fetch(args: argparse.Namespace) -> int:
    print(f"mnist={_fetch()}")
    return 0


def _fetch() -> Path:
    """MNIST into Keras' cache (FetchError, a ValueError, when it fails), with a progress bar."""
    from softmax.fetch import fetch_mnist, origin

    bar = _ProgressBar(sys.stdout, f"downloading {origin()}")
    try:
        return fetch_mnist(on_progress=bar.update)
    finally:
        bar.close()  # end the bar's line, so an error starts on its own


class _ProgressBar:
    """`[#####     ]  52% 5.9 of 11.5 MB` redrawn in place on a terminal, one line otherwise;
    `title` first, once the download has begun (nothing at all when none was needed)."""

    WIDTH = 30

    def __init__(self, stream, title: str) -> None:
        self.stream = stream
        self.title = title
        self.live = stream.isatty()
        self.done, self.total = 0, None
        self.started = False

    def update(self, done: int, total: int | None) -> None:
        self.done, self.total = done, total
        if not self.started:
            self.stream.write(self.title + "\n")
            self.started = True
        if self.live:
            self.stream.write("\r" + self.line())
            self.stream.flush()

    def close(self) -> None:
        if self.started:
            self.stream.write(("\r" if self.live else "") + self.line() + "\n")

    def line(self) -> str:
        megabytes = f"{self.done / 1e6:.1f}"
        if not self.total:
            return f"{megabytes} MB"
        share = self.done / self.total
        filled = round(share * self.WIDTH)
        bar = "#" * filled + " " * (self.WIDTH - filled)
        return f"[{bar}] {share:4.0%} {megabytes} of {self.total / 1e6:.1f} MB"


def _import_keras_quietly() -> None:
    """Import Keras (TensorFlow) with fd 2 silenced: its C++ start-up writes log lines there
    before any setting can stop it, and the CLI's stderr is kept for errors."""
    quiet_tensorflow()
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        import keras  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
