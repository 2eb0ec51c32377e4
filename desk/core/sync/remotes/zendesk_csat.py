"""Zendesk's newer CSAT: survey responses, pulled where the account uses them.

An account on the updated CSAT experience keeps each person's answers as a *survey response*
(``GET /api/v2/guide/survey_responses``, developer.zendesk.com/api-reference/ticketing/
ticket-management/csat_survey_responses); the legacy ``satisfaction_rating`` on the ticket is
the older option (Zendesk allows only one to be active). Survey responses name their ticket in
``subjects``/``subject_zrns`` (``zen:ticket:<id>``) and carry a ``rating_scale`` answer (the
rating and Zendesk's ``rating_category``: good, neutral or bad) and open-ended answers (the
comment).

**Cheap and remembered.** The first sync asks once for one response (``page[size]=1``). None:
the account is taken as legacy and asked again after ``RECHECK`` (an hour: the first answers of
a survey account that just switched wait at most that long); 403/404 (a plan without surveys, a
token that is not an admin's): after ``RECHECK_REFUSED`` (a day). A legacy account's no-op sync
makes no request for surveys in between.
Once responses exist, each sync reads those created since the last read
(``filter[created_at_start]``, ``sort=id``, 100 a page, bounded by ``validate.Paging``); a
response the person may still edit (before its ``expires_at``) is read again until it expires,
and only a new or changed answer is handed on (what each open one said is remembered).
The state lives in the remote's ``csat`` sync cursor (``ZendeskRemote.cursors``).

**Good or bad, as Explore counts** (``score``): Zendesk's own ``rating_category`` decides —
``good`` is good; ``bad`` and ``neutral`` are bad (CSAT is good of all ratings, so a neutral
answer is a rating that is not good). Without a category, the rating on the survey's scale:
2 points: 2 good, 1 bad; 3 points: 3 good, 1–2 bad; 5 points (numbers or emoji): 4–5 good,
1–3 bad. Any other scale or value, or a malformed response: skipped with the reason.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from desk.core.i18n import _
from desk.core.sync import validate
from desk.core.sync.desk_fields import time_in, time_out
from desk.core.sync.remotes.base import decode, expect

ENDPOINT = "/api/v2/guide/survey_responses"
CURSOR = "csat"  # the sync cursor row holding the state below
# Seconds before an account that looked legacy is asked again: an empty list may be a survey
# account whose first person has not answered yet (an hour); a refusal is a plan without surveys.
RECHECK = 3600
RECHECK_REFUSED = 24 * 3600
CATEGORIES = ("good", "neutral", "bad")
GOOD_RATINGS = {2: frozenset({2}), 3: frozenset({3}), 5: frozenset({4, 5})}  # scale -> good ratings
PAGE = 100


def score(*, rating: int, category: str | None = None, scale: int | None = None) -> str | None:
    """A survey answer as Desk's good/bad (see the module docstring); None: not a rating Desk
    can place (an unknown scale, a value outside it)."""
    if category == "good":
        return "good"
    if category in ("bad", "neutral"):
        return "bad"
    good = GOOD_RATINGS.get(scale or 0)
    if good is None or not 1 <= rating <= (scale or 0):
        return None
    return "good" if rating in good else "bad"


@dataclass(frozen=True)
class SurveyRating:
    """One person's answer to the survey for one ticket, in wire terms."""

    response_id: str
    ticket_id: str
    score: str
    comment: str | None
    at: str | None  # when it was given (the answers' last update), UTC wire time
    created_ms: int  # when the response was created (filter[created_at_start] is in ms)
    editable_until: datetime | None  # the person may still change it until then

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"satisfaction": self.score, "satisfaction_source": "person"}
        out["satisfaction_comment"] = self.comment
        if self.at:
            out["satisfaction_at"] = self.at
        return out


def _ticket_of(raw: Mapping[str, Any]) -> str | None:
    for subject in raw.get("subjects") or []:
        if isinstance(subject, dict) and (subject.get("type") == "ticket"
                                          or str(subject.get("zrn") or "").startswith("zen:ticket:")):
            ident = str(subject.get("id") or str(subject.get("zrn") or "").removeprefix("zen:ticket:"))
            return ident if ident.isdigit() else None
    for zrn in raw.get("subject_zrns") or []:
        if isinstance(zrn, str) and zrn.startswith("zen:ticket:") and zrn[11:].isdigit():
            return zrn[11:]
    return None


