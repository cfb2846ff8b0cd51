"""Help → About Tether Monitor: what runs here and on each server, to copy into
a support request."""

from __future__ import annotations

import html
import platform

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ..rig import Rig


def versions(rig: Rig) -> list[tuple[str, str]]:
    """(what, version) rows: the monitor, Qt, PySide6, Python, then each
    server's version and SDK (or why they are not known)."""
    from .. import __version__  # looked up when asked (see app.__version__)

    rows = [
        ("Tether Monitor", __version__),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("Python", platform.python_version()),
        ("System", platform.platform(terse=True)),
    ]
    for url, server in rig.servers.items():
        status = server.status
        if status is None:
            rows.append((f"Server {url}", "not reached yet"))
            continue
        where = f" on {status.platform}" if status.platform else ""
        rows.append((f"Server {url}", f"{status.version}{where}"))
        rows.append((f"SDK on {url}", status.sdk_version))
    return rows


def versions_text(rig: Rig) -> str:
    return "\n".join(f"{what}: {version}" for what, version in versions(rig))


class AboutDialog(QDialog):
    """The versions, and a button to copy them."""

    def __init__(self, rig: Rig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AboutDialog")
        self.setWindowTitle("About Tether Monitor")
        self.rig = rig
        heading = QLabel(
            "<h2>Tether Monitor</h2><p>Watches Sony cameras tethered to the "
            "Alpha Camera REST server: connection, focus, transfers and every "
            "frame as it lands.</p>"
        )
        heading.setWordWrap(True)
        rows = "".join(
            f"<tr><td>{html.escape(what)}&nbsp;&nbsp;</td>"
            f"<td><b>{html.escape(version)}</b></td></tr>"
            for what, version in versions(rig)
        )
        self.table = QLabel(f"<table>{rows}</table>", objectName="AboutVersions")
        self.table.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table.setAccessibleName("Versions")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton(
            "&Copy Versions", QDialogButtonBox.ButtonRole.ActionRole
        )
        copy.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table)
        layout.addWidget(buttons)

    def copy(self) -> None:
        """Put the versions on the clipboard as plain text."""
        QGuiApplication.clipboard().setText(versions_text(self.rig))
