"""Reference commands that need no plan: forms and convert."""

from __future__ import annotations

import argparse
import json
import re
from typing import TextIO

from mgplan._errors import InvalidInputError
from mgplan._forms import FORMS, get_form
from mgplan._product import format_mg

from . import _MG_PER
from ._common import _table


def cmd_forms(args: argparse.Namespace, out: TextIO) -> int:
    if args.json:
        data = [
            {
                "id": form.id,
                "name": form.name,
                "formula": form.formula,
                "elemental_fraction": form.elemental_fraction,
                "gi_tendency": form.gi_tendency.value,
            }
            for form in FORMS.values()
        ]
        print(json.dumps(data, indent=2, ensure_ascii=False), file=out)
        return 0
    rows = [("id", "name", "formula", "Mg %", "GI tendency")]
    rows += [
        (
            form.id,
            form.name,
            form.formula,
            f"{form.elemental_fraction * 100:.2f}",
            form.gi_tendency.value,
        )
        for form in FORMS.values()
    ]
    print(_table(rows), file=out)
    print(file=out)
    print(
        "GI tendency: high = most often reported to cause diarrhoea (NIH ODS); "
        "osmotic = every dissociable salt can (IOM); lower = one small trial "
        "found it better tolerated.",
        file=out,
    )
    return 0


def cmd_convert(args: argparse.Namespace, out: TextIO) -> int:
    amount, unit = args.amount
    words = list(args.words)
    if words and words[0].lower() in _MG_PER:
        if unit is not None:
            raise InvalidInputError("UNIT", "one unit", f"{unit} and {words[0]}")
        unit = words.pop(0).lower()
    amount *= _MG_PER[unit or "mg"]
    # mmol and mEq count magnesium itself: the amount is elemental.
    elemental_given = args.elemental or unit in ("mmol", "meq")
    if not 0 < amount < 1e9:
        raise InvalidInputError("amount", "a positive amount below 1,000 kg", amount)
    # Label names: "Magnesium Bisglycinate Chelate", "magnesium-citrate".
    words = [
        w
        for w in re.split(r"[\s_-]+", " ".join(words).lower())
        if w and w not in ("magnesium", "chelate", "elemental")
    ]
    if not words:
        raise InvalidInputError("FORM", "a form such as 'citrate'", None)
    form = get_form("_".join(words))
    elemental = "elemental magnesium"
    if elemental_given:
        given, found = (amount, elemental), (form.to_compound(amount), form.name)
    else:
        given, found = (amount, form.name), (form.to_elemental(amount), elemental)
    if args.json:
        elemental_mg = given[0] if elemental_given else found[0]
        compound_mg = found[0] if elemental_given else given[0]
        data = {
            "form": form.id,
            "elemental_mg": round(elemental_mg, 3),
            "compound_mg": round(compound_mg, 3),
            "elemental_fraction": form.elemental_fraction,
        }
        print(json.dumps(data), file=out)
        return 0
    print(
        f"{format_mg(given[0])} {given[1]} = {format_mg(found[0])} {found[1]} "
        f"({form.elemental_fraction * 100:.2f} % magnesium).",
        file=out,
    )
    return 0
