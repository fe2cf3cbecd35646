"""MUKTA Desktop: offline-first Schedule of Rates, estimates and Measurement Book."""

__version__ = "0.4.0"
