"""What the window says about each server: a header over its cameras in the
grid (when several are watched), and one message when a server could not be
reached at all since the start."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..rig import LinkState, Server

UNREACHABLE_AFTER = 3.0
"""Seconds without any answer from a server before the window says so."""


def host_of(url: str) -> str:
    """``http://studio-a:8080`` → ``studio-a:8080``."""
    parts = urlsplit(url)
    return parts.netloc or url


def plain_reason(server: Server) -> str:
    """The reason the server is offline, without its URL (shown next to it)."""
    reason = server.reason.replace(server.url, "").strip(" :")
    return reason or "no answer"


def why_unreachable(server: Server) -> str:
    """Why a server never answered, in the photographer's words."""
    # Between two attempts the link is "connecting" again and has no reason of
    # its own: the latest failure still says why.
    retrying = server.state == LinkState.RETRYING
    latest = server.reason if retrying else server.logged_reason
    if not latest:
        return "no answer yet"
    reason = latest.lower()
    if "refused" in reason:
        return "the connection was refused: nothing is listening on that port"
    if "host name not found" in reason:
        return "the host name was not found"
    if "in time" in reason or "stopped answering" in reason:
        return "it did not answer in time"
    if "404" in reason:
        return "something answers there, but it is not the camera server (HTTP 404)"
    return latest.replace(server.url, "").strip(" :") or "no answer"


def describe_state(server: Server, cameras: int) -> str:
    """A header's state line: connected (versions, cameras), connecting, or
    offline with the reason and a countdown."""
    match server.state:
        case LinkState.OPEN:
            parts = ["● Connected"]
            if server.status is not None:
                parts.append(f"server {server.status.version}")
                parts.append(f"SDK {server.status.sdk_version}")
            parts.append(f"{cameras} camera{'s' if cameras != 1 else ''}")
            return " · ".join(parts)
        case LinkState.RETRYING:
            wait = server.retry_in()
            when = f"retrying in {wait:.0f} s" if wait and wait >= 0.5 else "retrying"
            return (
                f"✕ Offline since {(server.offline_since or server.since):%H:%M:%S}: "
                f"{plain_reason(server)} · {when}"
            )
        case LinkState.CONNECTING:
            return "○ Connecting…"
        case _:
            return "Not watched"


class ServerHeader(QFrame):
    """A row over one server's cameras: its host, its state, *Retry now*.

    Signals:
        retry_requested(str): the server's URL.
    """

    retry_requested = Signal(str)

    def __init__(
        self, url: str, *, name: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ServerHeader")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.url = url
        host = host_of(url)
        self.title = QLabel(f"{name} · {host}" if name else host)
        self.title.setObjectName("ServerHeaderHost")
        self.title.setToolTip(url)
        self.state = QLabel(objectName="ServerHeaderState")
        self.state.setWordWrap(True)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry = QPushButton("Retry now")
        self.retry.setAccessibleName(f"Retry connecting to {host_of(url)} now")
        self.retry.clicked.connect(self._ask_retry)
        self.retry.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.state, 1)
        layout.addWidget(self.retry)

    def show_server(self, server: Server, cameras: int) -> None:
        text = describe_state(server, cameras)
        if self.state.text() != text:
            self.state.setText(text)
        offline = server.state == LinkState.RETRYING
        self.retry.setVisible(offline)
        if self.property("offline") != offline:
            self.setProperty("offline", offline)
            for widget in (self, self.state):  # the rule is on the label inside
                widget.style().unpolish(widget)
                widget.style().polish(widget)
        self.setAccessibleName(f"Server {host_of(self.url)}: {text}")

    def _ask_retry(self) -> None:
        self.retry_requested.emit(self.url)


class UnreachableBanner(QFrame):
    """One calm message while servers have not answered once since the start:
    which, why, and what to do. Not a dialog: it goes when they answer.

    Signals:
        settings_requested(): *Settings…* was clicked.
        retry_requested(): *Retry now* was clicked.
    """

    settings_requested = Signal()
    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("UnreachableBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.text = QLabel(objectName="UnreachableText")
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAccessibleName("Server cannot be reached")
        self.settings = QPushButton("Settings…")
        self.settings.setAccessibleName("Open the settings to check the address")
        self.settings.clicked.connect(self.settings_requested)
        self.retry = QPushButton("Retry now")
        self.retry.setAccessibleName("Retry connecting now")
        self.retry.clicked.connect(self.retry_requested)
        buttons = QVBoxLayout()
        buttons.addWidget(self.settings)
        buttons.addWidget(self.retry)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.hide()

    def show_servers(
        self, servers: list[Server], *, others_answer: bool = False
    ) -> None:
        """Say that ``servers`` cannot be reached; none: hide. With
        ``others_answer`` (another server is connected) the demo is not
        suggested."""
        if not servers:
            self.hide()
            return
        if len(servers) == 1:
            server = servers[0]
            head = (
                f"Cannot reach the server at {html.escape(server.url)}: "
                f"{html.escape(why_unreachable(server))}."
            )
        else:
            items = "; ".join(
                html.escape(f"{s.url}: {why_unreachable(s)}") for s in servers
            )
            head = f"Cannot reach {len(servers)} servers: {items}."
        text = (
            f"{head}<br>Check that the Alpha Camera REST server is running there "
            f"and the address in {html.escape('File → Settings… (Ctrl+,)')}. "
            "Retrying meanwhile."
        )
        if not others_answer:
            text += "<br>To try the monitor on simulated cameras: tether-monitor --demo"
        if self.text.text() != text:
            self.text.setText(text)
        self.show()
