"""Receipts: the slip and the printable ticket rendered to PDF by `desk receipt`, turned into an
image with pdftoppm (to look at) and into text with pdftotext (to check what is on the paper)."""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from desk.cli.main import main
from desk.core.desk_settings import save_desk_settings
from desk.core.ops import comments, tickets

POPPLER_MISSING = shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None
if POPPLER_MISSING and os.environ.get("CI") == "true":  # CI installs them: a skip there would hide a failure
    raise RuntimeError("CI=true but poppler-utils is missing: packaging/system-deps.sh test installs it.")
pytestmark = pytest.mark.skipif(POPPLER_MISSING, reason="poppler-utils missing: run packaging/system-deps.sh test")


@pytest.fixture
def ticket_id(session, store, agent_id: int, requester_id: int) -> int:  # noqa: ANN001
    save_desk_settings(session, actor_id=None, values={"desk_name": "Tech Help Desk", "phone": "02-880-1234",
                                                       "timezone": "Asia/Seoul"})
    made = tickets.log_ticket(session, actor_id=agent_id, requester_id=requester_id,
                              subject="Projector in room 204 <flickers>",
                              description="It flickers & goes dark after ten minutes.").created_id
    version = tickets.load_ticket(session, made).version
    tickets.update_ticket(session, ticket_id=made, actor_id=agent_id, expected_version=version,
                          fields={"expected_resolution": "about a week: the lamp is on order"})
    comments.add_comment(session, ticket_id=made, author_id=agent_id, body="We ordered a new lamp.", public=True)
    comments.add_comment(session, ticket_id=made, author_id=agent_id, body="Vendor ref 7781", public=False)
    return made


def pdf_text(path: Path) -> str:
    """The PDF's text, ligatures (the font's "ﬂ") unfolded."""
    return unicodedata.normalize("NFKC", subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout)


def test_slip_pdf_has_number_request_expectation_and_follow_up(store, ticket_id: int, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "slip.pdf"
    assert main(["receipt", str(ticket_id), "--db", str(store.path), "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert out.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(out), str(tmp_path / "slip")], check=True)
    pages = sorted(tmp_path.glob("slip*.png"))
    assert len(pages) == 1 and pages[0].stat().st_size > 2000  # one slip, with something drawn on it
    text = " ".join(pdf_text(out).split())
    for expected in ("Tech Help Desk", f"#{ticket_id}", "Projector in room 204 <flickers>",
                     "It flickers & goes dark", "We expect this to take about a week: the lamp is on order.",
                     f"Quote ticket number {ticket_id}", "Phone: 02-880-1234", "Monday–Friday 09:00–18:00"):
        assert expected in text, expected
    assert "Vendor ref" not in text


def test_ticket_pdf_has_the_conversation_and_notes_only_when_asked(store, ticket_id: int, tmp_path: Path) -> None:  # noqa: ANN001
    public, internal = tmp_path / "ticket.pdf", tmp_path / "internal.pdf"
    assert main(["receipt", str(ticket_id), "--db", str(store.path), "--ticket", "-o", str(public)]) == 0
    assert main(["receipt", str(ticket_id), "--db", str(store.path), "--ticket", "--internal", "-o", str(internal)]) == 0
    shown = " ".join(pdf_text(public).split())
    assert "We ordered a new lamp." in shown and "Conversation" in shown and "Vendor ref" not in shown
    assert "Vendor ref 7781" in " ".join(pdf_text(internal).split())


@pytest.fixture
def korean_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Korean catalog compiled from the source .po (the build compiles it the same way)."""
    from desk.core import i18n

    if shutil.which("msgfmt") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but gettext's msgfmt is missing: packaging/system-deps.sh test installs it.")
        pytest.skip("gettext's msgfmt missing: run packaging/system-deps.sh test")
    source = i18n.LOCALE_DIR / "ko" / "LC_MESSAGES" / "desk.po"
    target = tmp_path / "locale" / "ko" / "LC_MESSAGES"
    target.mkdir(parents=True)
    subprocess.run(["msgfmt", "-o", str(target / "desk.mo"), str(source)], check=True)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")


def test_receipt_in_the_desks_language(session, store, ticket_id: int, korean_catalog) -> None:  # noqa: ANN001
    from desk.core import i18n
    from desk.core.receipts import receipt_html

    save_desk_settings(session, actor_id=None, values={"language": "ko"})
    before = i18n.current_language()
    html = receipt_html(session, ticket_id=ticket_id)
    assert i18n.current_language() == before  # the window keeps its own language
    assert "요청하신 내용" in html and "What you asked" not in html  # from the Korean catalog


def test_unknown_ticket_is_refused(store, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    assert main(["receipt", "999", "--db", str(store.path), "-o", str(tmp_path / "x.pdf")]) != 0
    assert "999" in capsys.readouterr().err and not (tmp_path / "x.pdf").exists()


def test_ticket_menu_saves_and_prints_the_receipt_of_the_ticket_on_screen(qtbot, main_window, ticket_id: int,  # noqa: ANN001
                                                                         tmp_path: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from desk.ui import receipt_actions

    texts = {a.text().replace("&", "") for a in main_window.menu("Ticket").actions()}
    assert {"Print receipt…", "Save receipt as PDF…", "Print ticket with conversation…"} <= texts
    main_window.open_ticket(ticket_id)
    target = tmp_path / "from-menu.pdf"
    receipt_actions.save_receipt_pdf(main_window, path_for=lambda _window, _id: target)
    qtbot.waitUntil(target.exists, timeout=10000)
    assert f"#{ticket_id}" in pdf_text(target)
    receipt_actions.print_receipt(main_window)

    def dialog():  # noqa: ANN202
        return next((w for w in QApplication.topLevelWidgets() if w.accessibleName() == "Print dialog"
                     and w.isVisible()), None)

    qtbot.waitUntil(lambda: dialog() is not None, timeout=10000)
    dialog().reject()  # cancelled: nothing printed, nothing said


def test_a_receipt_pdf_it_cannot_write_is_a_message(qtbot, main_window, ticket_id: int,  # noqa: ANN001
                                                   unwritable_folder: Path) -> None:
    from desk.ui import receipt_actions
    from tests.ui.test_export_errors import error_box

    main_window.open_ticket(ticket_id)
    target = unwritable_folder / "receipt.pdf"
    receipt_actions.save_receipt_pdf(main_window, path_for=lambda _window, _id: target)
    text = error_box(qtbot, main_window)
    assert "permission denied" in text and str(target) in text
    assert not target.exists()
