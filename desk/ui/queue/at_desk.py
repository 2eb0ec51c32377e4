"""The "At the desk" switcher: pick who is working this window; picking signs them in (a
shift starts), "Sign out" ends their shift. Every action in the window is done as them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QToolBar, QToolButton, QWidget

from desk.core.i18n import _
from desk.core.vocabulary import word
from desk.ui.tasks import Tasks

if TYPE_CHECKING:
    from desk.core.changes import Changes
    from desk.core.queries.frontdesk import AgentInfo

# The ORM side (shift ops, the agents query) is imported on the DB worker when first used.


def _agents(session):  # noqa: ANN001, ANN202
    from desk.core.queries.frontdesk import agents

    return agents(session)


def _start_shift(session, agent_id: int):  # noqa: ANN001, ANN202
    from desk.core.ops import shifts

    return shifts.start_shift(session, agent_id=agent_id)


def _end_shift(session, agent_id: int):  # noqa: ANN001, ANN202
    from desk.core.ops import shifts

    return shifts.end_shift(session, agent_id=agent_id)


class AtDeskSwitcher(QObject):
    agent_changed = Signal(object)  # id or None
    agents_loaded = Signal()

    def __init__(self, tasks: Tasks, parent: QWidget) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._agent_id: int | None = None
        self._resume: int | None = None
        self._agents: list[AgentInfo] = []
        self._filling = False
        self.combo = QComboBox(parent)
        self.combo.setObjectName("atDesk")
        self.combo.setAccessibleName(_("At the desk"))
        self.combo.setToolTip(_("Who is working at this desk. Picking someone signs them in (starts "
                              "their shift); every action is then done as them."))
        self.combo.setMinimumContentsLength(18)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.activated.connect(self._picked)
        self.sign_out_button = QToolButton(parent)
        self.sign_out_button.setText(_("Sign out"))
        self.sign_out_button.setAccessibleName(_("Sign out"))
        self.sign_out_button.setToolTip(_("End the current agent's shift at the desk"))
        self.sign_out_button.clicked.connect(self.sign_out)
        self.sign_out_button.setEnabled(False)
        tasks.changes_executed.connect(self._on_changes)
        QTimer.singleShot(0, self, self.reload)  # after the queue's first page (startup order)

    def toolbar(self) -> QToolBar:
        bar = QToolBar(_("At the desk"), self.parent())  # type: ignore[arg-type]
        bar.setObjectName("atDeskToolbar")
        bar.setAccessibleName(_("At the desk toolbar"))
        bar.setToolTip(_("Who is working at this desk"))
        bar.setMovable(False)
        label = QLabel(_("&At the desk: "), bar)
        label.setBuddy(self.combo)
        bar.addWidget(label)
        bar.addWidget(self.combo)
        bar.addWidget(self.sign_out_button)
        return bar

    def agent_id(self) -> int | None:
        return self._agent_id

    def agents(self) -> list[AgentInfo]:
        return list(self._agents)

    def on_shift(self) -> list[AgentInfo]:
        return [a for a in self._agents if a.on_shift_since is not None]

    def sign_in(self, agent_id: int) -> None:
        """Make ``agent_id`` the agent of this window and start their shift."""
        self._set_agent(agent_id)
        self._tasks.op(lambda s: _start_shift(s, agent_id), initiator=self)

    def sign_out(self) -> None:
        agent_id = self._agent_id
        if agent_id is None:
            return
        self._set_agent(None)
        self._tasks.op(lambda s: _end_shift(s, agent_id), initiator=self)

    def restore(self, agent_id: int | None) -> None:
        """Resume as ``agent_id`` (e.g. remembered from the last run) without a new shift."""
        if agent_id is not None:
            self._set_agent(agent_id)

    def resume_if_on_shift(self, agent_id: int | None) -> None:
        """Resume as ``agent_id`` once the agents are loaded, if their shift is still open."""
        self._resume = agent_id
        if self._agents:
            self._try_resume()

    def _try_resume(self) -> None:
        wanted, self._resume = self._resume, None
        if wanted is not None and self._agent_id is None and any(
            a.id == wanted and a.on_shift_since is not None for a in self._agents
        ):
            self._set_agent(wanted)

    def reload(self) -> None:
        self._tasks.db(_agents, on_done=self._fill, discardable=True)

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if changes.shifts or changes.people:
            self.reload()

    def _fill(self, found: list[AgentInfo]) -> None:
        self._agents = found
        self._filling = True
        self.combo.clear()
        self.combo.addItem(_("Nobody signed in"), None)
        for agent in found:
            mark = " ●" if agent.on_shift_since else ""
            self.combo.addItem(f"{agent.name}{mark}", agent.id)
            self.combo.setItemData(self.combo.count() - 1,
                                   f"{agent.name} ({word(agent.role) if agent.role else _('agent')})"
                                   + (_(" — on shift") if agent.on_shift_since else ""),
                                   role=3)  # Qt.ToolTipRole
        self._select_current()
        self._filling = False
        if self._resume is not None:
            self._try_resume()
        self.agents_loaded.emit()

    def _select_current(self) -> None:
        index = self.combo.findData(self._agent_id) if self._agent_id is not None else 0
        self.combo.setCurrentIndex(max(0, index))

    def _picked(self, index: int) -> None:
        if self._filling:
            return
        agent_id = self.combo.itemData(index)
        if agent_id == self._agent_id:
            return
        if agent_id is None:
            self.sign_out()
        else:
            self.sign_in(int(agent_id))

    def _set_agent(self, agent_id: int | None) -> None:
        changed = agent_id != self._agent_id
        self._agent_id = agent_id
        self.sign_out_button.setEnabled(agent_id is not None)
        self._filling = True
        self._select_current()
        self._filling = False
        if changed:
            self.agent_changed.emit(agent_id)
