"""The ``desk`` command: the GUI with no sub-command, or a sub-command run headless."""
