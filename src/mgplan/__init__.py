"""mgplan: plan magnesium supplementation for restless legs, start low, go slow.

mgplan turns a titration into a dated evening schedule, holds or steps back on
reported GI side effects, and never schedules more than the daily cap. It is a
planning aid, not medical advice, and makes no claim that magnesium helps.

>>> import datetime as dt, mgplan
>>> product = mgplan.Product(name="Gly", form="glycinate", amount_per_unit=100)
>>> regimen = mgplan.Regimen(
...     product=product, start_date=dt.date(2026, 12, 1), tz="Europe/Berlin"
... )
>>> schedule = mgplan.plan(regimen)
>>> schedule.day(dt.date(2026, 12, 8)).elemental_mg
200.0

Exporters live in their own modules and are imported on demand:
``mgplan.ics`` (iCalendar), ``mgplan.caldav`` (CalDAV sync), ``mgplan.fhir``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names, for type checkers; at run time see __getattr__
    from ._engine import plan
    from ._errors import (
        ContraindicationError,
        DoseAboveCapError,
        ExportError,
        InvalidInputError,
        MgplanError,
        MgplanWarning,
        PlanFileError,
        Problem,
        SyncError,
        UnknownFormError,
    )
    from ._forms import (
        FORMS,
        GITendency,
        MagnesiumForm,
        compound_to_elemental,
        elemental_to_compound,
        get_form,
        lower_gi_alternatives,
    )
    from ._journal import Journal, JournalEntries
    from ._notes import NOTE_SYNTAX, Note, parse_note
    from ._outcomes import (
        DAY_BOUNDARY,
        RATING_SCALES,
        Ferritin,
        RlsRating,
        Stools,
        Taken,
        evening_of,
    )
    from ._planfile import CalendarSettings, PlanFile, load_plan
    from ._product import Dose, Product
    from ._profile import (
        CONDITIONS,
        UPPER_LIMITS,
        ClinicianOverride,
        Condition,
        ConditionRule,
        LimitSet,
        SafetyNote,
        SafetyProfile,
    )
    from ._regimen import PRESETS, Regimen, Slot
    from ._review import Adherence, Review, ScaleResult, review
    from ._rules import RULES, Rule
    from ._schedule import (
        Action,
        DayEntry,
        Decision,
        DoseStep,
        Intake,
        Phase,
        Schedule,
    )
    from ._sources import SOURCES
    from ._spacing import Medicine, SpacingRule
    from ._tolerance import (
        CTCAE_DIARRHOEA,
        ClinicianAck,
        ItemSource,
        MissedDose,
        Resolved,
        Retracted,
        SideEffectReport,
        TolerancePolicy,
    )
    from ._trial import Trial, TrialBlock, TrialResult
    from ._words import (
        DISCLAIMER,
        RED_FLAGS,
        RED_FLAGS_SHORT,
        RED_FLAGS_TEXT,
        Severity,
        Symptom,
    )

__version__ = "0.1.0.dev0"

# Static, so type checkers and IDEs see it; a test keeps it complete and sorted.
__all__ = [
    "CONDITIONS",
    "CTCAE_DIARRHOEA",
    "DAY_BOUNDARY",
    "DISCLAIMER",
    "FORMS",
    "NOTE_SYNTAX",
    "PRESETS",
    "RATING_SCALES",
    "RED_FLAGS",
    "RED_FLAGS_SHORT",
    "RED_FLAGS_TEXT",
    "RULES",
    "SOURCES",
    "UPPER_LIMITS",
    "Action",
    "Adherence",
    "CalendarSettings",
    "ClinicianAck",
    "ClinicianOverride",
    "Condition",
    "ConditionRule",
    "ContraindicationError",
    "DayEntry",
    "Decision",
    "Dose",
    "DoseAboveCapError",
    "DoseStep",
    "ExportError",
    "Ferritin",
    "GITendency",
    "Intake",
    "InvalidInputError",
    "ItemSource",
    "Journal",
    "JournalEntries",
    "LimitSet",
    "MagnesiumForm",
    "Medicine",
    "MgplanError",
    "MgplanWarning",
    "MissedDose",
    "Note",
    "Phase",
    "PlanFile",
    "PlanFileError",
    "Problem",
    "Product",
    "Regimen",
    "Resolved",
    "Retracted",
    "Review",
    "RlsRating",
    "Rule",
    "SafetyNote",
    "SafetyProfile",
    "ScaleResult",
    "Schedule",
    "Severity",
    "SideEffectReport",
    "Slot",
    "SpacingRule",
    "Stools",
    "Symptom",
    "SyncError",
    "Taken",
    "TolerancePolicy",
    "Trial",
    "TrialBlock",
    "TrialResult",
    "UnknownFormError",
    "compound_to_elemental",
    "elemental_to_compound",
    "evening_of",
    "get_form",
    "load_plan",
    "lower_gi_alternatives",
    "parse_note",
    "plan",
    "review",
]

# Each public name and the module that defines it. Importing mgplan imports
# none of them: the first use of a name does (PEP 562), so `mgplan --help`
# starts without the model layer. A test keeps this table, the imports above
# and __all__ the same.
_LAZY: dict[str, str] = {
    "plan": "._engine",
    "NOTE_SYNTAX": "._notes",
    "Note": "._notes",
    "parse_note": "._notes",
    "ContraindicationError": "._errors",
    "DoseAboveCapError": "._errors",
    "ExportError": "._errors",
    "InvalidInputError": "._errors",
    "MgplanError": "._errors",
    "MgplanWarning": "._errors",
    "PlanFileError": "._errors",
    "Problem": "._errors",
    "SyncError": "._errors",
    "UnknownFormError": "._errors",
    "FORMS": "._forms",
    "GITendency": "._forms",
    "MagnesiumForm": "._forms",
    "compound_to_elemental": "._forms",
    "elemental_to_compound": "._forms",
    "get_form": "._forms",
    "lower_gi_alternatives": "._forms",
    "Journal": "._journal",
    "JournalEntries": "._journal",
    "DAY_BOUNDARY": "._outcomes",
    "RATING_SCALES": "._outcomes",
    "Ferritin": "._outcomes",
    "RlsRating": "._outcomes",
    "Stools": "._outcomes",
    "Taken": "._outcomes",
    "evening_of": "._outcomes",
    "Adherence": "._review",
    "Review": "._review",
    "ScaleResult": "._review",
    "review": "._review",
    "Trial": "._trial",
    "TrialBlock": "._trial",
    "TrialResult": "._trial",
    "CalendarSettings": "._planfile",
    "PlanFile": "._planfile",
    "load_plan": "._planfile",
    "Dose": "._product",
    "Product": "._product",
    "CONDITIONS": "._profile",
    "UPPER_LIMITS": "._profile",
    "ClinicianOverride": "._profile",
    "Condition": "._profile",
    "ConditionRule": "._profile",
    "LimitSet": "._profile",
    "SafetyNote": "._profile",
    "SafetyProfile": "._profile",
    "Medicine": "._spacing",
    "SpacingRule": "._spacing",
    "PRESETS": "._regimen",
    "Regimen": "._regimen",
    "Slot": "._regimen",
    "RULES": "._rules",
    "Rule": "._rules",
    "Action": "._schedule",
    "DayEntry": "._schedule",
    "Decision": "._schedule",
    "DoseStep": "._schedule",
    "Intake": "._schedule",
    "Phase": "._schedule",
    "Schedule": "._schedule",
    "SOURCES": "._sources",
    "DISCLAIMER": "._words",
    "RED_FLAGS": "._words",
    "RED_FLAGS_SHORT": "._words",
    "RED_FLAGS_TEXT": "._words",
    "Severity": "._words",
    "Symptom": "._words",
    "CTCAE_DIARRHOEA": "._tolerance",
    "ClinicianAck": "._tolerance",
    "ItemSource": "._tolerance",
    "MissedDose": "._tolerance",
    "Resolved": "._tolerance",
    "Retracted": "._tolerance",
    "SideEffectReport": "._tolerance",
    "TolerancePolicy": "._tolerance",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mgplan' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # once: later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
