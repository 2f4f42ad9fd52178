"""Datetime values: every form the API documents, read as a stretch of Moscow local time.

A value means every second it covers at its own precision: `2024-01-31` the whole day,
`17.09.2007 15:35` the whole minute, `2024-01-31T10:00:00` one second. Values with a zone
are converted to Europe/Moscow (historical offsets included). Times are counted as whole
seconds from 0001-01-01T00:00:00 Moscow local time, so that ranges are integer intervals.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

import attrs

_moscow: tzinfo | None = None


def moscow() -> tzinfo:
    """Europe/Moscow, loaded on first use (reading the zone database costs import time)."""
    global _moscow
    if _moscow is None:
        from zoneinfo import ZoneInfo

        _moscow = ZoneInfo("Europe/Moscow")
    return _moscow


RELATIVE_PERIODS = ("today", "lastday", "last3days", "lastweek", "lastmonth", "lastyear")

#: Other spellings of the relative periods (the same period, written otherwise).
PERIOD_SPELLINGS = {
    **dict.fromkeys(("last_day", "last-day", "lastdays", "last_24h", "last24h", "24h", "1d"), "lastday"),
    **dict.fromkeys(("last_3_days", "last3day", "last_3days", "last-3-days", "3d", "3days"), "last3days"),
    **dict.fromkeys(("last_week", "last-week", "lastweeks", "last_7_days", "last7days", "past_week", "7d", "1w",
                     "week", "неделя"), "lastweek"),
    **dict.fromkeys(("last_month", "last-month", "lastmonths", "last_30_days", "last30days", "past_month", "30d",
                     "1m", "month", "месяц"), "lastmonth"),
    **dict.fromkeys(("last_year", "last-year", "lastyears", "past_year", "365d", "1y", "year", "год"), "lastyear"),
    **dict.fromkeys(("сегодня", "today_", "this_day"), "today"),
}
#: Words for a stretch that no period is, and the period nearest to it.
PERIOD_NEAREST = {"yesterday": "lastday", "вчера": "lastday", "now": "today", "сейчас": "today"}


def period_spelling(word: str) -> tuple[str, bool] | None:
    """The relative period `word` stands for: (period, exactly) — exactly when it is the
    same period spelt otherwise, not when it is only the nearest (`yesterday`)."""
    key = word.lower()
    if key in PERIOD_SPELLINGS:
        return PERIOD_SPELLINGS[key], True
    if key in PERIOD_NEAREST:
        return PERIOD_NEAREST[key], False
    from .suggest import closest

    near = closest(key, RELATIVE_PERIODS)
    return (near, True) if near is not None else None

_DAY = 86400
#: The first and last second a datetime can name.
FIRST_SECOND = date(1, 1, 1).toordinal() * _DAY
LAST_SECOND = date(9999, 12, 31).toordinal() * _DAY + _DAY - 1

_TZ = r"(?P<tz>Z|[+-]\d{2}:\d{2})?"
_HMS = r"(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
_FORMS = tuple(
    re.compile(p, re.ASCII)  # ASCII digits only: `٢٠٢٤` is no year
    for p in (
        rf"(?P<y>\d{{4}})-(?P<m>\d{{2}})-(?P<d>\d{{2}})(?:[T ]{_HMS}{_TZ})?",
        r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?)?",
        rf"(?P<d>\d{{2}})\.(?P<m>\d{{2}})\.(?P<y>\d{{4}})(?: {_HMS})?",
        rf"(?P<m>\d{{2}})/(?P<d>\d{{2}})/(?P<y>\d{{4}})(?: {_HMS})?",
    )
)


@attrs.frozen
class Moment:
    """The seconds a datetime value covers, both ends included.

    `repeated`: for a value with a zone that falls in an hour Moscow's clocks repeated
    (the autumn changes up to 2014), the first and last second of that hour: Moscow local
    time, which q and leads carry, cannot tell its two passes apart.
    """

    first: int
    last: int
    repeated: tuple[int, int] | None = None


def seconds(dt: datetime) -> int:
    return dt.toordinal() * _DAY + dt.hour * 3600 + dt.minute * 60 + dt.second


def format_seconds(s: int) -> str:
    """`YYYY-MM-DDTHH:MM:SS`, the form compiled into `q`."""
    rest = s % _DAY
    day = date.fromordinal(s // _DAY).isoformat()  # YYYY-MM-DD, the year padded to four digits
    return f"{day}T{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}"


@functools.lru_cache(maxsize=4096)
def parse_moment(text: str) -> Moment:
    """Read an absolute datetime in any documented form.

    Raises:
        ValueError: with a message for a person, when `text` is no such datetime.
    """
    for form in _FORMS:
        m = form.fullmatch(text)
        if m:
            return _moment(m)
    raise ValueError(f"`{text}` is not a date or time leadq knows")


def _moment(m: re.Match[str]) -> Moment:
    g = m.groupdict()
    has_time = g["H"] is not None
    has_seconds = g["S"] is not None
    try:
        dt = datetime(
            int(g["y"]),
            int(g["m"]),
            int(g["d"]),
            int(g["H"] or 0),
            int(g["M"] or 0),
            int(g["S"] or 0),
        )
    except ValueError:
        raise ValueError(f"`{m.group(0)}` is not a real date or time") from None
    tz = g.get("tz")
    repeated = None
    if tz:
        try:
            dt = _to_moscow(dt, tz)
        except (OverflowError, ValueError):
            raise ValueError(f"`{m.group(0)}` is out of the range of dates") from None
        repeated = _repeated_hour(dt)
    first = seconds(dt)
    width = 1 if has_seconds else 60 if has_time else _DAY
    return Moment(first, first + width - 1, repeated)


def _repeated_hour(local: datetime) -> tuple[int, int] | None:
    """The repeated stretch of Moscow local time that `local` lies in, if any."""
    zone = moscow()
    early, late = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    gap = (early.utcoffset() or timedelta(0)) - (late.utcoffset() or timedelta(0))
    if gap <= timedelta(0):
        return None  # one pass only (or a skipped hour, which no zoned instant lands in)
    # the clocks went back at `change`: the stretch from there, `gap` long, came twice
    change = _change_after(early.astimezone(UTC))
    first_local = change.astimezone(zone).replace(tzinfo=None)
    last_local = (change + gap - timedelta(seconds=1)).astimezone(zone).replace(tzinfo=None)
    return seconds(first_local), seconds(last_local)


def _change_after(instant: datetime) -> datetime:
    """The UTC instant at which Moscow's offset next changes, from within a repeated hour."""
    zone = moscow()
    low, high = instant, instant + timedelta(hours=3)
    offset = low.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        mid = low + (high - low) / 2
        if mid.astimezone(zone).utcoffset() == offset:
            low = mid
        else:
            high = mid
    return high.replace(microsecond=0)


