"""Cron parsing, POSIX day matching and the DST rule of SPEC §6."""
import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.logic.cron_schedule import (
    CronError,
    TimezoneError,
    fire_times_between,
    next_fire_after,
    parse_cron,
    preview,
    validate_cron,
    validate_timezone,
)

UTC = timezone.utc


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def iso(values):
    return [datetime.fromisoformat(v) for v in values]


def between(expr, tz, after, until):
    times = list(fire_times_between(expr, tz, after, until))
    assert all(t.tzinfo is UTC for t in times)
    assert all(a < b for a, b in zip(times, times[1:])), "not strictly increasing"
    assert all(after < t <= until for t in times)
    return times


# --------------------------------------------------------------------------- validation

@pytest.mark.parametrize("expr", [
    "0 9 * * 1",
    "* * * * *",
    "*/15 * * * *",
    "0 0 1,15 * *",
    "0 9-17/2 * * MON-FRI",
    "0 0 * JAN-MAR,dec *",
    "0 0 * * sun",
    "0 0 * * 7",
    "0 0 * * 0-7",
    "0 0 * * FRI-SUN",
    "5/15 * * * *",
    "  0   9 * * 1  ",
    "0\t9 * * 1",
    "0 0 29 2 *",
    "0 0 31 * *",
    "59 23 31 12 6",
    "00 09 * * *",
])
def test_valid_expressions(expr):
    assert validate_cron(expr) is None


@pytest.mark.parametrize("expr, fragment", [
    ("", "expected 5 fields"),
    ("* * * *", "got 4"),
    ("* * * * * *", "got 6"),
    ("0 0 0 * * * 2026", "got 7"),
    ("0 0 * * * 2026", "got 6"),
    ("@daily", "got 1"),
    ("@hourly", "got 1"),
    ("0 0 L * *", "invalid value 'L'"),
    ("0 0 15W * *", "invalid value '15W'"),
    ("0 0 * * 5#3", "invalid value '5#3'"),
    ("0 0 ? * MON", "invalid value '?'"),
    ("0 0 * * 5L", "invalid value '5L'"),
    ("H * * * *", "invalid value 'H'"),
    ("60 * * * *", "minute value 60 out of range 0-59"),
    ("* 24 * * *", "hour value 24 out of range 0-23"),
    ("* * 0 * *", "day-of-month value 0 out of range 1-31"),
    ("* * 32 * *", "day-of-month value 32 out of range"),
    ("* * * 0 *", "month value 0 out of range 1-12"),
    ("* * * 13 *", "month value 13 out of range"),
    ("* * * * 8", "day-of-week value 8 out of range 0-7"),
    ("*/0 * * * *", "step 0 out of range"),
    ("*/61 * * * *", "step 61 out of range"),
    ("*/x * * * *", "invalid step 'x'"),
    ("*/ * * * *", "invalid step ''"),
    ("5-1 * * * *", "runs backwards"),
    ("1,,2 * * * *", "empty item"),
    (",1 * * * *", "empty item"),
    ("-1 * * * *", "invalid value ''"),
    ("1- * * * *", "invalid value ''"),
    ("1-2-3 * * * *", "invalid value '2-3'"),
    ("a * * * *", "invalid value 'a'"),
    ("* * * JANUARY *", "invalid value 'JANUARY'"),
    ("* * * * MONDAY", "invalid value 'MONDAY'"),
    ("* * * MON *", "invalid value 'MON'"),
    ("* * * * JAN", "invalid value 'JAN'"),
    ("\uff11 * * * *", "invalid value"),  # full-width digit
    ("0 0 30 2 *", "never occurs"),
    ("0 0 31 4,6,9,11 *", "never occurs"),
    ("0 " * 200, "longer than 256"),
])
def test_invalid_expressions(expr, fragment):
    with pytest.raises(CronError) as err:
        validate_cron(expr)
    assert fragment in str(err.value)


@pytest.mark.parametrize("value", [None, 5, b"* * * * *"])
def test_non_string_expression(value):
    with pytest.raises(CronError, match="must be a string"):
        validate_cron(value)


def test_errors_are_value_errors():
    assert issubclass(CronError, ValueError)
    assert issubclass(TimezoneError, ValueError)


