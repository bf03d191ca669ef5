"""The named recipes: what each one is, and how overrides are checked."""

from __future__ import annotations

import dataclasses

import pytest

from softmax.recipes import RECIPES, get_recipe


def test_the_notebook_recipe_is_the_reference_notebook():
    notebook = RECIPES["notebook"]
    assert (notebook.optimizer, notebook.learning_rate) == ("sgd", None)  # Keras' default rate
    assert (notebook.batch_size, notebook.epochs) == (2048, 100)
    assert not notebook.deskew and notebook.drawn == 0


def test_the_default_recipe_is_adam_at_0_01_for_10_epochs():
    default = RECIPES["default"]
    assert (default.optimizer, default.learning_rate) == ("adam", 0.01)
    assert (default.batch_size, default.epochs) == (2048, 10)


def test_the_deskew_and_drawn_recipes_change_only_their_data():
    default = dataclasses.asdict(RECIPES["default"])
    assert dataclasses.asdict(RECIPES["deskew"]) == {**default, "name": "deskew", "deskew": True}
    drawn = RECIPES["drawn"]
    assert drawn.drawn > 0
    assert dataclasses.asdict(drawn) == {
        **default,
        "name": "drawn",
        "deskew": True,
        "drawn": drawn.drawn,
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
    ],
)
def test_a_bad_value_is_an_error_naming_the_field_and_value(field, value):
    with pytest.raises(ValueError, match=rf"{field}.*{value!r}"):
        get_recipe("default", **{field: value})
