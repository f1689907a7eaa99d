"""The bulletin's generated texts, written from its figures (bulletins.figures) in the phrasing
offices use: 一、总体情况 with the counts and rates, the named lists of units, the overdue tasks with
their lead units and the open coordination requests. The office edits them before publishing."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

SEPARATOR = "、"


def _date(iso: str) -> str:
    day = datetime.date.fromisoformat(iso)
    return _("%(year)s-%(month)s-%(day)s") % {"year": day.year, "month": day.month, "day": day.day}


def _names(names: list[str]) -> str:
    return SEPARATOR.join(names) if names else _("none")


def _rate(value) -> str:
    return "—" if value is None else f"{value}%"


def title(campaign, figures: dict) -> str:
    return _("Progress of %(campaign)s, %(start)s to %(end)s") % {
        "campaign": campaign.title,
        "start": _date(figures["range"]["start"]),
        "end": _date(figures["range"]["end"]),
    }


def overview(campaign, figures: dict) -> str:
    tasks, reports, span = figures["tasks"], figures["reports"], figures["range"]
    lines = [
        _(
            "As of %(today)s, %(campaign)s has %(total)s key tasks: %(closed)s closed (%(closed_rate)s), "
            "%(open)s in progress (%(open_rate)s), of which %(overdue)s past their deadline (%(overdue_rate)s)."
        )
        % {
            "today": _date(figures["today"]),
            "campaign": campaign.title,
            "total": tasks["total"],
            "closed": tasks["closed"],
            "closed_rate": _rate(tasks["closed_rate"]),
            "open": tasks["open"],
            "open_rate": _rate(tasks["open_rate"]),
            "overdue": tasks["overdue"],
            "overdue_rate": _rate(tasks["overdue_rate"]),
        }  # fmt: skip
    ]
    if not reports["owed"]:
        lines.append(
            _("From %(start)s to %(end)s no progress reports were due yet, so none are counted.")
            % {"start": _date(span["start"]), "end": _date(span["end"])}
        )
    else:
        lines.append(
            _(
                "From %(start)s to %(end)s the units owed %(owed)s progress reports: %(on_time)s filed on time "
                "(on-time rate %(rate)s), %(late)s filed late and %(missing)s not filed."
            )
            % {
                "start": _date(span["start"]),
                "end": _date(span["end"]),
                "owed": reports["owed"],
                "on_time": reports["on_time"],
                "rate": _rate(reports["on_time_rate"]),
                "late": reports["late"],
                "missing": reports["missing"],
            }  # fmt: skip
        )
    return "\n".join(lines)


def named_lists(figures: dict) -> str:
    units = figures["units"]
    if not figures["reports"]["owed"]:
        return _("No unit owed a progress report in this range.")
    return _("Units that reported on time: %(on_time)s; units that reported late: %(late)s; units that did not report: %(missing)s.") % {  # noqa: E501
        "on_time": _names(units["on_time"]), "late": _names(units["late"]), "missing": _names(units["missing"]),
    }  # fmt: skip


def overdue_text(figures: dict) -> str:
    lines = []
    overdue = figures["overdue_tasks"]
    if overdue:
        lines.append(_("Tasks past their deadline and not closed:"))
        for task in overdue:
            lines.append(
                _(
                    "%(number)s. %(title)s (lead units: %(units)s; deadline %(deadline)s, %(workdays)s working days overdue)"
                )
                % {
                    "number": task["number"],
                    "title": task["title"],
                    "units": _names(task["lead_units"]),
                    "deadline": _date(task["deadline"]),
                    "workdays": task["workdays"],
                }  # fmt: skip
            )
    else:
        lines.append(_("No task is past its deadline."))
    coordination = figures["coordination"]
    if coordination:
        lines.append(_("Matters awaiting coordination:"))
        for item in coordination:
            lines.append(
                _("%(number)s. %(title)s (%(unit)s): %(request)s")
                % {
                    "number": item["number"],
                    "title": item["title"],
                    "unit": item["unit"],
                    "request": item["request"] or _("(no details given)"),
                }  # fmt: skip
            )
    else:
        lines.append(_("No matter awaits coordination."))
    return "\n".join(lines)


def generated(campaign, figures: dict) -> dict[str, str]:
    """The texts a draft starts from (and a refresh rewrites)."""
    return {
        "overview": overview(campaign, figures),
        "named_lists": named_lists(figures),
        "overdue_text": overdue_text(figures),
    }
