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


@pytest.mark.django_db
def test_healthz_answers_a_balancer_that_says_https_when_plain_http_is_redirected(client, settings):
    """With STORMING_BEHIND_TLS on, plain HTTP is redirected; deploy/'s checks say X-Forwarded-Proto: https."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/healthz").status_code == 301
    assert client.get("/healthz", headers={"X-Forwarded-Proto": "https"}).status_code == 200
