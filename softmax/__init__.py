"""Draw-a-digit softmax studio: MNIST, a 7,850-parameter softmax classifier, and ways to look inside it.

Importing the package imports nothing heavy: TensorFlow loads only when a model is trained.
"""
