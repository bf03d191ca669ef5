"""`python -m softmax classroom create | list | close | reopen | export | delete`: the teacher's
terminal. The database is $SOFTMAX_DATABASE_URL, else SQLite at ~/.softmax/studio.db, the same
one `streamlit run app.py` uses.

    python -m softmax classroom create "7B maths"             # last line: the join code
    python -m softmax classroom list [--json]
    python -m softmax classroom export K7MXR --out 7b.npz      # and 7b.csv beside it
    python -m softmax classroom delete K7MXR                  # no question asked

`delete` asks nothing: this is the teacher's own terminal, where a command means what it says;
the page asks for confirmation. Errors (a wrong code, an unreachable database) end with one line
on stderr and exit status 2, like every command.
"""

from __future__ import annotations

import argparse
import json

from softmax.classroom import DEFAULT_CAPACITY, MAX_CAPACITY, ClassInfo


def _store():
    """The app's store, imported only when a classroom command runs: SQLAlchemy takes ~0.8 s
    to import, which every other command (`train`, `predict`, ...) would otherwise pay."""
    from softmax.store import Store

    return Store()


def add_classroom_parser(commands) -> None:
    """Add `classroom` and its subcommands to the CLI's subparsers `commands`."""
    classroom = commands.add_parser(
        "classroom",
        help="create, list, close, export or delete classes (the store the app uses)",
        description="Manage classes in $SOFTMAX_DATABASE_URL (default ~/.softmax/studio.db).",
    )
    actions = classroom.add_subparsers(dest="action", required=True, metavar="ACTION")

    create = actions.add_parser("create", help="start a class; last line: its join code")
    create.add_argument("name", metavar="NAME", help='what the class is called, e.g. "7B maths"')
    create.add_argument(
        "--capacity",
        type=int,
        default=DEFAULT_CAPACITY,
        help=f"students who may join, 1–{MAX_CAPACITY} (default: %(default)s)",
    )
    create.set_defaults(run=run_create)

    listing = actions.add_parser("list", help="every class with its counts, newest first")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(run=run_list)

    for name, run, says in (
        ("close", run_close, "let no one else join"),
        ("reopen", run_reopen, "let students join again"),
        ("delete", run_delete, "delete a class and all its students, drawings and models"),
    ):
        action = actions.add_parser(name, help=says, description=says[0].upper() + says[1:] + ".")
        action.add_argument("code", metavar="CODE", help="the class's join code")
        action.set_defaults(run=run)

    export = actions.add_parser(
        "export",
        help="drawings as .npz (x uint8 (n, 28, 28), y uint8 (n,)) + a CSV beside it",
        description="Write the class's drawings in MNIST's layout, and their metadata as CSV.",
    )
    export.add_argument("code", metavar="CODE", help="the class's join code")
    export.add_argument("--out", required=True, metavar="FILE.npz", help="where to write")
    export.set_defaults(run=run_export)


def run_create(args: argparse.Namespace) -> int:
    with _store() as store:
        room = store.create_class(args.name, capacity=args.capacity)
    print(f"created class {room.name!r} for up to {room.capacity} students; they join with")
    print(room.code)
    return 0


def run_list(args: argparse.Namespace) -> int:
    with _store() as store:
        rooms = store.list_classes()
    if args.json:
        print(json.dumps([_as_json(room) for room in rooms], indent=2))
        return 0
    if not rooms:
        print('no classes yet: python -m softmax classroom create "NAME"')
        return 0
    width = max(len(room.name) for room in rooms)
    print(
        f"{'CODE':<7}{'NAME':<{width + 2}}{'STATE':<8}{'STUDENTS':>8}{'DRAWINGS':>10}  CREATED (UTC)"
    )
    for room in rooms:
        state = "open" if room.is_open else "closed"
        print(
            f"{room.code:<7}{room.name:<{width + 2}}{state:<8}{room.students:>8}{room.drawings:>10}"
            f"  {room.created:%Y-%m-%d %H:%M}"
        )
    return 0


def run_close(args: argparse.Namespace) -> int:
    with _store() as store:
        room = store.close_class(args.code)
    print(f"closed {room.code} ({room.name!r}): no one else can join")
    return 0


def run_reopen(args: argparse.Namespace) -> int:
    with _store() as store:
        room = store.reopen_class(args.code)
    print(f"reopened {room.code} ({room.name!r}): students can join")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    with _store() as store:
        room = store.delete_class(args.code)
    print(
        f"deleted {room.code} ({room.name!r}) with its {room.students} students "
        f"and {room.drawings} drawings"
    )
    return 0


def run_export(args: argparse.Namespace) -> int:
    from softmax.export import export_class

    with _store() as store:
        written = export_class(store, args.code, args.out)
    print(f"exported {written.n} drawings to {written.npz} and {written.csv}")
    return 0


def _as_json(room: ClassInfo) -> dict:
    return {
        "code": room.code,
        "name": room.name,
        "open": room.is_open,
        "capacity": room.capacity,
        "students": room.students,
        "drawings": room.drawings,
        "created": room.created.isoformat(),
        "closed": room.closed.isoformat() if room.closed else None,
        "model_id": room.model_id,
    }
