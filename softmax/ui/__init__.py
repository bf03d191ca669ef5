"""The app's views: one module per page, plus what pages share; with app.py, the only code that
imports streamlit.

Pages (registered in app.py, each with a `render()`): `draw`, `upload`, `train_view`, `explorer`,
`model_card`, `walkthrough`. Page modules never import one another; what they share lives in
`state` (the session's model choice, cached models and MNIST), `reading` (one input's answer and
explanation), `canvas` (the drawing canvas, its pen and Clear), `architecture` (the network's
summary table), `teacher` (who may change what everyone gets) and `markdown` (visitors' text,
shown verbatim). `STYLESHEET` is the pages' frame and phone layout, sent by app.py.
"""

from pathlib import Path

STYLESHEET = Path(__file__).with_name("studio.css")
