"""Desk: an offline-first desktop service-desk client."""

__version__ = "0.1.0"
