"""Passwords cannot be guessed at speed: failed sign-ins are limited per username and per address."""

import time
from uuid import uuid4

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, for tests only
    # Counters of a cache of the test's own, never the Redis database other tests use.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid4().hex}}


@pytest.fixture
def ana():
    return User.objects.create_user("ana", password="correct horse battery")


def sign_in(username, password, address="203.0.113.7", path="/accounts/login/"):
    return Client(REMOTE_ADDR=address).post(path, {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_username_even_for_the_right_one(ana):
    for _ in range(5):
        assert sign_in("ana", "guess").status_code == 200
    locked = sign_in("ana", "correct horse battery", address="198.51.100.1")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "Try again in 15 minutes" in locked.content.decode()
    assert 0 < int(locked.headers["Retry-After"]) <= 900
    assert "_auth_user_id" not in locked.wsgi_request.session


def test_other_people_can_still_sign_in_while_one_username_is_locked(ana):
    User.objects.create_user("bo", password="another long password")
    for _ in range(5):
        sign_in("ana", "guess")
    assert sign_in("bo", "another long password").status_code == 302


def test_one_address_cannot_try_many_usernames(ana, settings):
    settings.STORMING_LOGIN_FAILURES_PER_ADDRESS = 3
    for name in ("a1", "a2", "a3"):
        sign_in(name, "guess")
    assert sign_in("ana", "correct horse battery").status_code == 429
    assert sign_in("ana", "correct horse battery", address="198.51.100.1").status_code == 302


def test_behind_a_proxy_the_address_comes_from_the_named_header(ana, settings):
    settings.STORMING_CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    settings.STORMING_LOGIN_FAILURES_PER_ADDRESS = 2
    proxy = "127.0.0.1"
    for name in ("a1", "a2"):
        Client(REMOTE_ADDR=proxy, headers={"X-Forwarded-For": "203.0.113.7"}).post(
            "/accounts/login/", {"username": name, "password": "guess"}
        )
    other = Client(REMOTE_ADDR=proxy, headers={"X-Forwarded-For": "spoofed, 198.51.100.1"})
    assert other.post("/accounts/login/", {"username": "ana", "password": "correct horse battery"}).status_code == 302


def test_a_successful_sign_in_forgets_earlier_failures(ana):
    for _ in range(4):
        sign_in("ana", "guess")
    assert sign_in("ana", "correct horse battery").status_code == 302
    for _ in range(4):
        sign_in("ana", "guess")
    assert sign_in("ana", "correct horse battery").status_code == 302


def test_the_lock_ends_with_its_window(ana, monkeypatch):
    for _ in range(5):
        sign_in("ana", "guess")
    assert sign_in("ana", "correct horse battery").status_code == 429
    fifteen_minutes_later = time.time() + 15 * 60 + 1
    monkeypatch.setattr(time, "time", lambda: fifteen_minutes_later)
    assert sign_in("ana", "correct horse battery").status_code == 302


def test_the_admin_sign_in_is_throttled_too(ana):
    ana.is_staff = True
    ana.save()
    for _ in range(5):
        sign_in("ana", "guess", path="/admin/login/")
    page = sign_in("ana", "correct horse battery", path="/admin/login/")
    assert "Too many failed sign-ins" in page.content.decode()


def test_with_redis_every_server_process_counts_the_same_failures(ana, settings, redis_url):
    """Several Daphne processes share one count through Redis (REDIS_URL sets it as the cache)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url},
    }
    settings.STORMING_CLIENT_ADDRESS_HEADER = ""
    username = f"ana-{uuid4().hex[:8]}"  # fresh counters without flushing a shared Redis
    User.objects.create_user(username, password="correct horse battery")
    for _ in range(5):
        sign_in(username, "guess", address=f"192.0.2.{uuid4().int % 250}")
    assert sign_in(username, "correct horse battery").status_code == 429
