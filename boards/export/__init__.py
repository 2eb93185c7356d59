"""The export: a board snapshot -> the topic model -> files -> a ZIP.

plan = plan_export(snapshot, parse_options(query, snapshot["name"]))
files = render_files(plan)          # {"asyncapi.yaml": b"...", ...}
data = build_zip(files, "checkout")
"""

from __future__ import annotations

from . import asyncapi, avro_schemas, changelog, codegen, context_map, json_schemas, project, schema_registry, topics
from .archive import build_zip
from .options import ExportOptions, InvalidOption, parse_options
from .plan import ExportPlan, TopicPlan, plan_export

RENDERERS = (asyncapi, json_schemas, avro_schemas, schema_registry, topics, codegen, project, context_map, changelog)


def render_files(plan: ExportPlan) -> dict[str, bytes]:
    """Every file of the export, path -> content, in a stable order."""
    files: dict[str, bytes] = {}
    for renderer in RENDERERS:
        files.update(renderer.render(plan))
    return dict(sorted(files.items()))


def export_files(snapshot: dict, options: ExportOptions | None = None) -> dict[str, bytes]:
    return render_files(plan_export(snapshot, options or ExportOptions()))


__all__ = [
    "ExportOptions", "ExportPlan", "InvalidOption", "TopicPlan",
    "build_zip", "export_files", "parse_options", "plan_export", "render_files",
]  # fmt: skip
