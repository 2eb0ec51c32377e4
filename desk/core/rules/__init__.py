"""Rules: SLA policies (``sla``), triggers (``triggers``), automations (``automations``).

``definitions`` says what a rule is made of, ``matching`` when its conditions hold, ``store``
reads them, ``ops`` writes them (one transaction each, audited), ``engine`` is the one hook
every operation runs before it commits, ``zendesk_import`` reads Zendesk's JSON. docs/rules.md
is the user's description. No Qt here.
"""
