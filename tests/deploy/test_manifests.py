"""deploy/'s docker-compose and Kubernetes files parse, and say what haproxy.cfg says.

They cannot run here (no Docker, no cluster): this checks what can go wrong without one, that
the YAML is valid and that every set-up hashes on the same board id, checks the same /healthz,
and starts Daphne the same way.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import yaml

from tests.servers import DAPHNE_OPTIONS, HAPROXY_CONFIG

DEPLOY = HAPROXY_CONFIG.parent
BOARD = str(uuid.uuid4())


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def test_every_yaml_file_in_deploy_parses():
    files = sorted(DEPLOY.rglob("*.yml")) + sorted(DEPLOY.rglob("*.yaml"))
    assert len(files) >= 2
    for path in files:
        assert documents(path), f"{path} is empty"


def test_compose_puts_every_process_behind_haproxy_with_the_shipped_config():
    compose = documents(DEPLOY / "docker-compose.yml")[0]
    services = compose["services"]
    apps = sorted(name for name in services if name.startswith("storming-"))
    haproxy = services["haproxy"]
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in haproxy["volumes"]
    servers = re.findall(r'^\s*server (app\d+) "\$\{(STORMING_APP\d+)\}"', HAPROXY_CONFIG.read_text(), re.MULTILINE)
    assert len(servers) == len(apps) == 2
    for (_, variable), app in zip(servers, apps, strict=True):
        assert haproxy["environment"][variable] == f"{app}:8000"
    for app in apps:
        environment = services[app]["environment"]
        assert environment["REDIS_URL"] and environment["DATABASE_URL"].startswith("postgres://")
        assert "/healthz" in " ".join(services[app]["healthcheck"]["test"])


def test_kubernetes_ingress_hashes_on_the_board_id_of_every_board_path():
    manifests = {doc["kind"]: doc for doc in documents(DEPLOY / "kubernetes" / "storming.yaml")}
    annotations = manifests["Ingress"]["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/upstream-hash-by"] == "$board_id"
    pattern = re.search(r'\$uri ~ "([^"]+)"', annotations["nginx.ingress.kubernetes.io/configuration-snippet"])
    board_in_path = re.compile(pattern.group(1))
    for path in (f"/ws/boards/{BOARD}/", f"/b/{BOARD}/", f"/api/boards/{BOARD}/ops/", f"/api/boards/{BOARD}/"):
        assert board_in_path.match(path).group(1) == BOARD, path
    assert board_in_path.match("/api/boards/") is None
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 60, "sockets outlive the timeout"


def test_kubernetes_pods_start_daphne_as_the_tests_do_and_are_checked_on_healthz():
    manifests = {doc["kind"]: doc for doc in documents(DEPLOY / "kubernetes" / "storming.yaml")}
    (container,) = manifests["Deployment"]["spec"]["template"]["spec"]["containers"]
    args = container["args"]
    assert args[0] == "daphne" and args[-1] == "storming.asgi:application"
    assert " ".join(DAPHNE_OPTIONS) in " ".join(args)
    for probe in (container["readinessProbe"], container["livenessProbe"]):
        assert probe["httpGet"]["path"] == "/healthz"
        # With STORMING_BEHIND_TLS on (the ConfigMap), a plain HTTP probe would be redirected.
        assert {"name": "X-Forwarded-Proto", "value": "https"} in probe["httpGet"]["httpHeaders"]
    assert manifests["Deployment"]["spec"]["replicas"] >= 2


def test_haproxy_checks_healthz_as_if_over_https():
    check = next(line for line in HAPROXY_CONFIG.read_text().splitlines() if "http-check send" in line)
    assert "uri /healthz" in check and "hdr X-Forwarded-Proto https" in check


def test_the_image_starts_daphne_as_the_tests_do():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert '"' + '", "'.join(DAPHNE_OPTIONS) + '"' in dockerfile
