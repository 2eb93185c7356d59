"""Issued identities that count for nothing any more are pruned; anything still referenced stays."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from boards.identity import TooManyIdentities, issue, resume, token_for
from boards.models import Board, Participant
from boards.store import OpRequest, apply_ops

from .helpers import new_id, note_op

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def board():
    return Board.objects.create(name="Checkout")


def issued(board, address="203.0.113.7", hours_ago=0) -> str:
    participant = issue(str(board.id), address).id
    if hours_ago:
        then = timezone.now() - timedelta(hours=hours_ago)
        Participant.objects.filter(board=board, uid=participant).update(created_at=then)
    return participant


def authored_a_sticky(board, participant) -> None:
    create = note_op(kind="hotspot", text="Who pays?")
    apply_ops(board.id, [OpRequest(create.op, create.data, op_id=new_id(), actor="Ana", author=participant)])


def dotted(board, participant) -> None:
    """A dot held without an event of its own on this board, as after a restore or an import."""
    board.meta = {**board.meta, "votes": {new_id(): {participant: 1}}}
    board.save(update_fields=["meta"])


def kept(board) -> set[str]:
    return set(Participant.objects.filter(board=board).values_list("uid", flat=True))


def prune_participants(*args: str) -> str:
    out = StringIO()
    call_command("prune_participants", *args, stdout=out)
    return out.getvalue()


def test_the_command_prunes_old_identities_that_nothing_refers_to_and_keeps_the_rest(board):
    gone = issued(board, hours_ago=3)
    author = issued(board, hours_ago=3)
    authored_a_sticky(board, author)
    voter = issued(board, hours_ago=3)
    dotted(board, voter)
    recent = issued(board)

    assert prune_participants("--dry-run") == "1 participant identities would be pruned.\n"
    assert gone in kept(board)
    assert prune_participants() == "1 participant identities pruned.\n"
    assert kept(board) == {author, voter, recent}


def test_the_command_can_keep_to_one_board_and_says_so_when_there_is_no_such_board(board):
    other = Board.objects.create(name="Shipping")
    here, there = issued(board, hours_ago=3), issued(other, hours_ago=3)
    assert prune_participants("--board", str(board.id)) == "1 participant identities pruned.\n"
    assert here not in kept(board) and kept(other) == {there}
    with pytest.raises(CommandError, match="no board with the id 'nope'"):
        prune_participants("--board", "nope")


def test_a_person_whose_identity_was_pruned_comes_back_as_the_same_identity(board):
    participant = issued(board, hours_ago=3)
    prune_participants()
    assert participant not in kept(board)
    assert resume(str(board.id), token_for(str(board.id), participant)).id == participant


def test_issuing_past_the_cap_prunes_the_board_but_not_what_is_referenced_or_recent(board, settings):
    settings.STORMING_PARTICIPANTS_PER_BOARD = 4
    old = [issued(board, address=f"198.51.100.{i}", hours_ago=3) for i in range(3)]
    authored_a_sticky(board, old[0])
    recent = issued(board)
    assert kept(board) == {*old, recent}  # four: at the cap, nothing pruned yet

    newest = issued(board)
    assert kept(board) == {old[0], recent, newest}


def test_pruning_never_lets_an_address_take_more_identities_than_the_window_allows(board, settings):
    settings.STORMING_NEW_PARTICIPANTS_PER_ADDRESS = 3
    settings.STORMING_PARTICIPANTS_PER_BOARD = 1
    for _ in range(3):
        issued(board)
    with pytest.raises(TooManyIdentities):
        issued(board)
    assert len(kept(board)) == 3
