"""Where the export stands among the board's releases: contract.json and CHANGELOG.md."""

from __future__ import annotations

import json

from .plan import ContractInfo, ExportPlan


def contract_dict(contract: ContractInfo) -> dict[str, object]:
    return {
        "contract_version": contract.version,
        "release_seq": contract.seq,
        "board_seq": contract.board_seq,
        # False: the board changed the contract since its latest release; these files show the draft.
        "released": contract.released,
        "subjects": dict(sorted(contract.subjects.items())),
        "unreleased_changes": list(contract.changes),
    }


def _change_lines(changes: tuple[dict, ...]) -> list[str]:
    if not changes:
        return ["- No change on the wire."]
    return [f"- {'**Breaking:** ' if c['breaking'] else ''}{c['message']} (`{c['subject']}`)" for c in changes]


def changelog(plan: ExportPlan, contract: ContractInfo) -> str:
    lines = [f"# Changelog of the {plan.board_name} contract", ""]
    lines.append(
        "Each release freezes the board at a seq of its history. Schema versions count per subject;"
        f" breaking changes are judged at the {plan.options.compatibility} level (docs/contract.md in"
        " Storming explains)."
    )
    lines.append("")
    if contract.changes or contract.version is None:
        lines += ["## Unreleased", ""]
        if contract.version is None:
            lines.append("- The contract has not been released yet: names on the wire may still change.")
        lines += _change_lines(contract.changes) if contract.changes else []
        lines.append("")
    for release in reversed(contract.releases):
        day = release.at[:10]
        lines += [f"## {release.version} ({day}, board seq {release.seq}, by {release.by or 'the facilitator'})", ""]
        if release.note:
            lines += [release.note, ""]
        if release.version == 1:
            lines.append("- First release.")
        else:
            lines += _change_lines(release.changes)
        lines.append("")
    return "\n".join(lines)


def render(plan: ExportPlan) -> dict[str, bytes]:
    if plan.contract is None:  # a plan made outside a board (a snapshot file) has no releases
        return {}
    document = json.dumps(contract_dict(plan.contract), indent=2, ensure_ascii=False) + "\n"
    return {"contract.json": document.encode(), "CHANGELOG.md": changelog(plan, plan.contract).encode()}
