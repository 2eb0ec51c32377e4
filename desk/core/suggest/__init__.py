"""Intake that learns from this desk's own solved tickets: category and location suggested from
the subject as it is typed, expected resolution from the predicted category and the requester's
kind, canned responses used on similar solved tickets. Small models in pure Python and numpy,
trained in the background; nothing is downloaded. No Qt here."""
