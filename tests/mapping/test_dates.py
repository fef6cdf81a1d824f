"""Dates keep their precision, and impossible ones are refused with the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from cubagraph.mapping import dates
from cubagraph.mapping.model import DateSpec


@pytest.mark.parametrize(
    ("text", "precision", "earliest", "latest", "xsd"),
    [
        ("2021-07-11", "day", "2021-07-11", "2021-07-11", "date"),
        ("2019-11", "month", "2019-11-01", "2019-11-30", "gYearMonth"),
        ("2024-02", "month", "2024-02-01", "2024-02-29", "gYearMonth"),
        ("2023-02", "month", "2023-02-01", "2023-02-28", "gYearMonth"),
        ("2018", "year", "2018-01-01", "2018-12-31", "gYear"),
    ],
)
def test_precision_and_interval(text: str, precision: str, earliest: str, latest: str, xsd: str) -> None:
    d = dates.parse(text)
    assert d.precision == precision
    assert d.earliest == dt.date.fromisoformat(earliest)
    assert d.latest == dt.date.fromisoformat(latest)
    assert d.xsd_type == xsd
    assert str(d) == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2021-02-29", "February 2021 has 28 days"),
        ("2019-02-30", "February 2019 has 28 days"),
        ("2021-04-31", "April 2021 has 30 days"),
        ("2021-13", "month 13 does not exist"),
        ("2021-00", "month 0 does not exist"),
        ("0000", "year 0000 does not exist"),
        ("July 11, 2021", "is not a date"),
        ("11/07/2021", "is not a date"),
        ("2021-7-11", "is not a date"),
        ("21-07-11", "is not a date"),
    ],
)
def test_impossible_or_malformed_dates_are_refused(text: str, reason: str) -> None:
    with pytest.raises(dates.DateError, match=reason):
        dates.parse(text)


def test_leap_day_exists_in_leap_years() -> None:
    assert dates.parse("2024-02-29").precision == "day"


def test_datespec_shorthands() -> None:
    assert DateSpec.model_validate("2021-07-11").precision == "day"
    assert DateSpec.model_validate(2018).precision == "year"
    assert DateSpec.model_validate("unknown").precision == "unknown"
    assert DateSpec.model_validate({"from": 2017, "to": "2018-06"}).precision == "range"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"value": "2023-07", "approximate": True}, "needs `derived_from`"),
        ({"value": "unknown", "approximate": True, "derived_from": "x"}, "cannot be approximate"),
        ({"from": "2019", "to": "2018"}, "starts"),
        ({"from": "2019"}, "both `from` and `to`"),
        ({"value": "2019", "from": "2018", "to": "2019"}, "not both"),
        ({"value": "2019", "when": "now"}, "Extra inputs"),
        (True, "Input should be"),
        ("soon", "is not a date"),
    ],
)
def test_datespec_errors(data: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DateSpec.model_validate(data)
