"""topics/topics.yaml, Strimzi KafkaTopic manifests, and scripts/provision_topics.py."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .naming import text_hash
from .plan import ExportPlan, TopicPlan

PROVISION_TEMPLATE = Path(__file__).with_name("templates") / "provision_topics.py"
_PLACEHOLDER = "TOPICS: list[dict[str, Any]] = []  # the export writes the planned topics here"
_K8S_NAME = re.compile(r"[^a-z0-9.-]")
_K8S_MAX = 200  # + ".yaml" stays a legal file name


def topic_dict(topic: TopicPlan) -> dict:
    """The topic as the provisioning code and topics.yaml describe it."""
    return {
        "name": topic.name,
        "partitions": topic.partitions,
        "replication_factor": topic.replication_factor,
        "configs": topic.configs,
    }


def _dump(data: object) -> bytes:
    # safe_dump quotes whatever user text needs quoting; nothing is pasted into YAML by hand.
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()


def topics_yaml(plan: ExportPlan) -> bytes:
    entries = []
    for topic in plan.topics:
        entry = topic_dict(topic) | {"kind": topic.kind, "key": topic.key}
        if topic.kind == "events":
            entry["events"] = [e.event_type for e in topic.events]
        else:
            entry["consumer_group"] = topic.group_id
        entries.append(entry)
    return _dump({"board": plan.board_name, "topics": entries})


def k8s_name(topic: TopicPlan) -> str:
    """Kubernetes names are lowercase DNS names; this one also names a file, under 255 bytes."""
    name = _K8S_NAME.sub("-", topic.name.lower()).strip(".-") or "topic"
    if len(name) <= _K8S_MAX:
        return name
    return f"{name[: _K8S_MAX - 11].strip('.-')}-{text_hash(topic.name)}"


def strimzi_manifest(topic: TopicPlan) -> bytes:
    return _dump(
        {
            "apiVersion": "kafka.strimzi.io/v1beta2",
            "kind": "KafkaTopic",
            "metadata": {
                "name": k8s_name(topic),
                # The cluster this topic belongs to; change it to your Kafka resource's name.
                "labels": {"strimzi.io/cluster": "my-cluster"},
            },
            "spec": {
                "topicName": topic.name,
                "partitions": topic.partitions,
                "replicas": topic.replication_factor,
                "config": topic.configs,
            },
        }
    )


def provision_script(plan: ExportPlan) -> bytes:
    source = PROVISION_TEMPLATE.read_text(encoding="utf-8")
    assert _PLACEHOLDER in source
    topics = [topic_dict(t) for t in plan.topics]
    return source.replace(_PLACEHOLDER, f"TOPICS: list[dict[str, Any]] = {topics!r}").encode()


def render(plan: ExportPlan) -> dict[str, bytes]:
    files = {"topics/topics.yaml": topics_yaml(plan)}
    for topic in plan.topics:
        files[f"topics/strimzi/{k8s_name(topic)}.yaml"] = strimzi_manifest(topic)
    files["scripts/provision_topics.py"] = provision_script(plan)
    return files