def _to_moscow(dt: datetime, tz: str) -> datetime:
    if tz == "Z":
        offset = timedelta(0)
    else:
        hours, minutes = int(tz[1:3]), int(tz[4:6])
        if hours > 23 or minutes > 59:
            raise ValueError(tz)
        offset = timedelta(hours=hours, minutes=minutes) * (1 if tz[0] == "+" else -1)
    return dt.replace(tzinfo=timezone(offset)).astimezone(moscow()).replace(tzinfo=None)


#: How far back each relative period reaches, in seconds before `now` (`today`: to the
#: midnight just passed). The API documents only `today`; the others are leadq's reading.
#: The days each relative period but `today` reaches back (docs/decisions.md).
PERIOD_DAYS = {"lastday": 1, "last3days": 3, "lastweek": 7, "lastmonth": 30, "lastyear": 365}


def period_doc(name: str) -> str:
    """What a relative period covers, in words."""
    if name == "today":
        return "From the midnight just passed (Moscow time) to now."
    return f"The last {PERIOD_DAYS[name]} days up to now (Moscow time); the server reads it when the request runs."


def period_words(name: str) -> str:
    """A relative period in a few words (`lastweek`: "the last 7 days")."""
    if name == "today":
        return "today, since midnight"
    days = PERIOD_DAYS[name]
    return "the last day" if days == 1 else f"the last {days} days"


