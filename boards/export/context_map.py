"""The context map picture in the export: docs/context-map.svg."""

from __future__ import annotations

from .plan import ExportPlan


def render(plan: ExportPlan) -> dict[str, bytes]:
    return {"docs/context-map.svg": plan.context_map.encode()} if plan.context_map else {}
