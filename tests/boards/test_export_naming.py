import keyword

import pytest

from boards.export.naming import Namespace, derive


def test_it_spells_a_sticky_as_class_module_and_topic_part():
    name = derive("Order Placed")
    assert (name.pascal, name.snake, name.kebab) == ("OrderPlaced", "order_placed", "order-placed")


@pytest.mark.parametrize(
    "text",
    ["Bestellung aufgegeben (Ä/ö/ß)", "注文済み", "🚀", "3D print ordered", "class", "None",
     "  ", "if/else?!", "order_placed", "OrderPlaced", 'x"""; import os  #\n'],
)  # fmt: skip
def test_whatever_is_typed_becomes_a_valid_identifier(text):
    name = derive(text)
    assert name.pascal.isidentifier() and not keyword.iskeyword(name.pascal)
    assert name.snake.isidentifier() and not keyword.iskeyword(name.snake)
    assert name.pascal.isascii() and name.snake.isascii()
    assert name.kebab and all(c.isalnum() and c.isascii() or c == "-" for c in name.kebab)


def test_names_are_stable_between_exports():
    assert derive("注文済み") == derive("注文済み")
    assert derive("注文済み").snake != derive("発送済み").snake


def test_accents_fold_and_camel_case_splits():
    assert derive("Commande passée").snake == "commande_passee"
    assert derive("HTTPRequestSent").kebab == "http-request-sent"
    assert derive("3 Items Added").pascal == "N3ItemsAdded"


def test_a_namespace_keeps_colliding_names_apart():
    space = Namespace()
    first, renamed_first = space.claim("Order Placed")
    second, renamed_second = space.claim("order-placed")
    assert (first.pascal, renamed_first) == ("OrderPlaced", False)
    assert (second.pascal, second.snake, second.kebab, renamed_second) == (
        "OrderPlaced2", "order_placed_2", "order-placed-2", True,
    )  # fmt: skip


def test_reserved_names_are_never_handed_out():
    name, renamed = Namespace(frozenset({"runtime"})).claim("Runtime")
    assert renamed and name.snake == "runtime_2"
