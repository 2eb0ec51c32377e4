"""Search: what a person types is always safe and finds what it should."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from desk.core.models import Ticket
from desk.core.ops import comments, people, tickets
from desk.core.queries import queue
from desk.core.queries.search import fts_query

OPERATORS = ['"', "*", "NEAR", "-", "(", ")", "AND", "OR", "NOT", ":", "^", "+", "{", "}", "'"]


SEEDED = ("Projector NEAR the door", 'Printer says "paper jam" (tray 2)', "HDMI-adapter AND cable",
          "컬러프린터 용지 걸림", "전원이 안 켜짐")


def answers_consistently(session, typed: str, sorts=(("waiting", False), ("id", True))) -> None:  # noqa: ANN001
    """Whatever is typed: no error, and the answers agree. Over a few seeded tickets (one of them
    solved) a page holds every match, so it has as many rows as the count says (a typed ticket
    number may add that ticket), each ticket once; the open view's matches are among all
    matches, and none of them is solved."""
    seeded = dict(session.execute(select(Ticket.id, Ticket.status)).all())
    if not seeded:
        requester = people.ensure_requester(session, email="typed@uni.example", name="Typed").created_id
        ids = [tickets.log_ticket(session, actor_id=None, requester_id=requester, subject=subject).created_id
               for subject in SEEDED]
        tickets.solve(session, ticket_id=ids[0], actor_id=None)
        seeded = dict(session.execute(select(Ticket.id, Ticket.status)).all())
    found: dict[str, set[int]] = {}
    for view in ("all", "all-open"):
        filt = queue.QueueFilter(view=view, search=typed)
        number = queue.count(session, filt)
        for sort, descending in sorts:
            ids = [ticket_id for _key, ticket_id in queue.page(session, filt, sort=sort, descending=descending)]
            assert len(ids) == len(set(ids)) and set(ids) <= set(seeded), (typed, ids)
            assert number <= len(ids) <= number + 1, (typed, view, number, ids)
            found.setdefault(view, set()).update(ids)
    assert found["all-open"] <= found["all"] or queue.ticket_number(typed) is not None, (typed, found)
    assert not any(seeded[ticket_id] == "solved" for ticket_id in found["all-open"]), (typed, found)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(OPERATORS) | st.text(max_size=8), max_size=8).map(" ".join))
def test_anything_typed_never_raises(session, typed):
    answers_consistently(session, typed, sorts=(("waiting", False), ("id", False)))


def test_typed_words_find_their_seeded_tickets(session):
    """The consistency check above is not vacuous: its seeded tickets are found by their words."""
    answers_consistently(session, "")
    for typed, subject in (("projector", SEEDED[0]), ('"paper jam"', SEEDED[1]), ("HDMI", SEEDED[2]),
                           ("프린터", SEEDED[3])):
        filt = queue.QueueFilter(view="all", search=typed)
        ids = [ticket_id for _key, ticket_id in queue.page(session, filt)]
        assert [session.get(Ticket, ticket_id).subject for ticket_id in ids] == [subject], typed


def test_finds_subject_comment_and_requester_with_prefix(session, agent_id):
    requester = people.ensure_requester(session, email="zoe@uni.example", name="Zoë Ekström").created_id
    first = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester,
                               subject="Projector flickers").created_id
    second = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester,
                                subject="Wi-Fi").created_id
    comments.add_comment(session, ticket_id=second, author_id=agent_id, body="eduroam profile reset", public=False)

    def found(text, sort="waiting"):
        return [i for _k, i in queue.page(session, queue.QueueFilter(view="all", search=text), sort=sort)]

    assert found("project") == [first]
    assert found("EDUROAM") == [second]
    assert found("zoe ekstrom", sort="id") == [first, second]  # diacritics folded, all words
    assert found('"projector*" (-') == [first]  # operators are just characters
    assert found("***") == []


def test_fts_query_quotes_every_word():
    assert fts_query('a"b NEAR(cd') == '"a" "b" "NEAR" "cd"'  # one or two letters: the whole word
    assert fts_query('a"b NEAR(cde') == '"a" "b" "NEAR" "cde"*'  # three or more: words starting so
    assert fts_query(" -*() ") is None


def test_short_last_words_match_whole_words_and_longer_ones_prefixes(session, agent_id):
    li = people.ensure_requester(session, email="li@uni.example", name="Ming Li").created_id
    lisa = people.ensure_requester(session, email="lisa@uni.example", name="Lisa Park").created_id
    for_li = tickets.log_ticket(session, actor_id=agent_id, requester_id=li, subject="Printer").created_id
    for_lisa = tickets.log_ticket(session, actor_id=agent_id, requester_id=lisa, subject="Printer").created_id

    def found(text):
        return sorted(i for _k, i in queue.page(session, queue.QueueFilter(view="all", search=text), sort="id"))

    assert found("li") == [for_li]  # the surname, not everyone whose name starts with "li"
    assert found("lis") == [for_lisa]
    assert found("printer park") == [for_lisa]
    assert found("print") == [for_li, for_lisa]


def test_the_search_index_has_prefix_indexes(session):
    from sqlalchemy import text

    sql = session.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ticket_fts'")).scalar_one()
    assert "prefix = '3 4 5'" in sql


def test_keyset_pages_cover_every_ticket_once(session, agent_id, requester_id):
    ids = {tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                              subject=f"Ticket {n}").created_id for n in range(23)}
    cases = [(sort, "") for sort in queue.SORTS] + [("id", "ticket"), ("waiting", "ticket")]
    for sort, search in cases:
        for descending in (False, True):
            seen, after = [], None
            while True:
                rows = queue.page(session, queue.QueueFilter(view="all", search=search), sort=sort,
                                  descending=descending, after=after, limit=5)
                if not rows:
                    break
                seen += [i for _k, i in rows]
                after = rows[-1]
            assert sorted(seen) == sorted(ids) and len(seen) == len(ids), sort


def test_search_in_open_views_pages_every_match_once_whichever_plan_runs(session, agent_id, requester_id):
    """Open views walk the matches newest first keeping open ones (sort by id, descending) or
    scan open tickets testing each (other sorts); pages cover every match exactly once."""
    expected = set()
    for n in range(30):
        ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                       subject=f"Projector {n}" if n % 3 else f"Printer {n}").created_id
        if n % 4 == 0:
            tickets.solve(session, ticket_id=ticket_id, actor_id=agent_id)
        elif n % 3:
            expected.add(ticket_id)
    for sort in ("id", "waiting", "subject"):
        for descending in (True, False):
            seen, after = [], None
            while True:
                rows = queue.page(session, queue.QueueFilter(view="all-open", search="projector"),
                                  sort=sort, descending=descending, after=after, limit=4)
                if not rows:
                    break
                seen += [i for _k, i in rows]
                after = rows[-1]
            assert sorted(seen) == sorted(expected) and len(seen) == len(expected), (sort, descending)
    assert queue.count(session, queue.QueueFilter(view="all-open", search="projector")) == len(expected)


def test_search_in_open_views_keeps_each_views_conditions(session, agent_id, other_agent_id, requester_id):
    """The newest-first walk tests matches against the view's own tickets (and its filters),
    not merely against every open ticket."""
    staff = people.ensure_requester(session, email="kim@uni.example", name="Kim Staff", kind="staff").created_id
    made = {}
    for n, (assignee, requester) in enumerate([(None, requester_id), (agent_id, requester_id),
                                               (other_agent_id, staff), (None, staff), (agent_id, staff)]):
        ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester,
                                       subject=f"Scanner jam {n}").created_id
        if assignee is not None:
            tickets.claim(session, ticket_id=ticket_id, agent_id=assignee)
        made[n] = ticket_id
    tickets.solve(session, ticket_id=made[4], actor_id=agent_id)

    def found(view, **extra):
        flt = queue.QueueFilter(view=view, search="scan", agent_id=agent_id, extra=extra)
        newest_first = [i for _k, i in queue.page(session, flt, sort="id", descending=True)]
        by_arrival = [i for _k, i in queue.page(session, flt, sort="waiting")]
        assert sorted(newest_first) == sorted(by_arrival), view  # both plans agree
        assert newest_first == sorted(newest_first, reverse=True)
        return set(newest_first)

    assert found("all-open") == {made[0], made[1], made[2], made[3]}
    assert found("unassigned") == {made[0], made[3]}
    assert found("mine") == {made[1]}
    assert found("all-open", requester_kind="staff") == {made[2], made[3]}
    assert found("unassigned", requester_kind="staff") == {made[3]}
    assert found("all") == set(made.values())
