"""The published JSON Schemas of mgplan's file formats.

``python -m mgplan._jsonschema schemas/`` writes them; a test checks that the
files in the repository match what the models generate.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pydantic

from ._journal import JournalEntry
from ._outcomes import Ferritin, RlsRating, Stools, Taken
from ._planfile import PlanFile
from ._regimen import Regimen
from ._schedule import Schedule
from ._tolerance import ClinicianAck, MissedDose, Resolved, Retracted, SideEffectReport

__all__ = ["SCHEMAS", "generate", "write_all"]

_BASE = "urn:mgplan:schema:"

SCHEMAS: dict[str, Any] = {
    "plan.v1.schema.json": PlanFile,
    "journal-entry.v1.schema.json": JournalEntry,
    "schedule.v1.schema.json": Schedule,
    "regimen.v1.schema.json": Regimen,
    "side-effect-report.v1.schema.json": SideEffectReport,
    "missed-dose.v1.schema.json": MissedDose,
    "resolved.v1.schema.json": Resolved,
    "clinician.v1.schema.json": ClinicianAck,
    "retracted.v1.schema.json": Retracted,
    "taken.v1.schema.json": Taken,
    "rls-rating.v1.schema.json": RlsRating,
    "stools.v1.schema.json": Stools,
    "ferritin.v1.schema.json": Ferritin,
}


def generate(name: str) -> dict[str, Any]:
    """The JSON Schema published as *name*."""
    schema = pydantic.TypeAdapter(SCHEMAS[name]).json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _BASE + name,
        **schema,
    }


def render(name: str) -> str:
    """The schema as the text of its file."""
    return json.dumps(generate(name), indent=2, ensure_ascii=False) + "\n"


def write_all(folder: Path) -> list[Path]:
    """Write every schema into *folder*."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMAS:
        path = folder / name
        path.write_text(render(name), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    for path in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")):
        print(path)
