"""Resolving unit names as sheets write them: full names, short names, aliases and groups."""

from __future__ import annotations

import difflib

from django.utils.translation import gettext as _

from common.naming import name_key

from .models import Unit, UnitAlias, UnitGroup


class UnknownUnitName(ValueError):
    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        if suggestions:
            message = _("Unknown unit “%(name)s”. Did you mean: %(suggestions)s?") % {
                "name": name,
                "suggestions": _("、").join(suggestions),
            }
        else:
            message = _("Unknown unit “%(name)s”. Add it to the unit directory first.") % {"name": name}
        super().__init__(message)


class UnitDirectory:
    """Every name a unit or group goes by, loaded in three queries and then looked up in memory.

    An import builds one directory and resolves every cell against it, instead of one query per
    name.
    """

    def __init__(self):
        units = {unit.pk: unit for unit in Unit.objects.filter(is_active=True)}
        self._units: dict[str, Unit] = {unit.key: unit for unit in units.values()}
        self._display: dict[str, str] = {unit.key: unit.name for unit in units.values()}
        for unit in units.values():
            if unit.short_name:
                self._units.setdefault(name_key(unit.short_name), unit)
                self._display.setdefault(name_key(unit.short_name), unit.short_name)
        for alias in UnitAlias.objects.filter(unit__is_active=True).only("unit_id", "name", "key"):
            unit = units.get(alias.unit_id)
            if unit is not None:
                self._units.setdefault(alias.key, unit)
                self._display.setdefault(alias.key, alias.name)
        self._groups: dict[str, list[Unit]] = {}
        for group in UnitGroup.objects.prefetch_related("members"):
            self._groups[group.key] = sorted(
                (unit for unit in group.members.all() if unit.is_active), key=lambda u: (u.sort_order, u.name)
            )
            self._display.setdefault(group.key, group.name)

    def resolve(self, name: str) -> list[Unit]:
        """The units a name stands for: one unit, or every member of a group."""
        key = name_key(name)
        if key in self._units:
            return [self._units[key]]
        if key in self._groups:
            return list(self._groups[key])
        raise UnknownUnitName(name, self.suggest(name))

    def resolve_one(self, name: str) -> Unit | None:
        """A single unit by any of its names, or None (groups do not count)."""
        return self._units.get(name_key(name))

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        key = name_key(name)
        keys = difflib.get_close_matches(key, self._display.keys(), n=limit, cutoff=0.5)
        if not keys:
            # Short names are often contained in the full one: 区发改 ⊂ 区发展和改革局 is not, but
            # 区财政 ⊂ 区财政局 is.
            keys = [k for k in self._display if key and (key in k or k in key)][:limit]
        return [self._display[k] for k in keys]
