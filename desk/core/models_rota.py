"""ORM rows of staffing and the rota (migration 0014): quick questions, availability, limits, plan."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from desk.core.models import Base, Timestamp

# Effort levels of a quick question and the handle time each stands for in staffing (seconds):
# a pointed finger, a short explanation, a few minutes at the counter.
EFFORT_SECONDS = {"brief": 30, "short": 120, "long": 300}


class QuickQuestion(Base):
    __tablename__ = "quick_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    arrived_at: Mapped[datetime] = mapped_column(Timestamp)
    effort: Mapped[str] = mapped_column(String(8))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))


class AgentAvailability(Base):
    """A worker can work on ``weekday`` (0 = Monday, desk time zone) from start to end minute."""

    __tablename__ = "agent_availability"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)


class AgentLimit(Base):
    __tablename__ = "agent_limits"

    agent_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    max_hours_per_week: Mapped[float | None] = mapped_column(Float)


class PlannedShift(Base):
    __tablename__ = "planned_shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    starts_at: Mapped[datetime] = mapped_column(Timestamp)
    ends_at: Mapped[datetime] = mapped_column(Timestamp)
    draft: Mapped[bool] = mapped_column(Boolean, default=True)
