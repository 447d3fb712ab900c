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
from ._rules import RULES, Rule
from ._schedule import (
    DISCLAIMER,
    RED_FLAGS,
    RED_FLAGS_SHORT,
    RED_FLAGS_TEXT,
    Action,
    DayEntry,
    Decision,
    DoseStep,
    Intake,
    Phase,
    Schedule,
)
from ._sources import SOURCES
from ._tolerance import (
    CTCAE_DIARRHOEA,
    ClinicianAck,
    MissedDose,
    Resolved,
    Retracted,
    Severity,
    SideEffectReport,
    Symptom,
    TolerancePolicy,
)

__version__ = "0.1.0.dev0"

# Static, so type checkers and IDEs see it; a test keeps it complete and sorted.
__all__ = [
    "CONDITIONS",
    "CTCAE_DIARRHOEA",
    "DISCLAIMER",
    "FORMS",
    "PRESETS",
    "RED_FLAGS",
    "RED_FLAGS_SHORT",
    "RED_FLAGS_TEXT",
    "RULES",
    "SOURCES",
    "UPPER_LIMITS",
    "Action",
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
    "GITendency",
    "Intake",
    "InvalidInputError",
    "Journal",
    "JournalEntries",
    "LimitSet",
    "MagnesiumForm",
    "MgplanError",
    "MgplanWarning",
    "MissedDose",
    "Phase",
    "PlanFile",
    "PlanFileError",
    "Problem",
    "Product",
    "Regimen",
    "Resolved",
    "Retracted",
    "Rule",
    "SafetyNote",
    "SafetyProfile",
    "Schedule",
    "Severity",
    "SideEffectReport",
    "Slot",
    "Symptom",
    "SyncError",
    "TolerancePolicy",
    "UnknownFormError",
    "compound_to_elemental",
    "elemental_to_compound",
    "get_form",
    "load_plan",
    "lower_gi_alternatives",
    "plan",
]
