"""The Desk core: store, operations, queries, stats and sync. Never imports Qt."""
