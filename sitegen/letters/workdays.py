"""Working days (法定节假日 and 调休 from chinesecalendar) for the letters' answer deadlines."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

# 政务咨询 are answered within 10 working days (the inspection index warns after 10 and vetoes
# anything left unanswered for three months).
ANSWER_DAYS = 10


def workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:     # a year the package does not cover yet: weekends only
        return day.weekday() < 5


def between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 the same day, negative never)."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        days += workday(day)
    return days


def left(received: date, today: date, limit: int = ANSWER_DAYS) -> int:
    """Working days still left to answer a letter received on ``received`` (negative: overdue)."""
    return limit - between(received, today)
