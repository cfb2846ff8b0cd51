"""File → Settings…: servers, path mappings, intervals, thumbnails, theme, alerts.

Not modal: events keep flowing while it is open. A bad address or mapping is
said under its field and nothing is stored until every field is right.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import msgspec
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .. import config as cfg
from ..config import Alerts, Bounds, Config
from ..protocol.models import DEFAULT_URL
from ..settings import Preferences

T = TypeVar("T")


class SettingsDialog(QDialog):
    """Edits the stored :class:`Config`.

    Signals:
        applied(object, object): the config as it was and as it is now stored
            (OK or Apply with every field valid).
    """

    applied = Signal(object, object)

    def __init__(
        self,
        preferences: Preferences,
        *,
        overrides: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SettingsDialog")
        self.setWindowTitle("Tether Monitor Settings")
        self.setMinimumWidth(980)
        self.preferences = preferences
        self.overrides = dict(overrides or {})
        self._stored = preferences.config()

        self.servers_edit = _lines_edit(
            "http://localhost:8080", "Servers, one address per line"
        )
        self.servers_error = _error_label()
        self.mappings_edit = _lines_edit(
            "C:\\Users\\ph\\Shoot=/Volumes/Shoot", "Path mappings, one per line"
        )
        self.mappings_error = _error_label()
        self.servers_edit.textChanged.connect(self._check_servers)
        self.mappings_edit.textChanged.connect(self._check_mappings)

        servers_box = QGroupBox("Servers")
        servers_form = QVBoxLayout(servers_box)
        servers_form.addWidget(
            _hint(
                "The Alpha Camera REST servers to watch, one address per line "
                f"(host:port is enough). None: {DEFAULT_URL}. Each is watched "
                "on its own, with its own reconnects; changes apply at once."
            )
        )
        servers_form.addWidget(self.servers_edit)
        servers_form.addWidget(self.servers_error)
        servers_form.addWidget(_override_note(self.overrides.get("servers")))
        servers_form.addWidget(
            _hint(
                "Path mappings, SERVER=LOCAL: where a server's folder is on this "
                "machine, when the monitor runs elsewhere. Windows paths match "
                "regardless of case and slash direction."
            )
        )
        servers_form.addWidget(self.mappings_edit)
        servers_form.addWidget(self.mappings_error)
        servers_form.addWidget(_override_note(self.overrides.get("mappings")))

        self.poll_spin = _seconds(cfg.POLL_INTERVAL, 1)
        self.stall_spin = _seconds(cfg.STALL_TIMEOUT, 0)
        self.thumb_spin = _whole(cfg.THUMBNAIL_SIZE, " px")
        self.theme_combo = QComboBox()
        self.theme_combo.addItem("Dark (for the studio)", "dark")
        self.theme_combo.addItem("Light", "light")
        watching = QGroupBox("Watching and display")
        form = QFormLayout(watching)
        form.addRow("Camera &discovery every", _with_note(
            self.poll_spin, self.overrides.get("poll_interval")))  # fmt: skip
        form.addRow("A silent stream is &dead after", _with_note(
            self.stall_spin, self.overrides.get("stall_timeout"),
            "at least 31 s: the server's keepalive comes every 30 s"))  # fmt: skip
        form.addRow("&Filmstrip thumbnails", _with_note(self.thumb_spin, None))
        form.addRow("&Theme", self.theme_combo)

        self.desktop_check = QCheckBox("Show a desktop &notification")
        self.sound_check = QCheckBox("Play a &sound")
        self.battery_spin = _whole(cfg.BATTERY_PERCENT, " %")
        self.card_spin = _whole(cfg.CARD_SHOTS, " shots left")
        self.transfer_spin = _seconds(cfg.TRANSFER_STALL, 0)
        alerts = QGroupBox("Alerts")
        alerts_form = QFormLayout(alerts)
        alerts_form.addRow(_hint(
            "An alert shows on the camera's card and in a banner until "
            "acknowledged; it may also:"))  # fmt: skip
        alerts_form.addRow(self.desktop_check)
        alerts_form.addRow(self.sound_check)
        alerts_form.addRow("&Battery nearly empty at or below", self.battery_spin)
        alerts_form.addRow("Memory &card nearly full at", self.card_spin)
        alerts_form.addRow("T&ransfer stalled after no progress for",
                           self.transfer_spin)  # fmt: skip

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply
        )
        self.buttons.clicked.connect(self._on_button)

        columns = QHBoxLayout()
        columns.addWidget(servers_box, 3)
        right = QVBoxLayout()
        right.addWidget(watching)
        right.addWidget(alerts)
        right.addStretch(1)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.buttons)
        self.show_config(self._stored)

    # -- the fields ----------------------------------------------------------------

    def show_config(self, config: Config) -> None:
        self.servers_edit.setPlainText("\n".join(config.servers))
        self.mappings_edit.setPlainText(
            "\n".join(f"{server}={local}" for server, local in config.mappings)
        )
        self.poll_spin.setValue(config.poll_interval)
        self.stall_spin.setValue(config.stall_timeout)
        self.thumb_spin.setValue(config.thumbnail_size)
        theme = self.theme_combo.findData(config.theme)
        self.theme_combo.setCurrentIndex(max(0, theme))
        alerts = config.alerts
        self.desktop_check.setChecked(alerts.desktop)
        self.sound_check.setChecked(alerts.sound)
        self.battery_spin.setValue(alerts.battery_percent)
        self.card_spin.setValue(alerts.card_shots)
        self.transfer_spin.setValue(alerts.transfer_stall)

    def edited(self) -> Config:
        """The config as the fields say; ValueError (and the message shown under
        the field) when a server or a mapping is wrong."""
        servers = self._check_servers()
        mappings = self._check_mappings()
        if servers is None:
            self.servers_edit.setFocus()
            raise ValueError(self.servers_error.text())
        if mappings is None:
            self.mappings_edit.setFocus()
            raise ValueError(self.mappings_error.text())
        return Config(
            servers=servers,
            mappings=mappings,
            poll_interval=self.poll_spin.value(),
            stall_timeout=self.stall_spin.value(),
            thumbnail_size=self.thumb_spin.value(),
            theme=self.theme_combo.currentData(),
            alerts=Alerts(
                desktop=self.desktop_check.isChecked(),
                sound=self.sound_check.isChecked(),
                battery_percent=self.battery_spin.value(),
                card_shots=self.card_spin.value(),
                transfer_stall=self.transfer_spin.value(),
            ),
        )

    def apply(self) -> bool:
        """Store what the fields say and tell the window; False (nothing
        stored, the problem shown) when a field is wrong."""
        try:
            edited = self.edited()
            # As stored now: the theme may have been switched in the View menu
            # while the dialog was open. Only what was changed here is taken.
            old = self.preferences.config()
            changed = {
                f.name: getattr(edited, f.name)
                for f in msgspec.structs.fields(edited)
                if getattr(edited, f.name) != getattr(self._stored, f.name)
            }
            self.preferences.save_config(old.replace(**changed))
        except ValueError:
            return False
        self._stored = self.preferences.config()
        self.show_config(self._stored)  # as stored: normalized addresses
        if old != self._stored:
            self.applied.emit(old, self._stored)
        return True

    def _check_servers(self) -> list[str] | None:
        return _check(self.servers_edit, self.servers_error, cfg.check_servers)

    def _check_mappings(self) -> list[tuple[str, str]] | None:
        return _check(self.mappings_edit, self.mappings_error, cfg.check_mappings)

    def _on_button(self, button: QAbstractButton) -> None:
        role = self.buttons.buttonRole(button)
        if role == QDialogButtonBox.ButtonRole.RejectRole:
            self.reject()
        elif self.apply() and role == QDialogButtonBox.ButtonRole.AcceptRole:
            self.accept()


def _check(
    edit: QPlainTextEdit, error: QLabel, parse: Callable[[list[str]], T]
) -> T | None:
    """The field parsed, or None with the reason shown under it."""
    try:
        value = parse(edit.toPlainText().splitlines())
    except ValueError as exc:
        error.setText(f"⚠ {str(exc)[:1].upper()}{str(exc)[1:]}")
        error.show()
        return None
    error.hide()
    error.clear()
    return value


def _lines_edit(example: str, name: str) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setPlaceholderText(example)
    edit.setAccessibleName(name)
    edit.setTabChangesFocus(True)
    edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 5 + 12)
    return edit


def _error_label() -> QLabel:
    label = QLabel(objectName="SettingsError")
    label.setWordWrap(True)
    label.setAccessibleName("Problem with this field")
    label.hide()
    return label


def _hint(text: str) -> QLabel:
    label = QLabel(text, objectName="SettingsHint")
    label.setWordWrap(True)
    return label


def _override_note(option: str | None) -> QLabel:
    label = _hint("")
    if option is None:
        label.hide()
    elif option == "--demo":
        label.setText(
            "This run watches the built-in simulator (--demo): the list applies "
            "from the next start without --demo, or at once if you change it."
        )
    else:
        label.setText(
            f"This run uses {option} from the command line (not stored): the "
            "list applies from the next start, or at once if you change it."
        )
    return label


def _with_note(field: QWidget, option: str | None, note: str = "") -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(field)
    if option is not None:
        note = f"{option} given for this run; this applies at once if you change it"
    if note:
        layout.addWidget(_hint(note), 1)
    else:
        layout.addStretch(1)
    return box


def _seconds(bounds: Bounds, decimals: int) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(bounds.low, bounds.high)
    spin.setDecimals(decimals)
    spin.setSuffix(" s")
    spin.setToolTip(f"{bounds.low:g} to {bounds.high:g} s")
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    return spin


def _whole(bounds: Bounds, suffix: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(int(bounds.low), int(bounds.high))
    spin.setSuffix(suffix)
    spin.setToolTip(f"{bounds.low:g} to {bounds.high:g}")
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    return spin
