"""The sources behind every number mgplan ships.

Each table entry elsewhere in the package names one of these keys beside its
figure. The keys follow the project's reference notes (``[S2]`` … ``[S24]``).
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["SOURCES"]

SOURCES = MappingProxyType(
    {
        "S2": "NIH Office of Dietary Supplements, Magnesium: Fact Sheet for Health "
        "Professionals (forms most commonly reported to cause diarrhoea; drug "
        "interactions; signs of magnesium toxicity: low blood pressure, nausea, "
        "vomiting, facial flushing, urine retention, ileus, depression, lethargy, "
        "then muscle weakness, difficulty breathing, irregular heartbeat).",
        "S3": "Institute of Medicine (1997). Dietary Reference Intakes for Calcium, "
        "Phosphorus, Magnesium, Vitamin D, and Fluoride, pp. 242-245 "
        "(tolerable upper intake levels for supplemental magnesium; LOAEL 360 mg).",
        "S4": "EU Scientific Committee on Food (2001). Opinion on the Tolerable Upper "
        "Intake Level of Magnesium (250 mg/day from age 4, including pregnancy).",
        "S7": "American Academy of Sleep Medicine clinical practice guideline for "
        "restless legs syndrome, 2024 (doi:10.5664/jcsm.11390): iron studies "
        "(ferritin, transferrin saturation) first.",
        "S10": "Hornyak 1998 (PMID 9703590); Gorantla 2024 (PMID 38738598, "
        "NCT04462796): magnesium in restless legs, evening dosing.",
        "S11": "Schuette et al. 1994 (PMID 7815675): bisglycinate chelate versus "
        "oxide, 'better tolerated by all patients' (n=12).",
        "S13": "Fine et al. 1991 (PMC295344): fractional absorption falls as the "
        "single dose rises.",
        "S14": "UK SmPCs, medicines.org.uk/emc products 12118, 4841 and 3130 "
        "(spacing from magnesium salts).",
        "S15": "FDA Synthroid labelling (2008); Neurontin prescribing information; "
        "DHHS antiretroviral guidelines Table 18d; Biktarvy HCP information; "
        "quinolone interaction monographs.",
        "S16": "IOM upper-limit table as reprinted (Gale).",
        "S17": "VKM (2016) and nutri-facts.org on the SCF magnesium upper level.",
        "S18": "German Federal Institute for Risk Assessment (BfR), press release "
        "50/2017: at most 250 mg/day from supplements, split into at least two "
        "intakes.",
        "S19": "Oral magnesium SmPCs and leaflets: magnesium-ratiopharm, "
        "Magnesiocard, Magnesium Diasporal; pharmawiki.ch Magnesiumorotat "
        "(contraindications: eGFR < 30, AV block, myasthenia gravis).",
        "S20": "perlancar/perl-App-MineralUtils, lib/App/MineralUtils.pm v0.023 "
        "(elemental fractions of magnesium salts).",
        "S21": "Magonate label (magnesium gluconate dihydrate 54 mg/1,000 mg); "
        "Medscape magnesium monograph.",
        "S23": "Magnesium hydroxide SmPC, medicines.org.uk/emc product 4908: "
        "contraindicated in severe renal failure and acute gastrointestinal "
        "conditions; caution in the elderly and in impaired kidney function; "
        "in young children hypermagnesaemia, especially with renal impairment "
        "or dehydration; antacids should be avoided with nilotinib.",
        "S25": "Swiss prescribing information (Fachinformation), Swissmedic reg. "
        "65202, a magnesium-containing preparation, 'Kontraindikationen': known "
        "or suspected gastrointestinal obstruction, severe dehydration, "
        "hypermagnesaemia, active inflammatory bowel disease, severe renal "
        "impairment.",
        "S26": "Milk of Magnesia SmPC (MHRA, 2013): keep up fluid intake; if "
        "diarrhoea occurs, especially in children or the elderly, stop at once; "
        "if symptoms persist or worsen, see a doctor; magnesium is excreted in "
        "small amounts in breast milk.",
        "S27": "PTA-Forum 2018, 'OTC-Beratungscheck Magnesium' (oral magnesium "
        "products): not with severe renal impairment; caution with mild to "
        "moderate renal impairment and dehydration; tiredness after high, long "
        "use signals a raised serum magnesium.",
        "NIDIRECT": "nidirect.gov.uk, 'Diarrhoea' (NHS content): see a GP for blood "
        "in the stool, black stool, signs of dehydration, or diarrhoea that "
        "persists.",
        "S24": "FDA labelling Q&A on 21 CFR 101.36(d): Supplement Facts state the "
        "elemental amount.",
        "ATOMIC": "IUPAC standard atomic weights, abridged: Mg 24.305, C 12.011, "
        "H 1.008, O 15.999, N 14.007, Cl 35.45, S 32.06.",
        "NATHAN2009": "Nathan et al., Diabetes Care 2009;32:193-203, 'Titration of "
        "metformin': on GI side effects drop back to the previous lower dose and "
        "try again later.",
        "WEGOVY": "Wegovy (semaglutide 2.4 mg) prescribing information: if a dose is "
        "not tolerated, consider delaying the next increase by 4 weeks; if 2.4 mg "
        "is not tolerated, drop to 1.7 mg for at most 4 weeks, and stop if it is "
        "still not tolerated; after more than 2 consecutive weeks missed, "
        "re-initiate as clinically appropriate (missed-dose section).",
        "FULDA2008": "Fulda and Wetter, Brain 2008;131:902-917: pooled placebo "
        "response in restless-legs drug trials, about 40 % of patients.",
        "SILVA2017": "Silva et al., Neurology 2017: placebo arms in restless-legs "
        "trials improve by about 6-7 IRLS points; about 45 % of placebo-treated "
        "patients report adverse events.",
        "KUNSCH1989": "Kunsch, Annals of Statistics 1989;17:1217-1241: the "
        "moving-block bootstrap for dependent observations.",
        "HALL1995": "Hall, Horowitz and Jing, Biometrika 1995;82:561-574: block "
        "lengths for the bootstrap with dependent data, of the order of the cube "
        "root of the series' length for variance and intervals.",
        "CTCAE5": "NCI Common Terminology Criteria for Adverse Events v5.0 (2017), "
        "'Diarrhea': grade 1 an increase of < 4 stools/day over baseline, grade 2 "
        "4-6, grade 3 >= 7 (or incontinence, or limiting self-care). Bristol Stool "
        "Form Scale types 6-7 are the loose end of the scale.",
    }
)
