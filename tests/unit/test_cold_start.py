"""Start-up path: the window's first queue page needs neither SQLAlchemy nor the ORM models,
and the plain-sqlite3 reads give exactly what the Session reads give."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import closing

from desk.core.ops import people, tickets
from desk.core.queries import queue

FIRST_PAINT_MODULES = (
    "desk.cli.main", "desk.core.db", "desk.core.queries.queue", "desk.ui.app", "desk.ui.tasks",
    "desk.ui.queue.panel", "desk.ui.queue.model", "desk.ui.queue.filters", "desk.ui.queue.line",
    "desk.ui.queue.at_desk", "desk.core.logs", "desk.ui.opening", "desk.ui.errors",
)


def test_first_paint_modules_do_not_import_sqlalchemy():
    code = ("import sys\n"
            f"for name in {FIRST_PAINT_MODULES!r}: __import__(name)\n"
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic'))\n"
            "assert not loaded, loaded\n"
            "assert 'desk.core.models' not in sys.modules\n"
            # the log file's RotatingFileHandler is made on the first record (~10 ms of imports)
            "from desk.core.logs import setup_logging; setup_logging()\n"
            "assert 'logging.handlers' not in sys.modules\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_raw_connection_reads_equal_session_reads(store, session, agent_id):
    requester = people.ensure_requester(session, email="ann@uni.example", name="Ann").created_id
    for subject in ("Projector flickers", "Printer jam", "Wi-Fi drops", "Password reset"):
        tickets.log_ticket(session, actor_id=agent_id, requester_id=requester, subject=subject)
    session.commit()
    filters = [queue.QueueFilter(), queue.QueueFilter(view="all", search="pr"),
               queue.QueueFilter(view="all-open", search="printer"), queue.QueueFilter(view="mine", agent_id=agent_id)]
    with closing(store.raw_connection()) as conn:
        for flt in filters:
            for sort in ("waiting", "id", "requester", "priority"):
                for descending in (False, True):
                    keys = queue.page(session, flt, sort=sort, descending=descending, limit=2)
                    assert queue.page(conn, flt, sort=sort, descending=descending, limit=2) == keys
                    if keys:
                        after = keys[-1]
                        assert (queue.page(conn, flt, sort=sort, descending=descending, after=after)
                                == queue.page(session, flt, sort=sort, descending=descending, after=after))
            assert queue.count(conn, flt) == queue.count(session, flt)
        ids = [ticket_id for _key, ticket_id in queue.page(session, queue.QueueFilter(view="all"))]
        assert queue.rows_for(conn, ids) == queue.rows_for(session, ids)
        assert len(queue.rows_for(conn, ids)) == 4


def test_window_checks_the_canned_defaults_setting_by_its_name(store):
    from desk.core import canned_io
    from desk.ui import app

    assert app.CANNED_DEFAULTS_SETTING == canned_io.DEFAULTS_SETTING
    with closing(store.raw_connection()) as conn:
        assert app._canned_defaults_installed(conn) is False
        with store.session() as session:
            canned_io.install_defaults(session)
        assert app._canned_defaults_installed(conn) is True
