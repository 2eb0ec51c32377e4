"""The counter display and its exit survey (a second screen facing the people waiting)."""
