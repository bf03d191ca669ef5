"""The app's views: one module per page, plus what pages share; with app.py, the only code that
imports streamlit.

Pages (registered in app.py, each with a `render()`): `draw`, `upload`, `train_view`, `explorer`,
`model_card`, `walkthrough`. Page modules never import one another; what they share lives in
`state` (the session's model choice, cached models and MNIST), `reading` (one input's answer and
explanation), `architecture` (the network's summary table), `teacher` (who may change what
everyone gets) and `markdown` (visitors' text, shown verbatim).
"""