def test_parse_fields():
    spec = parse_cron("0,30 9-17/4 1,15 JAN,jul MON-FRI")
    assert spec.minutes == (0, 30)
    assert spec.hours == (9, 13, 17)
    assert spec.days == {1, 15}
    assert spec.months == (1, 7)
    assert spec.weekdays == {1, 2, 3, 4, 5}
    assert spec.day_or is True
    assert parse_cron("5/20 * * * *").minutes == (5, 25, 45)
    assert parse_cron("* * * * 7").weekdays == {0}
    assert parse_cron("* * * * 5-7").weekdays == {5, 6, 0}
    assert parse_cron("* * * * fri-sun").weekdays == {5, 6, 0}
    assert parse_cron("0 0 13 * *").day_or is False
    assert parse_cron("0 0 * * 5").day_or is False
    assert parse_cron("0 0 */2 * 5").day_or is False  # Vixie: "*…" is unrestricted


# --------------------------------------------------------------------------- time zones

@pytest.mark.parametrize("name", [
    "UTC", "Europe/Amsterdam", "America/New_York", "Etc/GMT+5", "Asia/Kolkata",
    "America/Argentina/Buenos_Aires", "America/Port-au-Prince", "US/Eastern",
])
def test_valid_timezones(name):
    assert validate_timezone(name) == ZoneInfo(name)


@pytest.mark.parametrize("name", [
    "", " ", "UTC ", "../etc/passwd", "..", "/etc/localtime", "Europe", "Europe/",
    "Mars/Olympus_Mons", "localtime", "posixrules", "Factory", "right/UTC", "posix/UTC",
    "Europe/Amsterdam\x00", "Europe//Amsterdam", "Europe/./Amsterdam", "Europe\\Amsterdam",
    "A" * 500, "+01:00", "CEST2",
])
def test_invalid_timezones(name):
    with pytest.raises(TimezoneError, match="timezone"):
        validate_timezone(name)


@pytest.mark.parametrize("name", [None, 1, ["UTC"]])
def test_non_string_timezone(name):
    with pytest.raises(TimezoneError):
        validate_timezone(name)


def test_invalid_timezone_in_next_fire():
    with pytest.raises(TimezoneError):
        next_fire_after("0 9 * * *", "Nowhere/City", utc(2026, 1, 1))


# --------------------------------------------------------------------------- basic iteration

def test_next_fire_is_strictly_after():
    assert next_fire_after("0 9 * * *", "UTC", utc(2026, 1, 1, 9)) == utc(2026, 1, 2, 9)
    assert next_fire_after("0 9 * * *", "UTC", utc(2026, 1, 1, 8, 59, 59, 999999)) == utc(2026, 1, 1, 9)
    assert next_fire_after("* * * * *", "UTC", utc(2026, 1, 1, 9, 0, 30)) == utc(2026, 1, 1, 9, 1)
    assert next_fire_after("59 23 31 12 *", "UTC", utc(2026, 12, 31, 23, 59)) == utc(2027, 12, 31, 23, 59)


