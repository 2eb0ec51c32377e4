"""Desk in Korean: no English left on the main window, the quick log, the editor and the stats
panel; Korean dates (QLocale, 24-hour); plural forms; Qt's own texts; the Korean IME (Enter while
a syllable is being composed does not submit); the restart notice for a language change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit

from desk.core import i18n
from desk.core.ops import comments, people, tickets
from desk.core.vocabulary import counted, format_age
from tests.ui.conftest import shown_stats_panel
from tests.ui.korean import english_left, korean, untranslated


@pytest.fixture
def korean_desk(session):  # noqa: ANN001, ANN201
    """A desk with Korean people and a Korean ticket with a reply (store data is not translated,
    so it is Korean here and only Desk's own words are under test)."""
    agent = people.add_agent(session, name="김민수", email="minsu@desk.test").created_id
    requester = people.ensure_requester(session, email="jiyoung@uni.test", name="이지영", kind="faculty").created_id
    ticket = tickets.log_ticket(session, actor_id=agent, requester_id=requester, subject="강의실 빔프로젝터 연결 안 됨",
                                description="HDMI 연결 시 화면이 나오지 않습니다.", channel="walk-in").created_id
    comments.add_comment(session, ticket_id=ticket, author_id=agent, body="지금 가겠습니다.", public=True)
    session.commit()
    return {"agent": agent, "ticket": ticket}


@pytest.fixture
def korean_window(qtbot, store, korean_desk):  # noqa: ANN001, ANN201
    from desk.ui.app import MainWindow

    with korean():
        window = MainWindow(store)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.tasks.pending == 0)
        try:
            yield window
        finally:
            window.close()
            window.tasks.shutdown()


def test_the_main_window_is_all_korean(korean_window, korean_desk):  # noqa: ANN001
    korean_window.at_desk.resume_if_on_shift(korean_desk["agent"])
    assert not (left := untranslated(korean_window)), "\n".join(left)
    assert korean_window.menuBar().actions()[0].text() == "파일(&F)"


def test_the_quick_log_is_all_korean(korean_window, qtbot):  # noqa: ANN001
    dialog = korean_window.queue_panel.quick_log()
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.windowTitle() == "티켓 기록"
    assert not (left := untranslated(dialog)), "\n".join(left)
    dialog.reject()


def test_the_editor_is_all_korean_with_korean_dates(korean_window, korean_desk, qtbot):  # noqa: ANN001
    editor = korean_window.open_ticket(korean_desk["ticket"])
    qtbot.waitUntil(lambda: korean_window.tasks.pending == 0)
    assert not (left := untranslated(editor)), "\n".join(left)
    header = editor.header.text()
    assert "방문" in header and "진행 중" in header  # the channel and the status (open) in Korean words
    # "2026. 12. 1. (화) 14:05": year. month. day. (weekday) 24-hour time
    assert _korean_moment_in(header), header


def _korean_moment_in(text: str) -> bool:
    import re

    return re.search(r"\d{4}\. \d{1,2}\. \d{1,2}\. \([월화수목금토일]\) \d{2}:\d{2}", text) is not None


def test_the_stats_panel_is_all_korean(qtbot, store, korean_desk):  # noqa: ANN001
    with korean(), shown_stats_panel(qtbot, store) as panel:
        assert not (left := untranslated(panel)), "\n".join(left)
        heatmap = panel.findChild(object, "heatmapChart") or _heatmap(panel)
        ticks = heatmap.plot.getPlotItem().getAxis("left")._tickLevels[0]  # noqa: SLF001
        assert [label for _position, label in ticks] == ["월", "화", "수", "목", "금", "토", "일"]


def _heatmap(panel):  # noqa: ANN001, ANN202
    from desk.ui.stats.charts import HeatmapChart

    return panel.findChildren(HeatmapChart)[0]


def test_queue_ages_and_arrival_times_read_korean(korean_window, qtbot):  # noqa: ANN001
    from desk.ui.queue.model import COL_AGE

    with korean():
        assert format_age(45) == "45초" and format_age(12 * 60) == "12분"
        assert format_age(3 * 3600 + 5 * 60) == "3시간 05분" and format_age(2 * 86400 + 4 * 3600) == "2일 4시간"
        model = korean_window.queue_panel.table.model()
        qtbot.waitUntil(lambda: model.rowCount() > 0)
        tip = model.data(model.index(0, COL_AGE), Qt.ItemDataRole.ToolTipRole)
        assert "도착" in tip and _korean_short_moment(tip), tip
        statuses = {model.data(model.index(row, 6)) for row in range(model.rowCount())}
        assert statuses <= {"신규", "진행 중", "대기", "보류", "해결", "종료"}, statuses


