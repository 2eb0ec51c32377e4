"""One function per user action. Each runs in one transaction, writes audit events and
returns a ``Changes`` value. Arguments are keyword-only; ``actor_id`` is the agent doing it."""
