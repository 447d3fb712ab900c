"""The catalogue of magnesium salts and conversion between compound and elemental mg.

Fractions are those of the project's reference table (chemistry from [S20],
checked against IUPAC atomic weights: ``fraction = n·24.305 / M``); the test
suite recomputes each one from its formula. GI tendency tiers: the forms NIH ODS
names as "most commonly reported to cause diarrhea" [S2] and the saline
laxatives [S4][S23] are ``high``; IOM holds it "prudent to assume that all
dissociable magnesium salts share this property" [S3], so every other salt is
``osmotic`` (citrate too: no source mgplan carries singles it out); only
bisglycinate has a (small) trial suggesting better tolerance [S11], so it
alone is ``lower``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

import pydantic

from ._errors import UnknownFormError
from ._model import Model

__all__ = [
    "FORMS",
    "GITendency",
    "MagnesiumForm",
    "compound_to_elemental",
    "elemental_to_compound",
    "get_form",
    "lower_gi_alternatives",
]


class GITendency(enum.StrEnum):
    """How readily a salt loosens stools, from the evidence there is."""

    HIGH = "high"
    OSMOTIC = "osmotic"
    LOWER = "lower"

    @property
    def rank(self) -> int:
        """Higher means more laxative."""
        return {"lower": 0, "osmotic": 1, "high": 2}[self.value]

    @property
    def evidence(self) -> str:
        """What the tier rests on, and how little that is."""
        return _EVIDENCE[self]


# The tiers' evidence in words: high [S2][S4][S23]; osmotic [S3]; lower [S11].
_EVIDENCE = {
    GITendency.HIGH: "named among the forms most often reported to cause "
    "diarrhoea, or a saline laxative",
    GITendency.OSMOTIC: "no trial; assumed to loosen stools like every "
    "dissociable magnesium salt",
    GITendency.LOWER: "one small crossover trial (12 people) found it better "
    "tolerated than oxide",
}


class MagnesiumForm(Model, frozen=True):
    """A magnesium salt: its formula and how much of its mass is magnesium.

    >>> get_form("glycinate").elemental_fraction
    0.141
    """

    id: str
    name: str
    formula: str
    hydration: str
    molar_mass: float = pydantic.Field(gt=0, description="g/mol of the formula")
    mg_atoms: int = pydantic.Field(ge=1)
    elemental_fraction: float = pydantic.Field(gt=0, lt=1)
    gi_tendency: GITendency
    sources: tuple[str, ...]
    note: str = ""

    @property
    def salt(self) -> str:
        """The salt's name without its water of hydration (one per salt)."""
        if self.hydration != "anhydrous":
            return self.name.removesuffix(" " + self.hydration)
        return self.name

    def to_elemental(self, compound_mg: float) -> float:
        """Elemental mg in *compound_mg* of this salt."""
        return compound_mg * self.elemental_fraction

    def to_compound(self, elemental_mg: float) -> float:
        """Compound mg of this salt that carry *elemental_mg* of magnesium."""
        return elemental_mg / self.elemental_fraction


def _form(
    id: str,
    name: str,
    formula: str,
    hydration: str,
    molar_mass: float,
    mg_percent: float,
    gi: GITendency,
    sources: tuple[str, ...],
    note: str = "",
    mg_atoms: int = 1,
) -> MagnesiumForm:
    return MagnesiumForm(
        id=id,
        name=name,
        formula=formula,
        hydration=hydration,
        molar_mass=molar_mass,
        mg_atoms=mg_atoms,
        elemental_fraction=round(mg_percent / 100, 4),
        gi_tendency=gi,
        sources=sources,
        note=note,
    )


HI, OS, LO = GITendency.HIGH, GITendency.OSMOTIC, GITendency.LOWER

