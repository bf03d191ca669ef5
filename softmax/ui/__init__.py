"""The app's views, one module per page; the only place besides app.py that imports streamlit.

`state` holds what views share (the session's model, cached MNIST); `draw` and `model_card` are
pages registered in app.py.
"""