def test_weekly_in_amsterdam_accepts_any_aware_input():
    after = datetime(2026, 4, 15, 12, tzinfo=ZoneInfo("America/New_York"))  # a Wednesday
    result = next_fire_after("0 9 * * 1", "Europe/Amsterdam", after)
    assert result == utc(2026, 4, 20, 7)  # Monday 09:00 CEST
    assert result.tzinfo is UTC


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        next_fire_after("0 9 * * *", "UTC", datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        fire_times_between("0 9 * * *", "UTC", utc(2026, 1, 1), datetime(2026, 1, 2))


def test_steps_ranges_and_lists():
    times = between("*/20 9-10 * * *", "UTC", utc(2026, 1, 1), utc(2026, 1, 1, 23))
    assert times == [utc(2026, 1, 1, 9, 0), utc(2026, 1, 1, 9, 20), utc(2026, 1, 1, 9, 40),
                     utc(2026, 1, 1, 10, 0), utc(2026, 1, 1, 10, 20), utc(2026, 1, 1, 10, 40)]
    times = between("15 8 1,15 FEB-MAR *", "UTC", utc(2026, 1, 1), utc(2026, 12, 31))
    assert times == [utc(2026, 2, 1, 8, 15), utc(2026, 2, 15, 8, 15),
                     utc(2026, 3, 1, 8, 15), utc(2026, 3, 15, 8, 15)]
    times = between("0 12 * * MON-FRI/2", "UTC", utc(2026, 1, 4), utc(2026, 1, 11))
    assert times == [utc(2026, 1, 5, 12), utc(2026, 1, 7, 12), utc(2026, 1, 9, 12)]


def test_sunday_as_0_and_7_and_names():
    after, until = utc(2026, 1, 1), utc(2026, 1, 31)
    sundays = [utc(2026, 1, d) for d in (4, 11, 18, 25)]
    assert between("0 0 * * 0", "UTC", after, until) == sundays
    assert between("0 0 * * 7", "UTC", after, until) == sundays
    assert between("0 0 * * sun", "UTC", after, until) == sundays
    assert between("0 0 * * SUN", "UTC", after, until) == sundays
    weekend = between("0 0 * * FRI-SUN", "UTC", after, utc(2026, 1, 12))
    assert weekend == [utc(2026, 1, d) for d in (2, 3, 4, 9, 10, 11)]
    assert between("0 0 * * 5-7", "UTC", after, utc(2026, 1, 12)) == weekend
    assert between("0 0 1 jan,Jul *", "UTC", after, utc(2028, 1, 2)) == [
        utc(2026, 7, 1), utc(2027, 1, 1), utc(2027, 7, 1), utc(2028, 1, 1)]


def test_posix_day_of_month_or_day_of_week():
    # 2026-01-01 is a Thursday; 2026-02-13 and 2026-03-13 are Fridays.
    times = between("0 0 13 * 5", "UTC", utc(2026, 1, 1), utc(2026, 3, 14))
    assert times == [utc(2026, m, d) for m, d in [
        (1, 2), (1, 9), (1, 13), (1, 16), (1, 23), (1, 30),
        (2, 6), (2, 13), (2, 20), (2, 27), (3, 6), (3, 13)]]
    assert between("0 0 13 * *", "UTC", utc(2026, 1, 1), utc(2026, 3, 14)) == [
        utc(2026, 1, 13), utc(2026, 2, 13), utc(2026, 3, 13)]
    assert between("0 0 * * 5", "UTC", utc(2026, 1, 1), utc(2026, 1, 31)) == [
        utc(2026, 1, d) for d in (2, 9, 16, 23, 30)]
    # A star-prefixed day field is unrestricted (Vixie cron), so both must match: odd-day Fridays.
    assert between("0 0 */2 * 5", "UTC", utc(2026, 1, 1), utc(2026, 3, 31)) == [
        utc(2026, 1, 9), utc(2026, 1, 23), utc(2026, 2, 13), utc(2026, 2, 27),
        utc(2026, 3, 13), utc(2026, 3, 27)]


def test_rare_dates():
    assert next_fire_after("0 0 29 2 *", "UTC", utc(2026, 3, 1)) == utc(2028, 2, 29)
    assert next_fire_after("0 0 31 * *", "UTC", utc(2026, 4, 1)) == utc(2026, 5, 31)
    # Feb 29 that is also a Tuesday: 2028-02-29 is a Tuesday.
    assert next_fire_after("0 0 29 2 *", "UTC", utc(2028, 2, 29)) == utc(2032, 2, 29)


def test_preview():
    now = utc(2026, 4, 15, 12)
    assert preview("0 9 * * 1", "Europe/Amsterdam", now, 3) == [
        utc(2026, 4, 20, 7), utc(2026, 4, 27, 7), utc(2026, 5, 4, 7)]
    assert preview("0 9 * * 1", "UTC", now, 0) == []
    assert len(preview("* * * * *", "UTC", now, 50)) == 50
    with pytest.raises(ValueError):
        preview("* * * * *", "UTC", now, -1)


def test_matches_croniter_in_utc():
    """Cross-check the matcher against croniter on random expressions with no DST in play.

    Day fields are either "*" or star-free, where croniter and Vixie cron agree on the day rule.
    """
    from croniter import croniter

    rng = random.Random(20260329)

    def field(low, high, star_ok=True):
        kind = rng.choice(["star", "value", "list", "range", "step"] if star_ok else
                          ["value", "list", "range"])
        if kind == "star":
            return "*"
        if kind == "value":
            return str(rng.randint(low, high))
        if kind == "list":
            return ",".join(str(v) for v in sorted(rng.sample(range(low, high + 1), 3)))
        a = rng.randint(low, high - 1)
        b = rng.randint(a + 1, high)  # croniter mishandles one-value ranges such as "12-12"
        if kind == "range":
            return f"{a}-{b}"
        return f"*/{rng.randint(2, 5)}"

    start = utc(2026, 1, 1, 0, 7)
    for _ in range(150):
        expr = " ".join([field(0, 59), field(0, 23), field(1, 28, star_ok=False) if rng.random() < .5
                         else "*", field(1, 12), field(0, 6, star_ok=False) if rng.random() < .5
                         else "*"])
        ours = preview(expr, "UTC", start, 15)
        it = croniter(expr, start)
        theirs = [it.get_next(datetime) for _ in range(15)]
        assert ours == theirs, expr


# --------------------------------------------------------------------------- DST (SPEC §6)
# Europe/Amsterdam: CET +01:00, CEST +02:00; 2026-03-29 02:00 → 03:00, 2026-10-25 03:00 → 02:00.
# America/New_York: EST -05:00, EDT -04:00; 2026-03-08 02:00 → 03:00, 2026-11-01 02:00 → 01:00.

DAILY_CASES = [
    # (expr, zone, window after, window until, expected local fire times)
    ("30 2 * * *", "Europe/Amsterdam", utc(2026, 3, 26, 12), utc(2026, 4, 1), [
        "2026-03-27T02:30+01:00", "2026-03-28T02:30+01:00",
        "2026-03-29T03:00+02:00",  # 02:30 does not exist: first instant after the gap
        "2026-03-30T02:30+02:00", "2026-03-31T02:30+02:00"]),
    ("30 2 * * *", "Europe/Amsterdam", utc(2026, 10, 22, 12), utc(2026, 10, 28), [
        "2026-10-23T02:30+02:00", "2026-10-24T02:30+02:00",
        "2026-10-25T02:30+02:00",  # occurs twice: first occurrence only
        "2026-10-26T02:30+01:00", "2026-10-27T02:30+01:00"]),
    ("30 1 * * *", "Europe/Amsterdam", utc(2026, 3, 26, 12), utc(2026, 3, 31, 12), [
        "2026-03-27T01:30+01:00", "2026-03-28T01:30+01:00", "2026-03-29T01:30+01:00",
        "2026-03-30T01:30+02:00", "2026-03-31T01:30+02:00"]),
    ("30 1 * * *", "Europe/Amsterdam", utc(2026, 10, 22, 12), utc(2026, 10, 28), [
        "2026-10-23T01:30+02:00", "2026-10-24T01:30+02:00", "2026-10-25T01:30+02:00",
        "2026-10-26T01:30+01:00", "2026-10-27T01:30+01:00"]),
    ("30 2 * * *", "America/New_York", utc(2026, 3, 5, 12), utc(2026, 3, 11, 4), [
        "2026-03-06T02:30-05:00", "2026-03-07T02:30-05:00",
        "2026-03-08T03:00-04:00",  # 02:30 does not exist
        "2026-03-09T02:30-04:00", "2026-03-10T02:30-04:00"]),
    ("30 2 * * *", "America/New_York", utc(2026, 10, 29, 12), utc(2026, 11, 4, 4), [
        "2026-10-30T02:30-04:00", "2026-10-31T02:30-04:00",
        "2026-11-01T02:30-05:00",  # 02:30 exists once (01:00-02:00 repeats in New York)
        "2026-11-02T02:30-05:00", "2026-11-03T02:30-05:00"]),
    ("30 1 * * *", "America/New_York", utc(2026, 3, 5, 12), utc(2026, 3, 11, 4), [
        "2026-03-06T01:30-05:00", "2026-03-07T01:30-05:00", "2026-03-08T01:30-05:00",
        "2026-03-09T01:30-04:00", "2026-03-10T01:30-04:00"]),
    ("30 1 * * *", "America/New_York", utc(2026, 10, 29, 12), utc(2026, 11, 4, 4), [
        "2026-10-30T01:30-04:00", "2026-10-31T01:30-04:00",
        "2026-11-01T01:30-04:00",  # occurs twice: first occurrence (EDT) only
        "2026-11-02T01:30-05:00", "2026-11-03T01:30-05:00"]),
]


@pytest.mark.parametrize("expr, zone, after, until, expected", DAILY_CASES,
                         ids=[f"{c[0]}|{c[1]}|{c[2]:%m-%d}" for c in DAILY_CASES])
def test_daily_across_dst(expr, zone, after, until, expected):
    assert between(expr, zone, after, until) == iso(expected)


def hourly_utc(start, end, skip=()):
    """Every whole UTC hour in [start, end] except ``skip``: whole-hour offsets make local hourly
    ticks whole UTC hours too."""
    out, t = [], start
    while t <= end:
        if t not in skip:
            out.append(t)
        t += timedelta(hours=1)
    return out


@pytest.mark.parametrize("zone, after, until, expected_utc, day_local, local_ticks", [
    # Spring forward in Amsterdam: 02:00 does not exist and fires at 03:00 CEST, which is also the
    # 03:00 tick: one fire. In UTC that is simply every hour.
    ("Europe/Amsterdam", utc(2026, 3, 27, 22, 30), utc(2026, 3, 31, 0),
     hourly_utc(utc(2026, 3, 27, 23), utc(2026, 3, 31, 0)),
     "2026-03-29", ["00:00+01:00", "01:00+01:00", "03:00+02:00", "04:00+02:00", "05:00+02:00"]),
    # Fall back in Amsterdam: wall 02:00 occurs at 00:00Z and 01:00Z; only the first fires.
    ("Europe/Amsterdam", utc(2026, 10, 23, 21, 30), utc(2026, 10, 27, 0),
     hourly_utc(utc(2026, 10, 23, 22), utc(2026, 10, 27, 0), skip={utc(2026, 10, 25, 1)}),
     "2026-10-25", ["00:00+02:00", "01:00+02:00", "02:00+02:00", "03:00+01:00", "04:00+01:00"]),
    ("America/New_York", utc(2026, 3, 6, 4, 30), utc(2026, 3, 10, 4),
     hourly_utc(utc(2026, 3, 6, 5), utc(2026, 3, 10, 4)),
     "2026-03-08", ["00:00-05:00", "01:00-05:00", "03:00-04:00", "04:00-04:00", "05:00-04:00"]),
    # Fall back in New York: wall 01:00 occurs at 05:00Z and 06:00Z; only the first fires.
    ("America/New_York", utc(2026, 10, 30, 3, 30), utc(2026, 11, 3, 5),
     hourly_utc(utc(2026, 10, 30, 4), utc(2026, 11, 3, 5), skip={utc(2026, 11, 1, 6)}),
     "2026-11-01", ["00:00-04:00", "01:00-04:00", "02:00-05:00", "03:00-05:00", "04:00-05:00"]),
])
def test_hourly_across_dst(zone, after, until, expected_utc, day_local, local_ticks):
    times = between("0 * * * *", zone, after, until)
    assert times == expected_utc
    assert len(set(times)) == len(times)
    tz = ZoneInfo(zone)
    that_night = [t for t in times if t.astimezone(tz).date().isoformat() == day_local][:5]
    assert that_night == iso([f"{day_local}T{tick}" for tick in local_ticks])


def test_hourly_fire_counts_per_local_day():
    tz = ZoneInfo("Europe/Amsterdam")
    times = between("0 * * * *", "Europe/Amsterdam", utc(2026, 3, 28, 12), utc(2026, 3, 30, 12))
    per_day = {}
    for t in times:
        per_day[t.astimezone(tz).date().isoformat()] = per_day.get(t.astimezone(tz).date().isoformat(), 0) + 1
    assert per_day["2026-03-29"] == 23  # 24 nominal ticks, two of them are the same instant
    times = between("0 * * * *", "Europe/Amsterdam", utc(2026, 10, 24, 12), utc(2026, 10, 26, 12))
    per_day = {}
    for t in times:
        per_day[t.astimezone(tz).date().isoformat()] = per_day.get(t.astimezone(tz).date().isoformat(), 0) + 1
    assert per_day["2026-10-25"] == 24  # 25 hours, 24 nominal ticks, none doubled


def test_every_quarter_hour_inside_the_gap_fires_once():
    assert between("*/15 2 * * *", "Europe/Amsterdam", utc(2026, 3, 28, 12), utc(2026, 3, 30, 12)) == iso([
        "2026-03-29T03:00+02:00",
        "2026-03-30T02:00+02:00", "2026-03-30T02:15+02:00",
        "2026-03-30T02:30+02:00", "2026-03-30T02:45+02:00"])


def test_every_quarter_hour_inside_the_repeated_hour_fires_once_each():
    assert between("*/15 2 * * *", "Europe/Amsterdam", utc(2026, 10, 24, 12), utc(2026, 10, 25, 12)) == iso([
        "2026-10-25T02:00+02:00", "2026-10-25T02:15+02:00",
        "2026-10-25T02:30+02:00", "2026-10-25T02:45+02:00"])


def test_next_fire_from_inside_the_gap_and_the_repeated_hour():
    # Spring-forward instant itself: 02:30 already fired at 01:00Z; next is tomorrow.
    assert next_fire_after("30 2 * * *", "Europe/Amsterdam", utc(2026, 3, 29, 0, 59)) == utc(2026, 3, 29, 1)
    assert next_fire_after("30 2 * * *", "Europe/Amsterdam", utc(2026, 3, 29, 1)) == utc(2026, 3, 30, 0, 30)
    # Between the two occurrences of 02:30 (00:30Z and 01:30Z) nothing fires again that night.
    for minute in (31, 59, 60, 89, 90, 91):
        after = utc(2026, 10, 25) + timedelta(minutes=minute)
        assert next_fire_after("30 2 * * *", "Europe/Amsterdam", after) == utc(2026, 10, 26, 1, 30)
    assert next_fire_after("0 * * * *", "Europe/Amsterdam", utc(2026, 10, 25, 0, 30)) == utc(2026, 10, 25, 2)


def test_thirty_minute_dst_lord_howe():
    # Australia/Lord_Howe: +10:30 → +11:00 at 02:00 local on 2026-10-04 (02:00-02:30 missing);
    # +11:00 → +10:30 at 02:00 local on 2026-04-05 (01:30-02:00 repeats).
    assert between("15 2 * * *", "Australia/Lord_Howe", utc(2026, 10, 2), utc(2026, 10, 6)) == iso([
        "2026-10-03T02:15+10:30", "2026-10-04T02:30+11:00", "2026-10-05T02:15+11:00",
        "2026-10-06T02:15+11:00"])
    assert between("*/15 1-2 * * *", "Australia/Lord_Howe", utc(2026, 4, 4, 12), utc(2026, 4, 5)) == iso([
        "2026-04-05T01:00+11:00", "2026-04-05T01:15+11:00", "2026-04-05T01:30+11:00",
        "2026-04-05T01:45+11:00", "2026-04-05T02:00+10:30", "2026-04-05T02:15+10:30",
        "2026-04-05T02:30+10:30", "2026-04-05T02:45+10:30"])


def test_skipped_calendar_day_samoa():
    # Pacific/Apia skipped 2011-12-30 entirely (-10:00 → +14:00): that day's noon fires at the
    # first instant after the gap, midnight of the 31st local.
    assert between("0 12 * * *", "Pacific/Apia", utc(2011, 12, 28), utc(2012, 1, 1)) == iso([
        "2011-12-28T12:00-10:00", "2011-12-29T12:00-10:00", "2011-12-31T00:00+14:00",
        "2011-12-31T12:00+14:00", "2012-01-01T12:00+14:00"])


def test_fire_times_between_bounds():
    after, until = utc(2026, 1, 1, 9), utc(2026, 1, 3, 9)
    assert between("0 9 * * *", "UTC", after, until) == [utc(2026, 1, 2, 9), utc(2026, 1, 3, 9)]
    assert between("0 9 * * *", "UTC", until, after) == []


def brute_force(expr, zone, start, end):
    """Independent oracle: walk UTC minute by minute and fire when the wall clock shows a matching
    time for the first time, or when it jumps over (a gap) a matching time."""
    spec, tz = parse_cron(expr), ZoneInfo(zone)

    def matches(w):
        return w.minute in spec.minutes and w.hour in spec.hours and spec.matches_day(w.date())

    fires, seen, prev, u = [], set(), None, start
    while u <= end:
        w = u.astimezone(tz).replace(tzinfo=None)
        hit = matches(w) and w not in seen
        if prev is not None and w > prev + timedelta(minutes=1):
            skipped = prev + timedelta(minutes=1)
            while skipped < w:
                hit = hit or matches(skipped)
                skipped += timedelta(minutes=1)
        seen.add(w)
        if hit:
            fires.append(u)
        prev, u = w, u + timedelta(minutes=1)
    return fires


@pytest.mark.parametrize("zone, transition", [
    ("Europe/Amsterdam", utc(2026, 3, 29, 1)), ("Europe/Amsterdam", utc(2026, 10, 25, 1)),
    ("America/New_York", utc(2026, 3, 8, 7)), ("America/New_York", utc(2026, 11, 1, 6)),
    ("Australia/Lord_Howe", utc(2026, 4, 4, 15)), ("Australia/Lord_Howe", utc(2026, 10, 3, 15, 30)),
])
@pytest.mark.parametrize("expr", [
    "*/7 * * * *", "0,30 1-3 * * *", "59 1 * * *", "0 3 * * *", "*/20 2 * * *",
    "15,45 * * * *", "0 0 * * *", "10 2 * * SUN",
])
def test_matches_brute_force_oracle_around_transitions(zone, transition, expr):
    start, end = transition - timedelta(hours=30), transition + timedelta(hours=18)
    assert between(expr, zone, start - timedelta(seconds=1), end) == brute_force(expr, zone, start, end)
