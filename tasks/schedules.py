"""Seasonal crawl schedules for Celery beat: budget season and final-accounts season, per province.

Budgets must be published within 20 days of their approval, which puts most of them in February to
April; final accounts follow approval of the previous year's accounts, mostly July to September. Beat
fires one `govbudget.crawl_season` per (province, season); that task enqueues one `crawl_region` per
region of the province, so adding a region needs no beat restart. Every entry carries an expiry: a
run that waited past it (workers down for a day) is dropped, not replayed late in a burst.

Per-province overrides come from a JSON file (`GOVBUDGET_SCHEDULES_FILE`)::

    {"regions": {"13": ["130000", "130400"]},
     "provinces": {"44": {"budget": {"months": "1-4", "days": "mon,wed,fri", "hour": 2}}}}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from celery.schedules import crontab

TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Season:
    """When to crawl in one season: months, weekdays and hour (China time), and how long a run may wait."""

    name: str
    months: str
    days: str = "mon,thu"
    hour: int = 3
    minute: int = 0
    expires_s: int = 12 * 3600

    def crontab(self) -> crontab:
        return crontab(minute=self.minute, hour=self.hour, day_of_week=self.days, month_of_year=self.months)


DEFAULT_SEASONS = (Season("budget", months="2-4"), Season("final", months="7-9"))
SEASON_FIELDS = {"months", "days", "hour", "minute", "expires_s"}
ALL_PROVINCES = "*"


@dataclass(frozen=True)
class ScheduleConfig:
    """Provinces (2-digit GB/T 2260 prefixes) with their seasons, and the regions of each province."""

    seasons: dict[str, tuple[Season, ...]]
    regions: dict[str, tuple[str, ...]]


def load_config(path: str | Path | None) -> ScheduleConfig:
    """Read the JSON schedule file (none: the default seasons for every region already crawled)."""
    if not path:
        return ScheduleConfig({}, {})
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a JSON object")
    regions: dict[str, tuple[str, ...]] = {}
    for province, codes in (raw.get("regions") or {}).items():
        _check_province(province, path)
        if not isinstance(codes, list) or not all(
            isinstance(c, str) and c.isdigit() and len(c) == 6 for c in codes
        ):
            raise ValueError(f"{path}: regions of {province} must be a list of 6-digit codes")
        if any(not c.startswith(province) for c in codes):
            raise ValueError(f"{path}: a region listed under {province} belongs to another province")
        regions[province] = tuple(codes)
    overrides = raw.get("provinces") or {}
    seasons: dict[str, tuple[Season, ...]] = {}
    for province in sorted(set(regions) | set(overrides)):
        _check_province(province, path)
        chosen = []
        for season in DEFAULT_SEASONS:
            extra = (overrides.get(province) or {}).get(season.name) or {}
            unknown = set(extra) - SEASON_FIELDS
            if unknown:
                raise ValueError(f"{path}: unknown fields {sorted(unknown)} for {province}/{season.name}")
            chosen.append(replace(season, **extra))
        seasons[province] = tuple(chosen)
    config = ScheduleConfig(seasons, regions)
    beat_schedule(config)  # invalid crontab fields fail here, at load, not at 3 a.m.
    return config


def _check_province(code: str, path: str | Path) -> None:
    if not (isinstance(code, str) and len(code) == 2 and code.isdigit()):
        raise ValueError(f"{path}: province keys are 2-digit GB/T 2260 prefixes, got {code!r}")


def beat_schedule(config: ScheduleConfig) -> dict[str, dict[str, Any]]:
    """Celery `beat_schedule` entries: one per (province, season).

    With no province configured, province `*` stands for every region the catalog has crawled before.
    """
    entries: dict[str, dict[str, Any]] = {}
    for province, seasons in sorted((config.seasons or {ALL_PROVINCES: DEFAULT_SEASONS}).items()):
        for season in seasons:
            entries[f"crawl-{province}-{season.name}"] = {
                "task": "govbudget.crawl_season",
                "schedule": season.crontab(),
                "args": [province, season.name],
                "options": {"expires": season.expires_s, "queue": "crawl"},
            }
    entries["reconcile-parses"] = {
        "task": "govbudget.reconcile",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60, "queue": "parse"},
    }
    return entries


def next_runs(schedule: crontab, after: datetime, count: int = 3) -> list[datetime]:
    """The next `count` times `schedule` fires after `after` (China time)."""
    tz = ZoneInfo(TIMEZONE)
    moment = after.astimezone(tz)
    out: list[datetime] = []
    for _ in range(count):
        last, delta, _now = schedule.remaining_delta(moment, tz=tz)
        nxt = (last + delta).astimezone(tz)
        if nxt <= moment:  # remaining_delta can land on `moment` itself: step past it
            last, delta, _now = schedule.remaining_delta(moment + timedelta(minutes=1), tz=tz)
            nxt = (last + delta).astimezone(tz)
        out.append(nxt)
        moment = nxt
    return out
