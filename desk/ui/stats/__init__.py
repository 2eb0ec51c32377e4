"""The Stats tab: charts and tables over ``desk.core.stats`` (computed on the DB worker)."""
