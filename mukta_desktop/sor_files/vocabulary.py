"""Codes or words, any case, for SOR type, sub type, variant and unit, resolved to master codes.

The master lists come from the desktop's database (services.masters) or, on the head-office
server, straight from the seed they are loaded from (`seed_vocabulary`): the same codes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol

from mukta_desktop.domain.sor import SorType

from .values import BadValue

NOT_APPLICABLE = "notapplicable"
NOT_APPLICABLE_VARIANT = "NA"
_NON_ALNUM = re.compile(r"[^0-9a-z]")


class _Listed(Protocol):
    """An entry of a master list: its code, name and (sub types) the SOR type it belongs to."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def parent(self) -> str: ...


class MasterLists(Protocol):
    """The master lists a vocabulary is made of (services.masters.Masters is one)."""

    @property
    def sor_types(self) -> Sequence[_Listed]: ...
    @property
    def sub_types(self) -> Sequence[_Listed]: ...
    @property
    def variants(self) -> Sequence[_Listed]: ...
    @property
    def units(self) -> Sequence[_Listed]: ...
    @property
    def unit_aliases(self) -> Mapping[str, str]: ...


@dataclass(frozen=True, slots=True)
class Listed:
    code: str
    name: str
    parent: str = ""


@dataclass(frozen=True, slots=True)
class SeedLists:
    """The master lists as the seed file holds them."""

    sor_types: tuple[Listed, ...]
    sub_types: tuple[Listed, ...]
    variants: tuple[Listed, ...]
    units: tuple[Listed, ...]
    unit_aliases: dict[str, str]


def read_seed() -> dict[str, Any]:
    """The seed of the master lists (resources/seed/masters.json), as parsed JSON."""
    text = (
        resources.files("mukta_desktop").joinpath("resources/seed/masters.json").read_text("utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


def seed_lists() -> SeedLists:
    seed = read_seed()
    return SeedLists(
        sor_types=tuple(Listed(r["code"], r["name"]) for r in seed["sor_types"]),
        sub_types=tuple(Listed(r["code"], r["name"], r["type"]) for r in seed["sor_sub_types"]),
        variants=tuple(Listed(r["code"], r["name"]) for r in seed["variants"]),
        units=tuple(Listed(r["code"], r["name"]) for r in seed["units"]),
        unit_aliases={
            alias.upper(): row["code"] for row in seed["units"] for alias in row["aliases"]
        },
    )


def key(text: str) -> str:
    """How a code or name is compared: 'Un Skilled', 'UNSKILLED' and 'un-skilled' are one."""
    return _NON_ALNUM.sub("", text.casefold())


@dataclass(frozen=True, slots=True)
class Vocabulary:
    types: dict[str, str]  # key of code or name -> type code
    type_names: dict[str, str]  # type code -> name
    sub_types: dict[tuple[str, str], str]  # (type code, key of code or name) -> sub type code
    sub_type_codes: dict[str, tuple[str, ...]]  # type code -> its sub type codes
    variants: dict[str, str]  # key of code or name -> variant code
    variant_codes: tuple[str, ...]
    units: dict[str, str]  # key of code, alias or name -> unit code
    unit_codes: tuple[str, ...]

    @classmethod
    def from_masters(cls, masters: MasterLists) -> Vocabulary:
        sub_types: dict[tuple[str, str], str] = {}
        for sub in masters.sub_types:
            sub_types[(sub.parent, key(sub.name))] = sub.code
            if key(sub.name) == NOT_APPLICABLE:
                # People write plain NA for the per-type NA1/NA2.
                sub_types[(sub.parent, "na")] = sub.code
        for sub in masters.sub_types:
            sub_types[(sub.parent, key(sub.code))] = sub.code  # a code wins over a name
        units = {key(u.name): u.code for u in masters.units}
        units.update({key(alias): code for alias, code in masters.unit_aliases.items()})
        units.update({key(u.code): u.code for u in masters.units})
        return cls(
            types={
                **{key(t.name): t.code for t in masters.sor_types},
                **{key(t.code): t.code for t in masters.sor_types},
            },
            type_names={t.code: t.name for t in masters.sor_types},
            sub_types=sub_types,
            sub_type_codes={
                t.code: tuple(s.code for s in masters.sub_types if s.parent == t.code)
                for t in masters.sor_types
            },
            variants={
                **{key(v.name): v.code for v in masters.variants},
                **{key(v.code): v.code for v in masters.variants},
            },
            variant_codes=tuple(v.code for v in masters.variants),
            units=units,
            unit_codes=tuple(u.code for u in masters.units),
        )

    def sor_type(self, text: str) -> str:
        found = self.types.get(key(text))
        if found is None:
            allowed = ", ".join(f"{c} ({n})" for c, n in self.type_names.items())
            raise BadValue(f"type '{text}' is not known; allowed: {allowed}")
        return found

    def sub_type(self, text: str, type_code: str) -> str:
        found = self.sub_types.get((type_code, key(text)))
        if found is None:
            allowed = ", ".join(self.sub_type_codes.get(type_code, ()))
            raise BadValue(
                f"sub type '{text}' is not a sub type of "
                f"{self.type_names.get(type_code, type_code)}; allowed: {allowed} "
                "(or their names)"
            )
        return found

    def variant(self, text: str, type_code: str | None) -> str:
        found = self.variants.get(key(text))
        if found is None:
            raise BadValue(
                f"variant '{text}' is not known; allowed: "
                f"{', '.join(self.variant_codes)} (or their names)"
            )
        if type_code not in (None, SorType.WORKS.value) and found != NOT_APPLICABLE_VARIANT:
            raise BadValue(
                f"variant '{text}' applies to works items only; "
                f"{self.type_names.get(type_code, type_code)} items use "
                "NA (Not Applicable)"
            )
        return found

    def unit(self, text: str) -> str:
        found = self.units.get(key(text))
        if found is None:
            raise BadValue(
                f"unit '{text}' is not known; allowed: {', '.join(self.unit_codes)} "
                "(or an alias such as QTL, MTR, Nos)"
            )
        return found
