"""The fhir command: the plan as a FHIR MedicationRequest."""

from __future__ import annotations

import argparse
import json
import re
from typing import TextIO

from mgplan._errors import InvalidInputError

from ._common import _Loaded, _write_output

# A FHIR relative reference: a resource type and a logical id (FHIR R5
# "References", the id pattern [A-Za-z0-9\-\.]{1,64}).
_REFERENCE = re.compile(r"[A-Z][A-Za-z]{1,63}/[A-Za-z0-9\-.]{1,64}")


def cmd_fhir(args: argparse.Namespace, out: TextIO) -> int:
    from mgplan import fhir

    subject = None
    if args.subject is not None:
        if not _REFERENCE.fullmatch(args.subject):
            raise InvalidInputError(
                "--subject", "a FHIR reference such as Patient/123", args.subject
            )
        subject = {"reference": args.subject}
    loaded = _Loaded(args.plan)
    schedule = loaded.schedule()
    version: fhir.Version = "R4" if args.version == "r4" else "R5"
    request = fhir.to_medication_request(
        schedule, version=version, subject=subject, authored_on=loaded.today
    )
    count = len(request["dosageInstruction"])
    summary = f"a FHIR {version} MedicationRequest with {count} Dosage entries"
    document = request
    if args.bundle:
        document = fhir.to_bundle(
            schedule, version=version, subject=subject, authored_on=loaded.today
        )
        summary = f"a FHIR {version} Bundle of {len(document['entry'])} resources"
    data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
    return _write_output(args.output, data, summary, out)