# id, name, formula, hydration, M (g/mol), Mg % — figures from [S20] as checked
# in the project's reference table; GI tier sources as in the module docstring.
_CATALOGUE = (
    _form(
        "oxide",
        "magnesium oxide",
        "MgO",
        "anhydrous",
        40.30,
        60.30,
        HI,
        ("S20", "S2"),
        "Microencapsulated oxide products are 30-37 % magnesium by mass.",
    ),
    _form(
        "citrate",
        "trimagnesium citrate",
        "Mg3(C6H5O7)2",
        "anhydrous",
        451.11,
        16.16,
        OS,
        ("S20", "S3"),
        "A label saying only 'citrate' may mean 11-16 % magnesium.",
        mg_atoms=3,
    ),
    _form(
        "citrate_nonahydrate",
        "trimagnesium citrate nonahydrate",
        "Mg3(C6H5O7)2·9H2O",
        "nonahydrate",
        613.25,
        11.89,
        OS,
        ("S20", "S3"),
        mg_atoms=3,
    ),
    _form(
        "citrate_dibasic",
        "magnesium hydrogen citrate",
        "MgC6H6O7",
        "anhydrous",
        214.41,
        11.34,
        OS,
        ("S20", "S3"),
    ),
    _form(
        "bisglycinate",
        "magnesium bisglycinate",
        "C4H8MgN2O4",
        "anhydrous",
        172.42,
        14.10,
        LO,
        ("S20", "S11"),
        "Commercial chelates are often about 10 % magnesium; buffered blends "
        "add oxide. Check the label's elemental amount.",
    ),
    _form(
        "malate",
        "magnesium malate",
        "MgC4H4O5",
        "anhydrous",
        156.38,
        15.54,
        OS,
        ("S20", "S3"),
    ),
    _form(
        "malate_trihydrate",
        "magnesium malate trihydrate",
        "MgC4H4O5·3H2O",
        "trihydrate",
        210.42,
        11.55,
        OS,
        ("S20", "S3"),
    ),
    _form(
        "chloride",
        "magnesium chloride",
        "MgCl2",
        "anhydrous",
        95.21,
        25.53,
        HI,
        ("S20", "S2"),
    ),
    _form(
        "chloride_hexahydrate",
        "magnesium chloride hexahydrate",
        "MgCl2·6H2O",
        "hexahydrate",
        203.30,
        11.96,
        HI,
        ("S20", "S2", "S3"),
        "GI symptoms in 6 of 21 people at 360 mg/day [S3].",
    ),
    _form(
        "lactate",
        "magnesium lactate dihydrate",
        "Mg(C3H5O3)2·2H2O",
        "dihydrate",
        238.48,
        10.19,
        OS,
        ("S20", "S3"),
    ),
    _form(
        "lactate_anhydrous",
        "magnesium lactate",
        "Mg(C3H5O3)2",
        "anhydrous",
        202.45,
        12.01,
        OS,
        ("S20", "S3"),
    ),
    _form(
        "l_threonate",
        "magnesium L-threonate",
        "C8H14MgO10",
        "anhydrous",
        294.50,
        8.25,
        OS,
        ("S20", "S3"),
        "Branded threonate is quoted at about 7.2 %; use the label's figure.",
    ),
    _form(
        "taurate",
        "magnesium taurate",
        "C4H12MgN2O6S2",
        "anhydrous",
        272.57,
        8.92,
        OS,
        ("S20", "S3"),
    ),
    _form(
        "sulfate",
        "magnesium sulfate heptahydrate",
        "MgSO4·7H2O",
        "heptahydrate",
        246.47,
        9.86,
        HI,
        ("S20", "S4"),
        "A saline laxative [S4].",
    ),
    _form(
        "sulfate_anhydrous",
        "magnesium sulfate",
        "MgSO4",
        "anhydrous",
        120.37,
        20.19,
        HI,
        ("S20", "S4"),
    ),
    _form(
        "carbonate",
        "magnesium carbonate",
        "MgCO3",
        "anhydrous",
        84.31,
        28.83,
        HI,
        ("S20", "S2"),
        "Basic carbonate is about 26 %; claims of 29-45 % are impossible.",
    ),
    _form(
        "hydroxide",
        "magnesium hydroxide",
        "Mg(OH)2",
        "anhydrous",
        58.32,
        41.68,
        HI,
        ("S20", "S23"),
    ),
    _form(
        "aspartate",
        "magnesium aspartate",
        "Mg(C4H6NO4)2",
        "anhydrous",
        288.50,
        8.42,
        OS,
        ("S20", "S19"),
    ),
    _form(
        "aspartate_dihydrate",
        "magnesium aspartate dihydrate",
        "Mg(C4H6NO4)2·2H2O",
        "dihydrate",
        324.53,
        7.49,
        OS,
        ("S20", "S19"),
    ),
    _form(
        "orotate",
        "magnesium orotate",
        "Mg(C5H3N2O4)2",
        "anhydrous",
        334.48,
        7.27,
        OS,
        ("S20", "S19"),
        "The dihydrate (orotate_dihydrate) is the usual commercial form.",
    ),
    _form(
        "orotate_dihydrate",
        "magnesium orotate dihydrate",
        "Mg(C5H3N2O4)2·2H2O",
        "dihydrate",
        370.51,
        6.56,
        OS,
        ("S20", "S19"),
    ),
    _form(
        "gluconate",
        "magnesium gluconate",
        "Mg(C6H11O7)2",
        "anhydrous",
        414.60,
        5.86,
        HI,
        ("S20", "S2"),
    ),
    _form(
        "gluconate_dihydrate",
        "magnesium gluconate dihydrate",
        "Mg(C6H11O7)2·2H2O",
        "dihydrate",
        450.63,
        5.39,
        HI,
        ("S21", "S2"),
        "Magonate: 54 mg magnesium per 1,000 mg [S21].",
    ),
)

