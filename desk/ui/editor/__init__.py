"""Ticket editor: conversation, reply, fields, history, drafts, conflicts."""