def _scale(question: Any) -> int | None:
    options = question.get("options") if isinstance(question, dict) else None
    ratings = [o.get("rating") for o in options or [] if isinstance(o, dict) and isinstance(o.get("rating"), int)]
    return max(ratings) if ratings else None


def _csat_answer(answers: list[Any]) -> dict[str, Any] | None:
    """The rating-scale answer to the satisfaction question (the first one without sub types)."""
    rated = [a for a in answers if isinstance(a, dict) and a.get("type") == "rating_scale"]
    tagged = [a for a in rated if isinstance(a.get("question"), dict)
              and a["question"].get("sub_type") == "customer_satisfaction"]
    return (tagged or rated or [None])[0]


def response_problem(raw: Any) -> str | None:
    """Why a survey response cannot be used (``validate`` style), or None."""
    if not isinstance(raw, dict):
        return _("it is not an object")
    if not isinstance(raw.get("id"), str) or not raw["id"].strip():
        return _("its id is missing")
    if not isinstance(raw.get("answers"), list):
        return _("its answers are not a list")
    if _ticket_of(raw) is None:
        return _("it names no ticket")
    for answer in raw["answers"]:
        if not isinstance(answer, dict):
            return _("an answer is not an object")
        problem = validate.first_problem(validate.stamp_problem("created_at", answer.get("created_at")),
                                         validate.stamp_problem("updated_at", answer.get("updated_at")))
        if problem:
            return problem
    answer = _csat_answer(raw["answers"])
    if answer is not None:
        rating, category = answer.get("rating"), answer.get("rating_category")
        if isinstance(rating, bool) or not isinstance(rating, int):
            return _("its rating is not a whole number")
        if category is not None and category not in CATEGORIES:
            return _("its rating category {value!r} is not good, neutral or bad").format(value=str(category)[:20])
        if score(rating=rating, category=category, scale=_scale(answer.get("question"))) is None:
            return _("its rating {rating} is on a scale Desk does not know").format(rating=rating)
    return validate.stamp_problem("expires_at", raw.get("expires_at"))


def _created_ms(raw: Mapping[str, Any]) -> int:
    """When the response was created: its first answer's ``created_at``, in ms."""
    stamps = [time_in(a.get("created_at")) for a in raw.get("answers") or [] if isinstance(a, dict)]
    known = [s for s in stamps if s is not None]
    return int(min(known).timestamp() * 1000) if known else 0


def read(raw: Mapping[str, Any]) -> SurveyRating | None:
    """A validated response as a rating; None when the person skipped the rating question."""
    answer = _csat_answer(raw["answers"])
    if answer is None:
        return None
    result = score(rating=answer["rating"], category=answer.get("rating_category"),
                   scale=_scale(answer.get("question")))
    assert result is not None  # response_problem checked it
    comments = [a for a in raw["answers"] if isinstance(a, dict) and a.get("type") == "open_ended"
                and isinstance(a.get("value"), str) and a["value"].strip()]
    comments.sort(key=lambda a: (a.get("question") or {}).get("alias") != "comment")  # "comment" first
    stamps = [time_in(a.get(k)) for a in raw["answers"] if isinstance(a, dict) for k in ("created_at", "updated_at")]
    known = [s for s in stamps if s is not None]
    return SurveyRating(
        response_id=str(raw["id"]), ticket_id=str(_ticket_of(raw)), score=result,
        comment=comments[0]["value"].strip() if comments else None,
        at=time_out(max(known)) if known else None,
        created_ms=_created_ms(raw),
        editable_until=time_in(raw.get("expires_at")),
    )


