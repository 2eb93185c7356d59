import keyword

import pytest

from boards.export.naming import MAX_NAME_LENGTH, Namespace, derive


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


def test_reserved_names_are_renamed_in_python_only():
    name, renamed = Namespace(frozenset({"runtime"})).claim("Runtime")
    assert name.snake == "runtime_" and not renamed
    assert (name.kebab, name.wire_snake) == ("runtime", "runtime")


@pytest.mark.parametrize(("text", "python", "wire"), [("class", "class_", "class"), ("str", "str_", "str"),
                                                      ("1st line", "n1st_line", "_1st_line")])  # fmt: skip
def test_a_field_name_python_cannot_use_keeps_its_wire_name(text, python, wire):
    name, _ = Namespace(shadow_builtins=True).claim(text)
    assert (name.snake, name.wire_snake) == (python, wire)


@pytest.mark.parametrize("text", ["Event", "Command", "Class Var", "Policy", "Exception"])
def test_a_class_never_shadows_what_the_generated_code_imports(text):
    name, _ = Namespace().claim(text)
    assert name.pascal == name.wire_pascal + "_"


def test_a_long_name_is_clipped_with_a_stable_hash_and_stays_unique():
    long_a, long_b = "Order " * 300 + "Placed", "Order " * 300 + "Cancelled"
    a, b = derive(long_a), derive(long_b)
    assert len(a.snake) <= MAX_NAME_LENGTH and len(a.kebab) <= MAX_NAME_LENGTH
    assert a.snake != b.snake and a == derive(long_a)
    assert a.snake.startswith("order_order")


def test_names_that_differ_only_where_pascal_case_cannot_see_still_collide():
    space = Namespace()
    first, _ = space.claim("a 1b")
    second, renamed = space.claim("a1b")
    assert renamed and first.wire_pascal != second.wire_pascal
