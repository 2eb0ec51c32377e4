"""The suggested rota, checked by a discrete-event simulation of the desk: arrivals at the
history's rates, service times drawn from the history's handle times, patience estimated from its
walk-aways. The rota must meet its target in at least 95% of the intervals with demand, pooled
over many simulated weeks (fixed seed). The simulator itself is checked against Erlang C and A."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest
from sqlalchemy import select

from desk.core import demo
from desk.core.db import open_store
from desk.core.models import Person
from desk.core.ops.rota import set_availability, set_max_hours
from desk.core.settings import TIMEZONE_KEY, set_setting
from desk.core.staffing.erlang_a import erlang_a
from desk.core.staffing.planning import plan_weeks, requirement, suggest_for
from desk.core.staffing.simulate import simulate

SIMULATED_WEEKS = 150


def test_simulator_agrees_with_erlang_c_and_a() -> None:
    rng = np.random.default_rng(3)
    rate = np.full((7, 24), 200.0)
    handles = rng.exponential(180, 100_000)
    patient = simulate(arrivals_per_hour=rate, agents=np.full((7, 24), 14), handle_samples=handles,
                       patience_seconds=None, target_seconds=20, weeks=3, seed=1)
    assert patient.served_in_time.sum() / patient.arrivals.sum() == pytest.approx(0.8884, abs=0.01)
    leaving = simulate(arrivals_per_hour=rate, agents=np.full((7, 24), 12), handle_samples=handles,
                       patience_seconds=300, target_seconds=20, weeks=3, seed=2)
    model = erlang_a(agents=12, arrivals_per_hour=200, handle_seconds=180, patience_seconds=300,
                     target_seconds=20)
    assert leaving.served_in_time.sum() / leaving.arrivals.sum() == pytest.approx(model.service_level, abs=0.01)
    assert leaving.walked_away.sum() / leaving.arrivals.sum() == pytest.approx(model.abandonment, abs=0.005)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    path = tmp_path_factory.mktemp("simulation") / "demo.sqlite3"
    demo.generate(path, tickets=6000, days=70, seed=3, end=datetime(2026, 11, 30, tzinfo=UTC))
    return path


@pytest.mark.parametrize("service", ["exponential", "lognormal"])
def test_suggested_rota_meets_its_target_in_simulated_weeks(demo_store, capsys, service: str) -> None:  # noqa: ANN001
    """The demo data has too few one-visit tickets for a handle time (so staffing assumes 10 min):
    service times are exponential at that mean, or drawn from a heavier-tailed lognormal sample
    of the same mean (what a real desk's bootstrap looks like)."""
    with open_store(demo_store) as store, store.session() as session:
        set_setting(session, key=TIMEZONE_KEY, value="America/New_York")
        agents = session.scalars(select(Person.id).where(Person.is_agent)).all()
        for agent in agents:  # student workers free all week, at most 20 hours
            set_availability(session, agent_id=agent, ranges=[(day, 0, 1440) for day in range(7)])
            set_max_hours(session, agent_id=agent, hours=20)
        weeks = plan_weeks(session, first_day=date(2026, 11, 30))
        wanted, table = requirement(session, weeks=weeks)
        suggestion, _shifts = suggest_for(session, weeks=weeks, table=table)
        assert suggestion.shortfall == 0
        assert table.required_shrunk.sum() > 0
        samples = None
        if service == "lognormal":
            sigma = 0.8
            draws = np.random.default_rng(5).lognormal(0, sigma, 50_000)
            samples = draws * table.handle_seconds / draws.mean()
        result = simulate(arrivals_per_hour=wanted.arrivals_per_hour, agents=suggestion.coverage,
                          handle_samples=samples, handle_seconds=table.handle_seconds,
                          patience_seconds=wanted.patience.mean_seconds,
                          target_seconds=table.target.seconds, weeks=SIMULATED_WEEKS, seed=17)
    share = result.share_meeting(table.target.level)
    with capsys.disabled():
        print(f"\nsimulation ({service} service): the suggested rota ({suggestion.hours:g} h/week, {suggestion.status}, "
              f"LP bound {suggestion.lower_bound_hours:g} h) meets {table.target.level:.0%} "
              f"{table.target.within_text} in {share:.1%} of {int((result.arrivals > 0).sum())} intervals "
              f"over {SIMULATED_WEEKS} weeks; overall served in time "
              f"{result.served_in_time.sum() / result.arrivals.sum():.1%}")
    assert share >= 0.95
