"""Canned responses: the picker used from the editor and the manager dialog."""
