import pytest

from boards.language import (
    is_imperative,
    is_past_tense,
    looks_like_noun_phrase,
    normalise_name,
    starts_with_gerund,
    starts_with_whenever,
)

EVENTS_IN_PAST_TENSE = [
    "Order Placed",
    "Payment Failed",
    "Goods Shipped",
    "Item Sent",
    "Stock Ran Out",
    "Order Was Cancelled",
    "Order Has Been Shipped",
    "Item Added To Cart",
    "Cart Checked Out",
    "Customer Notified",
    "Payment Succeeded",
    "Speed Limit Exceeded",
    "Terms Agreed",
    "Invoice Paid",
    "Ticket Sold",
    "Book Read",
    "Price Set",
    "Money Withdrawn",
    "Account Frozen",
    "Parcel Handed Over To Courier",
    "Order Shipped Late",
    "Order Packed And Shipped",
    "Payment Not Received",
    "Order Marked As Paid",
    "Feed Updated",
    "Seed Data Loaded",
    "Registered",
    "Sent To Customer",
    "Pre-Order Confirmed",
    "order placed.",
    "Purchase Order Approved",
]

NOT_PAST_TENSE = [
    "Payment",
    "Registration",
    "Order Placement",
    "Shipment",
    "Approval",
    "Delivery",
    "Place Order",
    "Placing Order",
    "Order Shipping",
    "Customer Places Order",
    "Order Is Shipped",
    "Order Will Be Paid",
    "Payment To Be Taken",
    "Need",
    "Bed",
    "Speed",
    "Red",
    "Seed",
    "Proceed To Checkout",
    "Hundred Items",
    "Send Email To Registered Customer",
    "Set Up Account",
    "Mark Order As Paid",
    "Mark Order Paid",
    "Shipped Goods",
    "",
    "   ",
]

IMPERATIVE = [
    "Place Order",
    "Add Item To Cart",
    "Check Out Cart",
    "Pay Invoice",
    "Send Receipt",
    "Set Price",
    "Set Up Account",
    "Reset Password",
    "Cancel Order",
    "Request Payment",
    "Notify Customer",
    "Ship Goods",
    "Mark Order As Paid",
    "Mark Order Paid",
    "Send Email To Registered Customer",
    "Implement Feature",
    "Query Stock",
    "Ping Server",
    "Bring Goods In",
    "Process Refund",
    "Feed Cat",
    "Proceed To Checkout",
    "Authorise Card",
    "Register",
]

NOT_IMPERATIVE = [
    "Order Placed",
    "Placing Order",
    "Payment",
    "Registration",
    "Placed Order",
    "Sent Receipt",
    "Places Order",
    "Customer Places Order",
    "Order Is Shipped",
    "Order Will Be Paid",
    "Goods Shipped",
    "Stock Ran Out",
    "Item Added To Cart",
    "New Order",
    "The Order",
    "Customer Notified",
    "",
]


@pytest.mark.parametrize("text", EVENTS_IN_PAST_TENSE)
def test_it_reads_event_names_in_past_tense(text):
    assert is_past_tense(text)


@pytest.mark.parametrize("text", NOT_PAST_TENSE)
def test_it_refuses_names_that_are_not_past_tense(text):
    assert not is_past_tense(text)


@pytest.mark.parametrize("text", IMPERATIVE)
def test_it_reads_commands_as_instructions(text):
    assert is_imperative(text)


@pytest.mark.parametrize("text", NOT_IMPERATIVE)
def test_it_refuses_names_that_are_not_instructions(text):
    assert not is_imperative(text)


def test_a_lone_verb_whose_past_is_its_base_reads_both_ways():
    # "Reset" on an orange sticky happened; on a blue one it is an order. Both are fine.
    assert is_past_tense("Reset")
    assert is_imperative("Reset")


def test_it_knows_the_common_irregular_past_forms():
    for past in ["Ran", "Sent", "Paid", "Sold", "Bought", "Gone", "Taken", "Written", "Chosen"]:
        assert is_past_tense(f"Thing {past}"), past
    for participle in ["Broken", "Forgotten", "Hidden", "Shown", "Thrown", "Undone"]:
        assert is_past_tense(f"Thing {participle}"), participle


def test_policies_start_with_whenever_in_any_case():
    assert starts_with_whenever("Whenever Order Placed, then Request Payment")
    assert starts_with_whenever("  whenever order placed then request payment")
    assert not starts_with_whenever("When Order Placed, then Request Payment")
    assert not starts_with_whenever("Request Payment whenever Order Placed")
    assert not starts_with_whenever("Wheneverything")
    assert not starts_with_whenever("")


def test_names_that_differ_only_in_case_spacing_and_punctuation_are_the_same():
    assert normalise_name("Order  placed.") == normalise_name("order Placed")
    assert normalise_name("Order Placed") != normalise_name("Order Paid")
    assert normalise_name("Order V1") != normalise_name("Order V2")


def test_it_tells_a_noun_phrase_from_a_happening():
    assert looks_like_noun_phrase("Payment")
    assert looks_like_noun_phrase("Order Placement")
    assert not looks_like_noun_phrase("Order Placed")
    assert not looks_like_noun_phrase("")


def test_it_tells_ongoing_activity_from_verbs_that_end_in_ing():
    assert starts_with_gerund("Placing Order")
    assert starts_with_gerund("Shipping Goods")
    assert not starts_with_gerund("Bring Goods In")
    assert not starts_with_gerund("Ping Server")
    assert not starts_with_gerund("Order Shipping")
