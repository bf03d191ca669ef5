"""The named recipes: what each one is, how each data set sizes it, how overrides are checked."""

from __future__ import annotations

import dataclasses

import pytest

from softmax.model import SHIPPED, SoftmaxClassifier, shipped_path
from softmax.recipes import MEASURED_ACCURACY, RECIPES, get_recipe


def test_the_notebook_recipe_is_the_reference_notebook():
    notebook = RECIPES["notebook"]
    assert (notebook.optimizer, notebook.learning_rate) == ("sgd", None)  # Keras' default rate
    assert (notebook.batch_size, notebook.epochs) == (2048, 100)
    assert not notebook.deskew and notebook.drawn == 0
    assert notebook.weight_penalty == 0  # the notebook has no penalty


def test_the_default_recipe_is_adam_at_0_01_for_10_epochs():
    default = RECIPES["default"]
    assert (default.optimizer, default.learning_rate) == ("adam", 0.01)
    assert (default.batch_size, default.epochs) == (2048, 10)
    assert default.weight_penalty == 2e-4  # chosen on a validation split: see recipes.py


def test_the_deskew_and_drawn_recipes_change_only_their_data_and_penalty():
    default = dataclasses.asdict(RECIPES["default"])
    deskew = RECIPES["deskew"]
    assert dataclasses.asdict(deskew) == {
        **default,
        "name": "deskew",
        "deskew": True,
        "weight_penalty": deskew.weight_penalty,
    }
    drawn = RECIPES["drawn"]
    assert drawn.drawn > 0 and drawn.weight_penalty > 0
    assert dataclasses.asdict(drawn) == {
        **default,
        "name": "drawn",
        "deskew": True,
        "drawn": drawn.drawn,
        "weight_penalty": drawn.weight_penalty,
    }


def test_any_field_can_be_overridden():
    recipe = get_recipe("notebook", epochs=5, learning_rate=0.1)
    assert (recipe.name, recipe.optimizer, recipe.epochs, recipe.learning_rate) == (
        "notebook",
        "sgd",
        5,
        0.1,
    )
    assert recipe.replace(seed=3).seed == 3


def test_a_recipe_cannot_be_changed_in_place():
    with pytest.raises(dataclasses.FrozenInstanceError):
        RECIPES["default"].epochs = 1  # type: ignore[misc]


def test_an_unknown_recipe_is_an_error_listing_the_known_ones():
    with pytest.raises(
        ValueError, match="recipes are notebook, default, deskew, drawn; got 'fast'"
    ):
        get_recipe("fast")


def test_on_the_8x8_digits_a_recipe_takes_small_batches_and_keeps_the_rest():
    for name in ("notebook", "default"):
        small = get_recipe(name, "digits")
        assert small.batch_size == 32  # 45 steps an epoch, not 1
        assert small == RECIPES[name].replace(batch_size=32)


def test_an_override_beats_the_data_sets_size():
    assert get_recipe("default", "digits", batch_size=8).batch_size == 8


@pytest.mark.parametrize("name", ["deskew", "drawn"])
def test_recipes_that_need_28x28_are_refused_for_the_8x8_digits(name):
    with pytest.raises(ValueError, match=f"the {name} recipe needs 28×28 MNIST"):
        get_recipe(name, "digits")


def test_an_unknown_data_set_is_an_error_listing_the_known_ones():
    with pytest.raises(ValueError, match="data sets are mnist, digits; got 'cifar'"):
        get_recipe("default", "cifar")


@pytest.mark.parametrize("name", SHIPPED)
def test_the_measured_accuracy_of_a_shipped_recipe_is_its_shipped_models(name):
    shipped = SoftmaxClassifier.load(shipped_path(name))
    assert shipped.metadata["weight_penalty"] == RECIPES[name].weight_penalty
    assert MEASURED_ACCURACY[name, "mnist"] == round(shipped.metadata["test_accuracy"], 4)


def test_every_recipe_a_data_set_offers_has_a_measured_accuracy():
    for (name, dataset), accuracy in MEASURED_ACCURACY.items():
        get_recipe(name, dataset)  # a combination that exists
        assert 0.1 < accuracy < 1


def test_an_unknown_field_is_an_error_naming_it():
    with pytest.raises(ValueError, match="no field momentum"):
        get_recipe("default", momentum=0.9)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("epochs", 0),
        ("epochs", 2.5),
        ("batch_size", -1),
        ("seed", -1),
        ("drawn", -5),
        ("learning_rate", 0.0),
        ("learning_rate", float("nan")),
        ("learning_rate", "fast"),
        ("optimizer", "newton"),
        ("weight_penalty", -1e-4),
        ("weight_penalty", float("inf")),
    ],
)
def test_a_bad_value_is_an_error_naming_the_field_and_value(field, value):
    with pytest.raises(ValueError, match=rf"{field}.*{value!r}"):
        get_recipe("default", **{field: value})