FORMS: Mapping[str, MagnesiumForm] = MappingProxyType({f.id: f for f in _CATALOGUE})
"""Every catalogued form by id."""

# Everyday names on labels, mapped to the catalogue entry they usually mean.
ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "glycinate": "bisglycinate",
        "magnesium_glycinate": "bisglycinate",
        "threonate": "l_threonate",
        "trimagnesium_citrate": "citrate",
        "epsom_salt": "sulfate",
    }
)


def get_form(form_id: str) -> MagnesiumForm:
    """The catalogued form with this id or alias (case and dashes ignored).

    >>> get_form("Glycinate").id
    'bisglycinate'
    """
    key = str(form_id).strip().lower().replace("-", "_").replace(" ", "_")
    key = ALIASES.get(key, key)
    try:
        return FORMS[key]
    except KeyError:
        raise UnknownFormError(str(form_id), sorted(FORMS)) from None


def compound_to_elemental(compound_mg: float, form: str | MagnesiumForm) -> float:
    """Elemental magnesium (mg) in *compound_mg* of a salt.

    >>> round(compound_to_elemental(500, "citrate"), 1)
    80.8
    """
    f = form if isinstance(form, MagnesiumForm) else get_form(form)
    return f.to_elemental(compound_mg)


def elemental_to_compound(elemental_mg: float, form: str | MagnesiumForm) -> float:
    """Compound mg of a salt that carry *elemental_mg* of magnesium.

    >>> round(elemental_to_compound(200, "glycinate"))
    1418
    """
    f = form if isinstance(form, MagnesiumForm) else get_form(form)
    return f.to_compound(elemental_mg)


def lower_gi_alternatives(form: str | MagnesiumForm) -> tuple[MagnesiumForm, ...]:
    """Salts with a lower GI tendency than *form*: one per salt, best evidence first.

    Ranked by tier (the one with a trial first), then in catalogue order (the
    common forms first); hydrates of a salt already listed are left out.
    """
    f = form if isinstance(form, MagnesiumForm) else get_form(form)
    order = {g.id: i for i, g in enumerate(FORMS.values())}
    gentler = sorted(
        (g for g in FORMS.values() if g.gi_tendency.rank < f.gi_tendency.rank),
        key=lambda g: (g.gi_tendency.rank, order[g.id]),
    )
    seen: set[str] = set()
    out = []
    for g in gentler:
        if g.salt not in seen:
            seen.add(g.salt)
            out.append(g)
    return tuple(out)
