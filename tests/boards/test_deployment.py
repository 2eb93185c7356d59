"""Settings that are safe by default: a secret key of the server's own, and `check --deploy` advice."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from tests.servers import ROOT

PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"
DEVELOPMENT_KEY = "storming-development-only-key-change-me-in-production"


def env(data_dir, **extra: str) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("STORMING_") and k not in ("SECRET_KEY", "DEBUG", "REDIS_URL")
    }
    base.update({"DJANGO_SETTINGS_MODULE": "storming.settings", "STORMING_DATA_DIR": str(data_dir)}, **extra)
    return base


def secret_key(environment: dict[str, str]) -> str:
    code = f"import django; django.setup(); {PRINT_KEY}"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def check_deploy(environment: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    return done.stdout + done.stderr


def test_without_secret_key_the_server_makes_a_random_one_and_keeps_it_private(tmp_path):
    first, second = secret_key(env(tmp_path / "a")), secret_key(env(tmp_path / "b"))
    assert first != second, "two servers made the same key: it is not random"
    assert DEVELOPMENT_KEY not in (first, second)
    assert len(first) >= 50
    kept = tmp_path / "a" / "secret_key"
    assert kept.read_text().strip() == first
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600, "others on the machine could read the key"


def test_the_key_survives_a_restart_and_processes_starting_together_agree(tmp_path):
    with ThreadPoolExecutor(4) as pool:
        keys = set(pool.map(lambda _: secret_key(env(tmp_path)), range(4)))
    assert len(keys) == 1, "processes started together ended up with different keys"
    assert secret_key(env(tmp_path)) == keys.pop(), "a restart changed the key: every session would end"
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"], "a candidate file was left behind"


def test_a_configured_secret_key_wins_and_nothing_is_written(tmp_path):
    assert secret_key(env(tmp_path, SECRET_KEY="configured-key-" + "x" * 50)) == "configured-key-" + "x" * 50
    assert not (tmp_path / "secret_key").exists()


def test_an_unwritable_data_directory_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code = f"import django; django.setup(); {PRINT_KEY}"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env(blocker / "data"), capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "Set SECRET_KEY, or STORMING_DATA_DIR to a directory this user can write" in done.stderr


def test_check_deploy_warns_about_debug_tls_and_local_hosts(tmp_path):
    report = check_deploy(env(tmp_path, DEBUG="true"))
    for check in ("security.W018", "storming.W001", "storming.W003", "security.W004", "security.W012"):
        assert check in report, f"{check} missing from:\n{report}"


def test_check_deploy_goes_quiet_behind_tls_with_real_host_names(tmp_path):
    report = check_deploy(
        env(
            tmp_path,
            STORMING_BEHIND_TLS="true",
            ALLOWED_HOSTS="storming.example.com",
            STORMING_HSTS_INCLUDE_SUBDOMAINS="true",
            STORMING_HSTS_PRELOAD="true",
        )
    )
    assert "System check identified no issues" in report, report


def test_several_processes_with_a_generated_key_are_told_to_share_one(tmp_path):
    assert "storming.W002" in check_deploy(env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0"))
    configured = env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0", SECRET_KEY="k" * 60 + "-Zq9")
    assert "storming.W002" not in check_deploy(configured)


def test_behind_tls_cookies_are_secure_hsts_is_sent_and_plain_http_redirects(tmp_path):
    code = """
import django, json
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
secure = Client(headers={"X-Forwarded-Proto": "https"}).get("/accounts/login/")
plain = Client().get("/accounts/login/")
print(json.dumps({
    "hsts": secure.headers.get("Strict-Transport-Security"),
    "csrf_cookie_secure": bool(secure.cookies["csrftoken"]["secure"]),
    "plain": [plain.status_code, plain.headers.get("Location")],
}))
"""
    environment = env(tmp_path, STORMING_BEHIND_TLS="true", ALLOWED_HOSTS="testserver")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["hsts"] == "max-age=31536000"
    assert seen["csrf_cookie_secure"] is True
    assert seen["plain"] == [301, "https://testserver/accounts/login/"]


def sqlite_synchronous(environment: dict[str, str], path) -> str:
    environment = {k: v for k, v in environment.items() if k != "DATABASE_URL"} | {"SQLITE_PATH": str(path)}
    code = (
        "import django; django.setup(); from django.db import connection; "
        "cursor = connection.cursor(); cursor.execute('PRAGMA synchronous'); print(cursor.fetchone()[0])"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return {"1": "NORMAL", "2": "FULL"}[done.stdout.strip()]


def test_sqlite_syncs_every_commit_so_an_acked_op_survives_an_os_crash(tmp_path):
    assert sqlite_synchronous(env(tmp_path), tmp_path / "db.sqlite3") == "FULL"
    relaxed = env(tmp_path, STORMING_SQLITE_SYNCHRONOUS="normal")
    assert sqlite_synchronous(relaxed, tmp_path / "db.sqlite3") == "NORMAL"
