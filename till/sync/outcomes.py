"""What a sync cycle came to, and head office's refusals in words a person can act on."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.protocol import PROTOCOL_VERSION, Rejected, Unauthorized, UpgradeRequired


class Outcome(StrEnum):
    DONE = "done"  # push: the outbox is empty; pull: the till is at head office's head
    RETRY = "retry"  # head office (or the store) could not be used: back off and try again
    HALTED = "halted"  # head office refused the till: nothing more until a person acts
    STOPPED = "stopped"  # asked to stop part-way


@dataclass(frozen=True)
class PushResult:
    outcome: Outcome
    acknowledged: int = 0
    quarantined: int = 0
    problem: str | None = None


@dataclass(frozen=True)
class PullResult:
    outcome: Outcome
    pages: int = 0
    changes: int = 0
    problem: str | None = None


def refused_credential(answer: Unauthorized) -> str:
    return (
        f"head office refused this till's credential ({answer.message}); it was probably "
        "revoked or replaced: re-enrol the till with a new code from head office — sales are "
        "kept on the till until then"
    )


def upgrade_needed(answer: UpgradeRequired) -> str:
    versions = ", ".join(str(v) for v in answer.accepted_versions) or "none"
    return (
        f"head office no longer accepts this SG-POS (protocol {PROTOCOL_VERSION}; it accepts "
        f"{versions}): {answer.message}. Upgrade this till; its sales are kept until then"
    )


def rejected_push(what: str, answer: Rejected) -> str:
    return (
        f"head office refused {what} and stored none of them: {_reasons(answer)} — sales are "
        "kept on the till; call support"
    )


def rejected_pull(cursor: str, answer: Rejected) -> str:
    return (
        f"head office refused to send master data from cursor {cursor!r}: {_reasons(answer)}; "
        "prices and staff stay as they are — call support"
    )


def _reasons(answer: Rejected) -> str:
    details = "; ".join(f"{e.event_id or 'batch'}: {e.reason}" for e in answer.events[:3])
    return f"{answer.message} ({details})" if details else answer.message
