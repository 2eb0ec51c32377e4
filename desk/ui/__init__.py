"""The PySide6 user interface. Imports the core; the core never imports this."""
