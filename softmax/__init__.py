"""Draw-a-digit softmax studio: a 7,850-parameter softmax classifier of MNIST, and views inside it.

Importing the package imports nothing heavy: TensorFlow loads only when a model is trained.
"""
