"""The clinician summary: valid, self-contained, escaped HTML."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import html5lib
import pytest

import mgplan
from mgplan import summary

EXAMPLES = Path(__file__).parent.parent / "examples"
TODAY = dt.date(2027, 3, 14)


def ten_weeks() -> mgplan.Schedule:
    plan_file = mgplan.load_plan(EXAMPLES / "ten_weeks.toml")
    entries = mgplan.Journal(EXAMPLES / "ten_weeks.journal.jsonl").read()
    return plan_file.plan(entries, as_of=TODAY)


def parse(page: str) -> object:
    """html5lib in strict mode raises on any HTML5 parse error."""
    return html5lib.HTMLParser(strict=True).parse(page)


class TestPage:
    def test_valid_html5(self) -> None:
        parse(summary.to_html(ten_weeks()))

    def test_the_strict_parser_catches_errors(self) -> None:
        """The check can fail: a stray end tag is an error."""
        with pytest.raises(html5lib.html5parser.ParseError):
            parse("<!DOCTYPE html><title>x</title><body></p></body>")

    def test_has_what_a_clinician_needs(self) -> None:
        page = summary.to_html(ten_weeks())
        for text in (
            "Verdict: improved",
            "not proof that magnesium helps",
            "Magnesium bisglycinate 50 mg",
            "Taken 61 of 63 evenings",
            "mild-hold",
            mgplan.DISCLAIMER,
            "AASM",
            "@media print",
        ):
            assert text in page
        assert 2 == page.count("<svg ")

    def test_self_contained(self) -> None:
        """No stylesheet, script, image or font is fetched: no src or href,
        and the only URL is the SVG namespace."""
        page = summary.to_html(ten_weeks())
        assert not re.search(r"\b(src|href)=", page)
        assert "<script" not in page
        urls = set(re.findall(r"https?://[^\s\"'<]+", page))
        assert urls <= {"http://www.w3.org/2000/svg"} | {
            u for u in urls if u in " ".join(mgplan.SOURCES.values())
        }

    def test_text_is_escaped(self) -> None:
        """A product name or a note with markup is shown, not run."""
        s = ten_weeks()
        evil = s.regimen.product.replace(name="<script>alert(1)</script> & co")
        r = s.regimen.replace(product=evil)
        report = mgplan.SideEffectReport(
            date=dt.date(2027, 1, 25), severity="mild", note="</td><b>x"
        )
        page = summary.to_html(mgplan.plan(r, journal=[report]))
        parse(page)
        assert "<script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page

    def test_a_plan_without_ratings(self) -> None:
        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
        regimen = mgplan.Regimen(
            id="bare", product=product, start_date=dt.date(2027, 1, 4), tz="UTC"
        )
        page = summary.to_html(mgplan.plan(regimen))
        parse(page)
        assert "No ratings recorded." in page
        assert "Verdict: not-enough-data" in page

    def test_the_trial_answer_is_on_the_page(self) -> None:
        """A plan with an n-of-1 trial: its answer, the sharper test, is on
        the page beside the before/after comparison; a plan without one
        has no such section."""
        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
        regimen = mgplan.Regimen(
            id="trial",
            product=product,
            start_date=dt.date(2027, 1, 4),
            tz="UTC",
            baseline_days=7,
            maintenance_days=14,
            trial=mgplan.Trial(pairs=5, block_days=7, seed=42),
        )
        s = mgplan.plan(regimen)
        ratings = [
            mgplan.RlsRating(date=d.date, night=3 if d.intakes else 7) for d in s.days
        ]
        page = summary.to_html(mgplan.plan(regimen, journal=ratings))  # type: ignore[arg-type]
        parse(page)
        assert "<h3>n-of-1 trial</h3>" in page
        assert "Trial: improved" in page
        assert "Improved: severity +4.0 better on magnesium across 5 pairs" in page
        assert "+4.0, +4.0, +4.0, +4.0, +4.0." in page
        assert "n-of-1 trial" not in summary.to_html(ten_weeks())


class TestCommand:
    def test_writes_the_page(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from mgplan._cli import main

        monkeypatch.setenv("MGPLAN_TODAY", "2027-03-14")
        target = tmp_path / "summary.html"
        assert 0 == main(
            ["summary", str(EXAMPLES / "ten_weeks.toml"), "-o", str(target)]
        )
        parse(target.read_text("utf-8"))
        assert 2 == main(["summary", str(EXAMPLES / "ten_weeks.toml"), "-o", "x.pdf"])


class TestStatus:
    """The page says where the plan stands on its date: a paused plan's
    summary showed its dates and decisions but not that nothing was being
    taken, nor what it waited for."""

    def test_the_dose_on_the_day(self) -> None:
        page = summary.to_html(ten_weeks())
        schedule = ten_weeks()
        entry = schedule.day(TODAY)
        assert (
            f"<th>On {TODAY}</th><td>{schedule.describe_dose(entry)}, "
            f"{entry.phase.value}</td>"
        ) in page

    def test_paused_and_waiting(self) -> None:
        plan_file = mgplan.load_plan(EXAMPLES / "ten_weeks.toml")
        start = plan_file.regimen.dose_start
        severe = mgplan.SideEffectReport(
            date=start + dt.timedelta(20), severity="severe"
        )
        schedule = mgplan.plan(plan_file.regimen, plan_file.profile, reports=[severe])
        assert "resolution" == schedule.waiting_for
        day = start + dt.timedelta(40)
        page = summary.to_html(schedule, mgplan.review(schedule, as_of=day))
        assert (
            f"<th>On {day}</th><td>no magnesium: paused since {severe.date}, until "
            "the person records that the symptoms have gone</td>"
        ) in page
        parse(page)
        assert "had no magnesium" not in page
        # A dose logged during the pause is said on the page.
        during = mgplan.Taken(date=severe.date + dt.timedelta(2))
        logged = mgplan.plan(
            plan_file.regimen, plan_file.profile, journal=[severe, during]
        )
        page = summary.to_html(logged, mgplan.review(logged, as_of=day))
        assert "Taken on 1 evening the plan had no magnesium" in page
