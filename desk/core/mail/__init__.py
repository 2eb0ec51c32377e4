"""E-mail for desks without a hosted helpdesk (no Qt here).

* ``settings``: the SMTP/IMAP account (store rows) and its password (the OS keyring only).
* ``compose``: subjects with the ticket number, Message-IDs, the confirmation's words, MIME.
* ``outbox``: the durable outbox, filled in the transaction of the reply or ticket it tells of;
  what each reply became (recorded only, queued, sent, failed).
* ``smtp``: one delivery attempt, its failure typed as temporary (retry) or permanent.
* ``sender``: deliver what is due, once each, with back-off.
* ``parsing`` and ``intake``: messages read by IMAP become comments or tickets, one op each.
"""
