"""Codes or words, any case, for SOR type, sub type, variant and unit, resolved to master codes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mukta_desktop.domain.sor import SorType

from ..masters import Masters
from .values import BadValue

NOT_APPLICABLE = "notapplicable"
NOT_APPLICABLE_VARIANT = "NA"
_NON_ALNUM = re.compile(r"[^0-9a-z]")


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
    def from_masters(cls, masters: Masters) -> Vocabulary:
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
                t.code: tuple(s.code for s in masters.sub_types_of(t.code))
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
