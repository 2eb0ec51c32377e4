"""The read side: queue views, full-text search, ticket detail."""
