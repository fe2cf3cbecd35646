"""What an SOR import reports back: counts when it applied, every bad row when it refused."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One reason a file was refused; row is the spreadsheet row number (1-based) or JSON item."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def location(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The outcome of one import. When `problems` is non-empty nothing was written."""

    file: str
    sors_created: int = 0
    sors_updated: int = 0
    sors_unchanged: int = 0
    rates_added: int = 0
    rates_skipped: int = 0
    problems: tuple[ImportProblem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if not self.ok:
            return (
                f"{self.file}: refused, nothing imported; {len(self.problems)} problem(s) to fix."
            )
        return (
            f"{self.file}: {self.sors_created} SOR(s) created, {self.sors_updated} updated, "
            f"{self.sors_unchanged} unchanged; {self.rates_added} rate(s) added, "
            f"{self.rates_skipped} already present."
        )
