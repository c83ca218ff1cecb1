"""Pick a parked cart to recall: Up/Down and Enter, or a tap; Esc goes back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from till.services.checkout import ParkedEntry
from till.ui.keys import returns_keyboard
from till.ui.language import tr
from till.ui.refusals import translate_refusal


class RecallDialog(QDialog):
    def __init__(self, parked: list[ParkedEntry], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        returns_keyboard(self)
        self.setObjectName("recall")
        self.setWindowTitle(tr("Recall a parked sale"))
        self.chosen: str | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Parked sales, oldest first. Enter recalls; Esc goes back.")))
        self.list = QListWidget()
        self.list.setObjectName("recall_list")
        for entry in parked:
            item = QListWidgetItem(
                tr("{label}  ·  {count} lines").format(
                    label=translate_refusal(entry.label), count=entry.lines
                )
            )
            item.setData(Qt.ItemDataRole.UserRole, entry.parked_id)
            item.setSizeHint(item.sizeHint().expandedTo(item.sizeHint().__class__(0, 44)))
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(self._take)
        self.list.itemClicked.connect(self._take)
        layout.addWidget(self.list)
        self.list.setFocus()

    def _take(self, item: QListWidgetItem) -> None:
        self.chosen = item.data(Qt.ItemDataRole.UserRole)
        self.accept()


def choose_parked(parked: list[ParkedEntry], parent: QWidget) -> str | None:
    dialog = RecallDialog(parked, parent)
    try:
        dialog.exec()
        return dialog.chosen
    finally:
        dialog.deleteLater()
