"""Where to get help, by country: emergency numbers first, then hotlines, from ``data/resources.yaml``.

Every number records its source (the organisation's own site), the date it was last checked and how. bondlens
never uses the network, so none was re-checked online; every document that shows them says that numbers change
and asks the reader to check them where they live."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import yaml

from bondlens.errors import BondlensError
from bondlens.plan.steps import data_text

RESOURCES_FILE = "resources.yaml"


@dataclass(frozen=True)
class CheckMethod:
    key: str
    label: str  # a few words, shown beside each number
    text: str  # the whole method, shown once under the list


@dataclass(frozen=True)
class Contact:
    name: str
    contact: str  # what to dial or text
    about: str | None  # who it is for, hours
    source: str  # the organisation's own site
    checked_on: date
    checked_how: CheckMethod

    @property
    def site(self) -> str:
        """The source as a bare host name ('thehotline.org'): documents show it as text, never as a link."""
        host = urlsplit(self.source).hostname or self.source
        return host.removeprefix("www.")


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    emergency: tuple[Contact, ...]
    hotlines: tuple[Contact, ...]
    note: str | None = None

    @property
    def last_checked(self) -> date:
        return max(c.checked_on for c in (*self.emergency, *self.hotlines))


@dataclass(frozen=True)
class Resources:
    countries: tuple[Country, ...]
    default: str
    aliases: dict[str, str]
    methods: tuple[CheckMethod, ...]

    def known(self) -> str:
        """'US (United States), ..., EU (EU and elsewhere, the default)'."""
        return ", ".join(
            f"{c.code} ({c.name}{', the default' if c.code == self.default else ''})" for c in self.countries
        )

    def country(self, code: str | None) -> Country:
        """The country for ``code`` (any case; 'GB' is 'UK'); the default for None; a clear error otherwise."""
        wanted = (code or self.default).strip().upper()
        wanted = self.aliases.get(wanted, wanted)
        for country in self.countries:
            if country.code == wanted:
                return country
        raise BondlensError(f"no help numbers for the country {code!r}; known countries: {self.known()}")


def _text(entry: dict[str, Any], key: str, where: str, required: bool = True) -> str | None:
    value = entry.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise BondlensError(f"{where}: '{key}' must be non-empty text")
    return " ".join(value.split())


def _contact(entry: Any, where: str, methods: dict[str, CheckMethod]) -> Contact:
    if not isinstance(entry, dict):
        raise BondlensError(f"{where}: expected a mapping")
    name = str(_text(entry, "name", where))
    where = f"{where} ({name})"
    source = str(_text(entry, "source", where))
    if urlsplit(source).scheme != "https" or not urlsplit(source).hostname:
        raise BondlensError(f"{where}: 'source' must be the organisation's https:// address")
    try:
        checked_on = date.fromisoformat(str(entry.get("checked_on")))
    except ValueError:
        raise BondlensError(f"{where}: 'checked_on' must be a date (YYYY-MM-DD)") from None
    how = entry.get("checked_how")
    if how not in methods:
        raise BondlensError(f"{where}: 'checked_how' must be one of {', '.join(methods)}")
    return Contact(
        name=name,
        contact=str(_text(entry, "contact", where)),
        about=_text(entry, "about", where, required=False),
        source=source,
        checked_on=checked_on,
        checked_how=methods[how],
    )


def parse_resources(text: str, where: str = RESOURCES_FILE) -> Resources:
    """Read and check a resources file: each country has at least one emergency number and one hotline."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("countries"), list):
        raise BondlensError(f"{where}: expected a mapping with a list 'countries'")
    raw_methods = data.get("checked_how")
    if not isinstance(raw_methods, dict) or not raw_methods:
        raise BondlensError(f"{where}: expected a mapping 'checked_how'")
    methods = {
        str(key): CheckMethod(
            str(key), str(_text(value, "label", f"{where}: {key}")), str(_text(value, "text", f"{where}: {key}"))
        )
        for key, value in raw_methods.items()
    }
    countries: list[Country] = []
    for index, entry in enumerate(data["countries"], 1):
        here = f"{where}: country {index}"
        if not isinstance(entry, dict):
            raise BondlensError(f"{here}: expected a mapping")
        code = str(_text(entry, "code", here)).upper()
        here = f"{where}: {code}"
        if any(c.code == code for c in countries):
            raise BondlensError(f"{here}: the code is used twice")
        lists = {}
        for part in ("emergency", "hotlines"):
            items = entry.get(part)
            if not isinstance(items, list) or not items:
                raise BondlensError(f"{here}: '{part}' must be a non-empty list")
            lists[part] = tuple(_contact(item, f"{here} {part} {n}", methods) for n, item in enumerate(items, 1))
        countries.append(
            Country(
                code=code,
                name=str(_text(entry, "name", here)),
                emergency=lists["emergency"],
                hotlines=lists["hotlines"],
                note=_text(entry, "note", here, required=False),
            )
        )
    codes = {c.code for c in countries}
    default = str(data.get("default", "")).upper()
    if default not in codes:
        raise BondlensError(f"{where}: 'default' must be one of {', '.join(sorted(codes))}")
    aliases = {str(k).upper(): str(v).upper() for k, v in (data.get("aliases") or {}).items()}
    if not set(aliases.values()) <= codes:
        raise BondlensError(f"{where}: every alias must name a country code")
    return Resources(tuple(countries), default, aliases, tuple(methods.values()))


@cache
def load_resources() -> Resources:
    """The help numbers shipped with bondlens."""
    return parse_resources(data_text(RESOURCES_FILE))