class SurveyResponses:
    """The account's survey responses since the last read (see the module docstring).
    ``state`` is the ``csat`` cursor: {"mode": "survey" | "legacy", "checked": epoch s,
    "since_ms": the next ``filter[created_at_start]``, "open": {response id: [score, comment,
    expires_at]} for responses the person may still change}."""

    def __init__(self, request: Callable[..., Any], *, clock: Callable[[], float] | None = None) -> None:
        self._request = request  # Http.request
        self._clock = clock or (lambda: time.time())  # looked up at each call (tests move it)
        self.state: dict[str, Any] = {}
        self.skipped: list[str] = []
        self.notes: list[str] = []

    def load(self, text: str | None) -> None:
        try:
            state = json.loads(text) if text else {}
        except ValueError:
            state = {}
        self.state = state if isinstance(state, dict) else {}

    def dump(self) -> str:
        return json.dumps(self.state, sort_keys=True)

    def _page(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """One page of responses; None when Zendesk refuses them (403/404: no surveys here)."""
        response = self._request("GET", ENDPOINT, params=params, ok=(200, 403, 404))
        if response.status_code != 200:
            return None
        data = decode(response, "Zendesk")  # an unreadable answer is the run's error, as elsewhere
        expect(isinstance(data, dict) and isinstance(data.get("survey_responses"), list), "Zendesk",
               "no survey_responses list")
        return data

    def uses_surveys(self) -> bool:
        """Survey mode, asking Zendesk at most once per ``RECHECK`` while it looks legacy."""
        now = self._clock()
        if self.state.get("mode") == "survey":
            return True
        wait = RECHECK_REFUSED if self.state.get("refused") else RECHECK
        if self.state.get("mode") == "legacy" and now - float(self.state.get("checked") or 0) < wait:
            return False
        data = self._page({"page[size]": 1, "sort": "-id"})
        found = bool(data and data["survey_responses"])
        self.state.update(mode="survey" if found else "legacy", checked=int(now), refused=data is None)
        self.state.setdefault("since_ms", 0)
        return found

    def fetch(self) -> dict[str, SurveyRating]:
        """The newest rating per ticket among the responses since the last read."""
        self.skipped, self.notes = [], []
        if not self.uses_surveys():
            return {}
        since = int(self.state.get("since_ms") or 0)
        params: dict[str, Any] = {"filter[created_at_start]": since, "sort": "id", "page[size]": PAGE}
        paging = validate.Paging("Zendesk", "survey responses")
        ratings: dict[str, SurveyRating] = {}
        newest, still_open = since, None
        now = datetime.fromtimestamp(self._clock(), UTC)
        told = self.state.get("open") if isinstance(self.state.get("open"), dict) else {}
        told = {key: value for key, value in told.items()  # expired ones can no longer change
                if isinstance(value, list) and len(value) == 3 and (time_in(value[2]) or now) > now}
        while True:
            data = self._page(params)
            if data is None:  # refused now (the token lost its admin role): read again next time
                return ratings
            for raw in data["survey_responses"]:
                problem = response_problem(raw)
                if problem:
                    ident = raw.get("id") if isinstance(raw, dict) else None
                    self.skipped.append(validate.skipped("Zendesk", "survey response", ident, problem))
                    continue
                rating = read(raw)
                if rating is None:  # the rating skipped: read again while the person may still give one
                    created, until = _created_ms(raw), time_in(raw.get("expires_at"))
                    if until is None or until <= now:
                        newest = max(newest, created + 1)
                    else:
                        still_open = created if still_open is None else min(still_open, created)
                    continue
                newest = max(newest, rating.created_ms + 1)
                if rating.editable_until is not None and rating.editable_until > now:
                    still_open = rating.created_ms if still_open is None else min(still_open, rating.created_ms)
                    said = [rating.score, rating.comment, time_out(rating.editable_until)]
                    if told.get(rating.response_id) == said:
                        continue  # read again only because it may still change: it did not
                    told[rating.response_id] = said
                held = ratings.get(rating.ticket_id)
                if held is None or (rating.at or "") >= (held.at or ""):
                    ratings[rating.ticket_id] = rating
            meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
            if not meta.get("has_more") or not data["survey_responses"]:
                break
            stop = paging.step(meta.get("after_cursor"))
            if stop:
                self.notes.append(stop)
                break
            params = {**params, "page[after]": meta.get("after_cursor")}
        # Read again from the oldest response the person may still change, else after the newest.
        self.state["since_ms"] = min(newest, still_open) if still_open is not None else newest
        self.state["open"] = told
        return ratings