def _korean_short_moment(text: str) -> bool:
    import re

    return re.search(r"\d{1,2}\. \d{1,2}\. \([월화수목금토일]\) \d{2}:\d{2}", text) is not None


def test_ui_dates_follow_the_language():
    from desk.ui.language import show_day, show_moment, weekday_names

    moment = datetime(2026, 12, 1, 14, 5)
    with korean():
        assert show_moment(moment) == "2026. 12. 1. (화) 14:05"
        assert show_day(date(2026, 12, 6)) == "2026. 12. 6. (일)"
        assert weekday_names() == ["월", "화", "수", "목", "금", "토", "일"]
    assert show_moment(moment) == "Tue 01 Dec 2026, 14:05"
    assert weekday_names()[0] == "Mon"


@pytest.mark.parametrize("count", [0, 1, 2, 21, 1204])
def test_plural_forms_read_naturally_in_both_languages(count: int):
    english = counted(count, "person", "people")
    assert english == (f"{count:,} person" if count == 1 else f"{count:,} people")
    with korean():
        assert counted(count, "person", "people") == f"{count:,}명"  # Korean has one form, no space
        assert i18n.ngettext("match", "matches", count) == "건"


def test_qt_own_buttons_are_korean(qtbot):  # noqa: ANN001
    with korean():
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Ok)
        qtbot.addWidget(box)
        cancel = box.button(QDialogButtonBox.StandardButton.Cancel).text()
        assert not english_left(cancel), cancel  # qtbase_ko: "취소"


def type_korean(widget, text: str) -> None:  # noqa: ANN001
    """Types ``text`` as a Korean IME does: each syllable is shown as preedit, then committed
    (QTest's keyClicks can only type ASCII)."""
    for syllable in text:
        QApplication.sendEvent(widget, QInputMethodEvent(syllable, []))
        commit = QInputMethodEvent()
        commit.setCommitString(syllable)
        QApplication.sendEvent(widget, commit)


def _compose_then_enter(qtbot, line: QLineEdit) -> None:  # noqa: ANN001
    """A Korean IME composing "한" (preedit, not yet committed), then Enter pressed."""
    QApplication.sendEvent(line, QInputMethodEvent("한", []))
    qtbot.keyClick(line, Qt.Key.Key_Return)


def test_enter_while_composing_hangul_does_not_log_the_ticket(korean_window, qtbot, session):  # noqa: ANN001
    dialog = korean_window.queue_panel.quick_log()
    qtbot.waitUntil(dialog.isVisible)
    dialog.requester.setFocus()
    type_korean(dialog.requester, "이지영")
    qtbot.waitUntil(lambda: korean_window.tasks.pending == 0)
    dialog.subject.setFocus()
    type_korean(dialog.subject, "무선 인터넷 연")
    before = _ticket_count(session)
    _compose_then_enter(qtbot, dialog.subject)
    assert dialog.isVisible(), "Enter during composition submitted the quick log"
    qtbot.waitUntil(lambda: korean_window.tasks.pending == 0)
    assert _ticket_count(session) == before
    # The IME commits the syllable; the next Enter logs as usual.
    commit = QInputMethodEvent()
    commit.setCommitString("결")
    QApplication.sendEvent(dialog.subject, commit)
    assert dialog.subject.text() == "무선 인터넷 연결"
    qtbot.keyClick(dialog.subject, Qt.Key.Key_Return)  # the dialog logs and closes itself
    qtbot.waitUntil(lambda: korean_window.tasks.pending == 0 and _ticket_count(session) == before + 1)


def _ticket_count(session) -> int:  # noqa: ANN001
    from sqlalchemy import func, select

    from desk.core.models import Ticket

    session.rollback()
    return session.execute(select(func.count()).select_from(Ticket)).scalar_one()


def test_enter_while_composing_hangul_does_not_search(korean_window, qtbot):  # noqa: ANN001
    search = korean_window.queue_panel.search
    search.setFocus()
    type_korean(search, "강의실")
    qtbot.waitUntil(lambda: korean_window.tasks.pending == 0)
    tabs = korean_window.tabs.count()
    _compose_then_enter(qtbot, search)  # "강의실" + composing "한": Enter must not search/open
    qtbot.waitUntil(lambda: korean_window.tasks.pending == 0)
    assert korean_window.tabs.count() == tabs
    assert search.text() == "강의실"  # the half-composed syllable is not in the text
    commit = QInputMethodEvent()
    commit.setCommitString("")
    QApplication.sendEvent(search, commit)  # the IME gives up the syllable
    qtbot.keyClick(search, Qt.Key.Key_Return)  # now Enter searches and opens the single hit
    qtbot.waitUntil(lambda: korean_window.tabs.count() == tabs + 1)


