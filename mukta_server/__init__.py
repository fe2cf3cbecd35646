"""MUKTA head-office server: the sync API the desktop talks to, and its admin command."""

__version__ = "0.1.0"
