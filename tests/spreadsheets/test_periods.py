"""Dates as people write them: a day, or a month, quarter, half-year or year stored as its first
day for a start date and its last day for an end date, in the six UN languages."""

import datetime

import pytest
from django.utils import translation

from spreadsheets.periods import PeriodError, describe_date, read_date, read_period

D = datetime.date


@pytest.mark.parametrize(
    ("written", "first", "last"),
    [
        # A day
        ("2022-06-16", D(2022, 6, 16), D(2022, 6, 16)),
        ("16/06/2022", D(2022, 6, 16), D(2022, 6, 16)),
        ("6.7.2022", D(2022, 7, 6), D(2022, 7, 6)),  # day first, never month first
        ("16 June 2022", D(2022, 6, 16), D(2022, 6, 16)),
        ("June 16, 2022", D(2022, 6, 16), D(2022, 6, 16)),
        ("1er juin 2022", D(2022, 6, 1), D(2022, 6, 1)),
        ("16 de junio de 2022", D(2022, 6, 16), D(2022, 6, 16)),
        ("2022年6月16日", D(2022, 6, 16), D(2022, 6, 16)),
        ("44743", D(2022, 7, 1), D(2022, 7, 1)),  # an Excel serial number as text
        (44743, D(2022, 7, 1), D(2022, 7, 1)),  # ... and as a number cell
        (44743.5, D(2022, 7, 1), D(2022, 7, 1)),  # with a time of day
        (datetime.datetime(2022, 7, 1, 0, 0), D(2022, 7, 1), D(2022, 7, 1)),  # a date cell
        (D(2022, 7, 1), D(2022, 7, 1), D(2022, 7, 1)),
        # A month
        ("June 2022", D(2022, 6, 1), D(2022, 6, 30)),
        ("Jun 2022", D(2022, 6, 1), D(2022, 6, 30)),
        ("juin 2022", D(2022, 6, 1), D(2022, 6, 30)),
        ("févr. 2024", D(2024, 2, 1), D(2024, 2, 29)),
        ("Sept 2022", D(2022, 9, 1), D(2022, 9, 30)),
        ("junio de 2022", D(2022, 6, 1), D(2022, 6, 30)),
        ("июнь 2022", D(2022, 6, 1), D(2022, 6, 30)),
        ("июня 2022 г.", D(2022, 6, 1), D(2022, 6, 30)),
        ("يونيو 2022", D(2022, 6, 1), D(2022, 6, 30)),
        ("2022年6月", D(2022, 6, 1), D(2022, 6, 30)),
        ("06/2022", D(2022, 6, 1), D(2022, 6, 30)),
        ("2022-06", D(2022, 6, 1), D(2022, 6, 30)),
        # A quarter
        ("Q3 2022", D(2022, 7, 1), D(2022, 9, 30)),
        ("q3-2022", D(2022, 7, 1), D(2022, 9, 30)),
        ("2022-Q3", D(2022, 7, 1), D(2022, 9, 30)),
        ("T3 2022", D(2022, 7, 1), D(2022, 9, 30)),
        ("3e trimestre 2022", D(2022, 7, 1), D(2022, 9, 30)),
        ("3rd quarter 2022", D(2022, 7, 1), D(2022, 9, 30)),
        ("3.er trimestre 2022", D(2022, 7, 1), D(2022, 9, 30)),
        ("1-й квартал 2023", D(2023, 1, 1), D(2023, 3, 31)),
        ("الربع الرابع 2023", D(2023, 10, 1), D(2023, 12, 31)),
        ("2022年第三季度", D(2022, 7, 1), D(2022, 9, 30)),
        # A half-year
        ("H1 2024", D(2024, 1, 1), D(2024, 6, 30)),
        ("S2 2024", D(2024, 7, 1), D(2024, 12, 31)),
        ("1er semestre 2024", D(2024, 1, 1), D(2024, 6, 30)),
        ("2024年下半年", D(2024, 7, 1), D(2024, 12, 31)),
        # A year
        ("2023", D(2023, 1, 1), D(2023, 12, 31)),
        (2023, D(2023, 1, 1), D(2023, 12, 31)),
        ("2023年", D(2023, 1, 1), D(2023, 12, 31)),
    ],
)
def test_a_cell_names_a_period_with_a_first_and_a_last_day(written, first, last):
    assert read_date(written) == first
    assert read_date(written, end=True) == last


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("06/16/2022", "day/month/year"),  # month first: there is no 16th month
        ("31/02/2022", "not a date that exists"),
        ("16/06/22", "two-digit year"),
        ("Jun-22", "is not a date"),
        ("soon", "is not a date"),
        ("2022 or 2023", "is not a date"),
        ("1850", "not a year a pledge can have"),
        (1_000_000, "is not a date"),  # an amount typed in a date column
        ("Q5 2022", "is not a date"),
    ],
)
def test_what_is_not_a_date_is_explained(written, message):
    with pytest.raises(PeriodError, match=message):
        read_period(written)


def test_empty_cells_are_no_date():
    assert read_date("") is None
    assert read_date(None) is None


def test_the_preview_says_which_end_of_the_period_is_stored():
    with translation.override("en"):
        assert describe_date("Q3 2022", end=True) == "30 September 2022 (end of period)"
        assert describe_date("Q3 2022") == "1 July 2022 (start of period)"
        assert describe_date("16/06/2022", end=True) == "16 June 2022"
    with translation.override("fr"):
        assert describe_date("T3 2022", end=True) == "30 septembre 2022 (fin de la période)"
        assert describe_date("juin 2022") == "1er juin 2022 (début de la période)"