def test_changing_the_language_in_settings_says_it_applies_at_next_start(korean_window, qtbot):  # noqa: ANN001
    dialog = korean_window.show_settings()
    qtbot.waitUntil(lambda: korean_window.tasks.pending == 0)
    combo = dialog.desk_form.language
    combo.setCurrentIndex(combo.findData("en"))
    qtbot.mouseClick(dialog.save_desk_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: korean_window.tasks.pending == 0)
    assert dialog.language_notice.isVisibleTo(dialog)
    assert dialog.language_notice.text() == "새 언어는 Desk를 다음에 시작할 때 적용됩니다."
    dialog.reject()


def test_arrival_times_in_the_queue_are_24_hour(korean_window):  # noqa: ANN001
    from desk.ui.language import SHORT_DATE_TIME, show_moment

    with korean():
        afternoon = datetime(2026, 12, 1, 21, 30, tzinfo=UTC).astimezone()
        shown = show_moment(afternoon, SHORT_DATE_TIME)
        assert f"{afternoon.hour:02d}:30" in shown and "오후" not in shown
        assert show_moment(afternoon - timedelta(hours=12), SHORT_DATE_TIME).count(":") == 1


def test_f1_opens_the_korean_guide(korean_window, qtbot):  # noqa: ANN001
    from PySide6.QtWidgets import QApplication as App

    korean_window.activateWindow()
    qtbot.keyClick(korean_window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: any(w.objectName() == "guideDialog" and w.isVisible() for w in App.topLevelWidgets()))
    guide = next(w for w in App.topLevelWidgets() if w.objectName() == "guideDialog")
    assert guide.browser.source().toLocalFile().endswith("resources/guide/ko/index.html")
    text = guide.browser.toPlainText()
    assert "Desk 사용 설명서" in text and "Ctrl+T" in text and "빠른 기록" in text
    assert not (left := untranslated(guide)), "\n".join(left)
    guide.reject()


def test_the_settings_dialog_is_all_korean(korean_window, qtbot):  # noqa: ANN001
    dialog = korean_window.show_settings()
    qtbot.waitUntil(lambda: korean_window.tasks.pending == 0)
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
    qtbot.waitUntil(lambda: korean_window.tasks.pending == 0)
    assert dialog.windowTitle() == "설정"
    assert not (left := untranslated(dialog)), "\n".join(left)
    dialog.reject()


def test_the_setup_assistant_is_all_korean(korean_window, qtbot):  # noqa: ANN001
    wizard = korean_window.show_setup()
    qtbot.waitUntil(lambda: korean_window.tasks.pending == 0)
    left = set(untranslated(wizard))
    for _page in range(6):
        wizard.next()
        qtbot.waitUntil(lambda: korean_window.tasks.pending == 0)
        left |= set(untranslated(wizard))
    # The suggested terms, categories and locations are data the person edits before saving (the
    # English starter set; Korean starter data is not Desk's own words), not the assistant's text.
    data = ("QHeaderView '' header:", "QTableWidget '학기' header:", "QListWidget '분류' header:",
            "QListWidget '위치' header:")
    left = {line for line in left if not line.startswith(data)}
    assert not left, "\n".join(sorted(left))
    wizard.reject()


def test_the_other_dialogs_are_korean(korean_window, korean_desk, qtbot):  # noqa: ANN001
    """Canned responses (manager), remote helpdesks, the shortcut sheet and About."""
    korean_window.at_desk.resume_if_on_shift(korean_desk["agent"])
    left: set[str] = set()
    for open_dialog in (korean_window.manage_canned, lambda: korean_window.install_sync().show_remotes(),
                        korean_window.show_shortcuts):
        dialog = open_dialog()
        qtbot.waitUntil(lambda: korean_window.tasks.pending == 0)
        left |= set(untranslated(dialog))
        dialog.close()
    # The canned responses themselves are the store's data (the starter set is another task's).
    left = {line for line in left if not line.startswith(("QListWidget '상용구 답변' header:",
                                                          "QLineEdit '제목'", "QPlainTextEdit '본문'"))}
    assert not left, "\n".join(sorted(left))
