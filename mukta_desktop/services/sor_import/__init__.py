"""Importing SORs and rates from the MUKTA bulk-upload workbooks and our own JSON."""

from .report import ImportProblem, ImportReport

__all__ = ["ImportProblem", "ImportReport"]
