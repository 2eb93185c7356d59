"""GET /healthz, what load balancers check: answers at once, without touching the database."""

import pytest


@pytest.mark.django_db
def test_healthz_answers_ok_without_a_database_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405
