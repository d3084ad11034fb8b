"""JQL date values and date functions.

Accepted values (Jira's documented formats): ``yyyy/MM/dd HH:mm``,
``yyyy-MM-dd HH:mm``, ``yyyy/MM/dd``, ``yyyy-MM-dd`` (in the searcher's time
zone), periods relative to now such as ``-5d``, ``"4w 2d"``, ``-1w2d``,
``"-1h 30m"`` (units w, d, h, m), and epoch milliseconds. Functions:
``now()``, ``startOf{Day,Week,Month,Year}([inc])`` and ``endOf...([inc])``
where ``inc`` is ``[+-]N[unit]`` with units y, M, w, d, h, m (the default
unit is the function's own period, so ``startOfDay(-1)`` is yesterday).
Weeks start on Sunday for ``en_US`` (and anonymous searches), else Monday.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..state.model import User

__all__ = ["DATE_FUNCTIONS", "date_function", "parse_date_value", "user_zone"]

_ABSOLUTE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$")
_PERIOD = re.compile(r"^([-+]?)\s*((?:\d+\s*[wdhm]\s*)+)$", re.IGNORECASE)
_PERIOD_PART = re.compile(r"(\d+)\s*([wdhm])", re.IGNORECASE)
_UNIT_SECONDS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60}
_INCREMENT = re.compile(r"^([-+]?)(\d+)([yMwdhm]?)$")
_SUNDAY_LOCALES = frozenset({"en_US", "en_CA", "ja_JP", "pt_BR"})


def user_zone(user: User | None) -> tzinfo:
    if user is None:
        return UTC
    try:
        return ZoneInfo(user.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def parse_date_value(text: str, now: datetime, tz: tzinfo) -> datetime | None:
    """The instant a JQL date value names, or None when it is not a valid date value."""
    value = text.strip()
    m = _ABSOLUTE.match(value)
    if m:
        year, month, day, hour, minute = (int(g) if g else 0 for g in m.groups())
        try:
            return datetime(year, month, day, hour, minute, tzinfo=tz)
        except ValueError:
            return None
    m = _PERIOD.match(value)
    if m:
        seconds = sum(int(n) * _UNIT_SECONDS[u.lower()] for n, u in _PERIOD_PART.findall(m.group(2)))
        if seconds > 10**11:
            return None
        return now + timedelta(seconds=-seconds if m.group(1) == "-" else seconds)
    if re.fullmatch(r"-?\d{1,15}", value):
        try:
            return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def _add_months(value: datetime, months: int) -> datetime:
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    day = min(value.day, _days_in_month(year, month + 1))
    return value.replace(year=year, month=month + 1, day=day)


def _days_in_month(year: int, month: int) -> int:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return (nxt - timedelta(days=1)).day


def _shift(value: datetime, amount: int, unit: str) -> datetime:
    if unit == "y":
        return _add_months(value, 12 * amount)
    if unit == "M":
        return _add_months(value, amount)
    return value + timedelta(seconds=amount * {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60}[unit])


def _start(period: str, local: datetime, locale: str | None) -> datetime:
    day = datetime.combine(local.date(), time(), tzinfo=local.tzinfo)
    if period == "d":
        return day
    if period == "w":
        first = 6 if locale is None or locale in _SUNDAY_LOCALES else 0
        return day - timedelta(days=(local.weekday() - first) % 7)
    if period == "M":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


# name (lower case) -> (period, end of period?)
DATE_FUNCTIONS: dict[str, tuple[str, bool]] = {
    "startofday": ("d", False),
    "startofweek": ("w", False),
    "startofmonth": ("M", False),
    "startofyear": ("y", False),
    "endofday": ("d", True),
    "endofweek": ("w", True),
    "endofmonth": ("M", True),
    "endofyear": ("y", True),
}


def date_function(name: str, args: tuple[str, ...], now: datetime, user: User | None) -> datetime | None:
    """The instant a date function names; None when its increment argument is invalid."""
    key = name.lower()
    if key == "now":
        return now
    period, end = DATE_FUNCTIONS[key]
    local = now.astimezone(user_zone(user))
    try:
        result = _start(period, local, user.locale if user else None)
        if end:
            result = _shift(result, 1, period) - timedelta(milliseconds=1)
        if args:
            m = _INCREMENT.match(args[0].strip())
            if m is None:
                return None
            amount = int(m.group(2)) * (-1 if m.group(1) == "-" else 1)
            result = _shift(result, amount, m.group(3) or period)
    except (OverflowError, ValueError):
        return None
    return result
