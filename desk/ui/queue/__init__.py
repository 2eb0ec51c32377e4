"""The front desk: queue table, views, search, quick log, walk-in line, who is at the desk."""