def moscow_seconds(now: datetime) -> int:
    """`now` as Moscow local seconds (a naive `now` is taken as Moscow time). A moment
    whose Moscow time falls outside the years 1 to 9999 (`0001-01-01T00:00+14:00`) gives a
    second before `FIRST_SECOND` or after `LAST_SECOND`, not an error."""
    offset = now.utcoffset()
    if offset is None:
        return seconds(now)
    try:
        return seconds(now.astimezone(moscow()).replace(tzinfo=None))
    except OverflowError:  # Moscow's offset at the nearest moment datetime holds
        edge = datetime(1, 1, 2, tzinfo=UTC) if now.year == 1 else datetime(9999, 12, 30, tzinfo=UTC)
        moscow_offset = edge.astimezone(moscow()).utcoffset()
        assert moscow_offset is not None
        return seconds(now.replace(tzinfo=None)) + int((moscow_offset - offset).total_seconds())


def period_bounds(name: str, now: int) -> tuple[int, int]:
    """The first and last Moscow local second of the relative period `name` at `now`."""
    start = now - now % _DAY if name == "today" else now - PERIOD_DAYS[name] * _DAY
    return start + 1, now


def in_period(name: str, at: int, now: int) -> bool:
    """Whether the Moscow local second `at` lies in the relative period `name` at `now`."""
    first, last = period_bounds(name, now)
    return first <= at <= last


def parse_lead_time(text: str) -> int:
    """A Lead's datetime as the API returns it (`2014-12-17T15:35:48`, Moscow time)."""
    return moscow_seconds(datetime.fromisoformat(text))


def now_seconds(now: datetime | None) -> int | None:
    """`now` as Moscow local seconds, for relative periods (None: no clock given)."""
    if now is None:
        return None
    if not isinstance(now, datetime):
        raise TypeError(f"now must be a datetime, not {type(now).__name__}")
    return moscow_seconds(now)



@functools.cache
def _limit(text: str) -> tuple[int, str] | None:
    """A method's longest interval, as its validator writes it (`30 days`, `1 month`): the
    count and the unit (`day` or `month`)."""
    m = re.fullmatch(r"(?P<n>[0-9]+) (?P<unit>day|month)s?", text, re.ASCII)
    return (int(m["n"]), m["unit"]) if m else None


def window_end(start: int, limit: str) -> int:
    """The last Moscow local second of the longest interval `limit` allows from `start`:
    `30 days` later, or the same moment a calendar month later (the 31st of January to the
    end of February), minus one second; an interval fits when it ends by then."""
    found = _limit(limit)
    if found is None:
        raise ValueError(f"`{limit}` is not an interval leadq knows")
    n, unit = found
    if unit == "day":
        return min(start + n * _DAY - 1, LAST_SECOND)
    day = date.fromordinal(start // _DAY)
    year, month0 = divmod(day.year * 12 + day.month - 1 + n, 12)
    if year > 9999:
        return LAST_SECOND
    import calendar  # only for a method whose interval is counted in months

    same = date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))
    return same.toordinal() * _DAY + start % _DAY - 1


def period_fits(name: str, limit: str) -> bool:
    """Whether the relative period `name` never covers more than `limit` allows."""
    days = 1 if name == "today" else PERIOD_DAYS[name]
    found = _limit(limit)
    if found is None:
        return False
    allowed = found[0] * (1 if found[1] == "day" else 28)  # the shortest month
    return days <= allowed
