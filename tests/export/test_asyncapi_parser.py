"""The checkout export's asyncapi.yaml passes the official AsyncAPI parser, offline, in both value formats."""

from __future__ import annotations

import pytest
import yaml

from boards.export import export_files, parse_options

from .official_tools import parse_asyncapi


def write_asyncapi(checkout, tmp_path, value_format: str, edit=None):
    files = export_files(checkout, parse_options({"value_format": value_format}, checkout["name"]))
    document = yaml.safe_load(files["asyncapi.yaml"])
    if edit:
        edit(document)
    path = tmp_path / f"asyncapi-{value_format}.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("value_format", ["json", "avro"])
def test_the_checkout_asyncapi_passes_the_official_parser(checkout, tmp_path, value_format):
    result = parse_asyncapi(write_asyncapi(checkout, tmp_path, value_format))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok: ")


def test_the_parser_reports_an_invalid_avro_payload(checkout, tmp_path):
    def break_avro(document):
        payload = document["components"]["messages"]["ordering.OrderPlaced"]["payload"]
        payload["schema"]["fields"][0]["type"] = "no-such-type"

    result = parse_asyncapi(write_asyncapi(checkout, tmp_path, "avro", break_avro))
    assert result.returncode == 1
    assert "/components/messages/ordering.OrderPlaced/payload/schema" in result.stdout


def test_the_parser_refuses_remote_refs_instead_of_going_online(checkout, tmp_path):
    def add_remote_ref(document):
        document["components"]["messages"]["remote"] = {"$ref": "https://example.com/message.yaml"}

    result = parse_asyncapi(write_asyncapi(checkout, tmp_path, "json", add_remote_ref))
    assert result.returncode == 1
    assert "network access refused" in result.stdout
