"""The short note syntax read back from a calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import mgplan
from mgplan import parse_note

EVENING, DAY = dt.date(2027, 4, 5), dt.date(2027, 4, 6)


def read(text: str, **options: object) -> mgplan.Note:
    return parse_note(text, evening=EVENING, day=DAY, **options)  # type: ignore[arg-type]


class TestSyntax:
    @pytest.mark.parametrize(
        ("text", "symptom", "severity"),
        [
            ("loose stools moderate", "loose-stools", "moderate"),
            ("Moderate diarrhea.", "diarrhoea", "moderate"),
            ("mild nausea", "nausea", "mild"),
            ("cramps severe", "cramping", "severe"),
            ("bloated: mild", "bloating", "mild"),
        ],
    )
    def test_a_symptom_and_how_bad(
        self, text: str, symptom: str, severity: str
    ) -> None:
        """A symptom with its severity, in either order, is a side effect
        after the note's evening, reported on its day."""
        [report] = read(text).entries
        assert isinstance(report, mgplan.SideEffectReport)
        assert (report.symptom, report.severity) == (symptom, severity)
        assert (report.date, report.dose_date) == (DAY, EVENING)
        assert report.note == text

    def test_bristol_alone_grades_loose_stools(self) -> None:
        """'bristol 6' is a loose-stools report graded from the Bristol type
        (6-7 is at least mild), as ``mgplan report --bristol`` is."""
        [report] = read("bristol 6").entries
        assert isinstance(report, mgplan.SideEffectReport)
        assert report.bristol == 6
        assert report.grade == "mild"

    def test_stools_with_a_count(self) -> None:
        """'stools 3 bristol 7' is the day's stools entry."""
        [stools] = read("stools 3 bristol 7").entries
        assert isinstance(stools, mgplan.Stools)
        assert (stools.date, stools.count, stools.bristol) == (DAY, 3, 7)

    def test_ratings_are_one_entry_for_the_night(self) -> None:
        """Ratings anywhere in the note make one entry for the night after
        the evening; '6/10' reads as 6."""
        [rating] = read("legs 6/10, sleep 4\nasleep 5; day 1; irls 18").entries
        assert isinstance(rating, mgplan.RlsRating)
        assert rating.date == EVENING
        assert rating.ratings() == {
            "falling_asleep": 5,
            "night": 6,
            "day_rest": 1,
            "sleep_satisfaction": 4,
            "irls_total": 18,
        }

    def test_hyphens_join_words(self) -> None:
        """A hyphen between words is a space ('loose-stools', 'falling-asleep',
        'not-taken'); only before a number, after a space, is it a minus."""
        report, rating = read("loose-stools mild; falling-asleep 4 legs - 3").entries
        assert isinstance(report, mgplan.SideEffectReport)
        assert "loose-stools" == report.symptom
        assert isinstance(rating, mgplan.RlsRating)
        assert {"falling_asleep": 4, "night": 3} == rating.ratings()
        assert read("not-taken").skipped

    def test_skipped(self) -> None:
        """'skipped' (or 'not taken', 'missed') marks the evening skipped on a
        dose task; a journal note cannot say it (it names no evening)."""
        assert read("Skipped").skipped
        assert read("not taken").skipped
        assert not read("legs 2").skipped
        with pytest.raises(
            mgplan.InvalidInputError, match="on the evening's dose task"
        ):
            read("skipped", skip_allowed=False)

    def test_entries_carry_the_source(self) -> None:
        source = (mgplan.ItemSource(uid="x@phone", etag='"1"'),)
        note = read("nausea mild; stools 2; legs 1", source=source)
        assert [e.source for e in note.entries] == [source, source, source]
        (gone,) = read("symptoms gone", source=source).entries
        assert source == gone.source

    @pytest.mark.parametrize(
        "text", ["symptoms gone", "Symptoms have gone.", "resolved", "RESOLVED!"]
    )
    def test_symptoms_gone(self, text: str) -> None:
        """The side effects have gone, from the day the note speaks for: what
        restarts a paused plan, as 'mgplan resolved' does."""
        (entry,) = read(text).entries
        assert isinstance(entry, mgplan.Resolved)
        assert DAY == entry.date
        note = read("symptoms gone\nlegs 2 sleep 7")
        assert [mgplan.Resolved, mgplan.RlsRating] == [type(e) for e in note.entries]

    def test_empty(self) -> None:
        assert read(" \n ;, ") == mgplan.Note()


class TestRefused:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("legs sometimes", "a whole number after 'legs'"),
            ("legs 11", "a rating from 0 to 10"),
            ("irls 41", "a rating from 0 to 40"),
            ("legs 6/7", "a number out of 10"),
            ("bristol 8", "a Bristol type from 1 to 7"),
            ("nausea", "how bad the symptom was"),
            ("moderate", "a symptom with the severity"),
            ("nausea mild moderate", "one severity per line"),
            ("nausea cramps mild", "one symptom per line"),
            ("feeling great", "not 'feeling'"),
            ("legs 5; legs 6", "one night rating per note"),
            ("legs 12345", "a whole number"),
            # A minus sign was read as a word break: 'legs -1' was night 1.
            ("legs -1", "a rating from 0 to 10"),
            ("stools -2 bristol 4", "a stool count from 0 to 50"),
            # Twice in one line, the last one won silently.
            ("legs 6 legs 7", "one night rating per note"),
            ("bristol 3 bristol 7", "one Bristol type per line"),
            ("stools 2 stools 9", "one stool count per line"),
            ("legs 3 symptoms gone", "'symptoms gone' on a line of its own"),
            ("resolved mild nausea", "'symptoms gone' on a line of its own"),
            ("symptoms gone; resolved", "'symptoms gone' once per note"),
            ("symptoms gone; mild nausea", "a side effect or 'symptoms gone'"),
            ("symptoms gone\nbristol 7", "a side effect or 'symptoms gone'"),
        ],
    )
    def test_a_note_that_does_not_read(self, text: str, expected: str) -> None:
        """Nothing is guessed: the whole note is refused, naming the part."""
        with pytest.raises(mgplan.InvalidInputError, match="note") as info:
            read(text)
        assert expected in str(info.value)

    def test_a_long_note(self) -> None:
        with pytest.raises(mgplan.InvalidInputError, match="at most 2000"):
            read("legs 1\n" * 400)

    @given(st.text(max_size=300))
    def test_any_text_reads_or_is_refused(self, text: str) -> None:
        """Whatever a calendar holds, the parser gives entries or mgplan's
        error, never another exception."""
        try:
            note = read(text)
        except mgplan.InvalidInputError:
            return
        for entry in note.entries:
            assert entry.date in (EVENING, DAY)


def test_tabs_and_spaces_are_plain_space() -> None:
    """A tab typed in a phone's notes field is a space, not a control
    character that refuses the note."""
    [rating] = read("legs\t6   sleep 4").entries
    assert rating.note == "legs 6 sleep 4"
