from hypothesis import assume, given
from hypothesis import strategies as st

from desk.core import templating
from desk.core.ops import people, tickets

KNOWN = sorted(templating.PLACEHOLDERS)
names = st.one_of(st.sampled_from(KNOWN), st.text(max_size=15))
pieces = st.one_of(
    st.text(max_size=20),
    names.map(lambda name: "{{" + name + "}}"),
    names.map(lambda name: "{{ " + name + " }}"),
    st.sampled_from(["{", "}", "{{", "}}", "{{{", "}}}", "\\", "$"]),
)
templates = st.lists(pieces, max_size=12).map("".join)
values = st.one_of(st.none(), st.text(max_size=20), st.integers())
contexts = st.dictionaries(st.one_of(st.sampled_from(KNOWN), st.text(max_size=10)), values)


@given(templates, contexts)
def test_any_input_renders_or_reports_never_raises(template, context):
    rendered = templating.render(template, context)
    assert isinstance(rendered.text, str)
    for name in rendered.unknown:
        assert name not in templating.PLACEHOLDERS
        assert name in templating.placeholders_in(template)
    assert set(rendered.unknown) == set(templating.unknown_placeholders(template))


@given(templates)
def test_known_placeholders_are_all_replaced(template):
    context = {name: f"<{name}>" for name in KNOWN}
    rendered = templating.render(template, context)
    assert not rendered.empty
    assert not set(templating.placeholders_in(rendered.text)) & set(KNOWN)


@given(st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=200))
def test_text_without_placeholders_is_unchanged(text):
    assert templating.render(text, {}).text == text


@given(st.sampled_from(KNOWN), st.sampled_from(KNOWN))
def test_values_are_never_expanded_twice(first, second):
    assume(first != second)
    value = "{{" + second + "}}"
    rendered = templating.render("Hi {{" + first + "}}", {first: value, second: "EXPANDED"})
    assert rendered.text == "Hi " + value


def test_render_fills_and_reports():
    rendered = templating.render(
        "Hi {{requester.first_name}}, #{{ ticket.id }} {{category}} {{tikcet.id}}",
        {"requester.first_name": "Wei", "ticket.id": 7},
    )
    assert rendered.text == "Hi Wei, #7  {{tikcet.id}}"
    assert rendered.unknown == ("tikcet.id",)
    assert rendered.empty == ("category",)
    assert not rendered.ok


def test_context_for_a_ticket(session, agent_id, requester_id):
    category = people.ensure_category(session, name="Multimedia production").created_id
    ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                   subject="Camera kit", category_id=category).created_id
    tickets.update_ticket(session, ticket_id=ticket_id, actor_id=agent_id, expected_version=1,
                          fields={"expected_resolution": "about three days"})
    context = templating.context_for(session, ticket_id=ticket_id, agent_id=agent_id)
    text = templating.render(
        "{{requester.first_name}}/{{requester.name}}/{{agent.first_name}}/{{ticket.subject}}/"
        "{{category}}/{{ticket.expected_resolution}}/{{ticket.id}}", context).text
    assert text == f"Wei/Wei Chen/Ana/Camera kit/Multimedia production/about three days/{ticket_id}"


def test_expected_resolution_from_history(session, agent_id, requester_id):
    from datetime import timedelta

    from desk.core.models import utcnow

    category = people.ensure_category(session, name="Facilities").created_id
    start = utcnow() - timedelta(days=10)
    for days in (1, 2, 2, 3, 3, 3, 4, 5, 6, 8):
        ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                       subject="Broken chair", category_id=category, now=start,
                                       arrived_at=start).created_id
        tickets.solve(session, ticket_id=ticket_id, actor_id=agent_id, now=start + timedelta(days=days))
    ticket_id = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                                   subject="Door", category_id=category).created_id
    context = templating.context_for(session, ticket_id=ticket_id, agent_id=agent_id)
    assert templating.render("{{ticket.expected_resolution}}", context).text == "about 5 days"


def test_duration_phrase():
    assert templating.duration_phrase(600) == "less than an hour"
    assert templating.duration_phrase(3600) == "about 1 hour"
    assert templating.duration_phrase(3 * 86400) == "about 3 days"
    assert templating.duration_phrase(7 * 86400) == "about 7 days"
    assert templating.duration_phrase(30 * 86400) == "about 4 weeks"


@given(templates, contexts)
def test_gaps_are_marked_where_a_known_placeholder_had_no_value(template, context):
    rendered = templating.render(template, context)
    if not rendered.empty:
        assert rendered.marked == rendered.text
    for name in rendered.empty:
        assert templating.gap_mark(name) in rendered.marked


def test_a_placeholder_with_no_value_leaves_a_visible_gap_to_fill():
    rendered = templating.render("I am on the way to {{location}}, {{requester.first_name}}.",
                                 {"requester.first_name": "Wei", "location": None})
    assert rendered.text == "I am on the way to , Wei."
    assert rendered.marked == "I am on the way to [location?], Wei."
    assert rendered.empty == ("location",)
