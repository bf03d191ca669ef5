"""Watch the weights form: replay a training run's ten weight maps epoch by epoch, beside the
test loss of this run and of the session's earlier ones.

The training child sends W and b after every epoch (softmax.history.encode_epoch, 21 kB each)
and the job stacks them (softmax.history.WeightHistory: 1.6 MB for the notebook's 100 epochs).
A slider picks the epoch: the maps are drawn on the final epoch's colour scale, so they sharpen
from faint to full colour as training goes on, and a rule marks that epoch on the loss curves.
Each finished run's test loss is kept for the session (`remember`), labelled by its settings, so
a class can lay SGD beside Adam, or two learning rates, at a glance.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from softmax import charts, figures
from softmax.history import WeightHistory
from softmax.ui.language import messages

RUNS_KEY = "train-runs"  # {run id: (label, test loss per epoch)}: this session's runs, in order
MAX_RUNS = 6  # the oldest runs drop off the chart beyond this


def remember(run: str, label: str, test_loss: Sequence[float]) -> list[tuple[str, list[float]]]:
    """Keep run `run`'s test loss under `label` (numbered, so two runs with the same settings
    stay apart); the session's runs, oldest first, this one last."""
    runs: dict[str, tuple[str, list[float]]] = st.session_state.setdefault(RUNS_KEY, {})
    if run not in runs:
        runs[run] = (f"{len(runs) + 1}. {label}", [float(v) for v in test_loss])
    else:
        runs[run] = (runs[run][0], [float(v) for v in test_loss])  # a run still growing
    runs[run] = runs.pop(run)  # this run last
    for old in list(runs)[:-MAX_RUNS]:
        del runs[old]
    return list(runs.values())


@st.fragment
def replay(history: WeightHistory, runs: Sequence[tuple[str, Sequence[float]]], key: str) -> None:
    """The epoch slider, the ten maps at that epoch and the runs' test loss with the epoch
    marked; `runs` ends with this run. A fragment: moving the slider redraws only this."""
    t = messages()
    st.subheader(t("train.replay.title"))
    epoch = st.slider(
        t("train.epoch"), 0, history.epochs, history.epochs, key=key,
        help=t("train.replay.slider_help"),
    )  # fmt: skip
    _, losses = runs[-1]
    maps, curve = st.columns([3, 2], gap="large")
    with maps:
        st.html(
            figures.maps(
                history.maps_at(epoch),
                [str(k) for k in range(history.weights.shape[2])],
                history.scale(),
                label=t("train.replay.maps", epoch=epoch),
                legend=t("charts.weight"),
                size=96,
                t=t,
            )
        )
        if epoch == 0:
            st.caption(t("train.replay.before"))
        else:
            loss = t.number(losses[epoch - 1], 3)
            st.caption(t("train.replay.after", epoch=epoch, epochs=history.epochs, loss=loss))
    with curve:
        st.altair_chart(
            charts.runs_test_loss(runs, epoch, t=t),
            width="stretch",
            key=f"{key}-loss",
            alt=t("train.replay.loss_alt"),
        )
        st.caption(t("train.replay.earlier" if len(runs) > 1 else "train.replay.again"))
