"""Find the customer a sale is for, or enrol a new member, from the sell screen (F6).

Type a mobile number, a member number or part of a name and press Enter; Up/Down and Enter
attach the one chosen. Ctrl+N opens the new-member form: the name, then the mobile number and
e-mail only with the member's consent (asked aloud, ticked by the cashier), marketing as its
own tick, and for a business the company, UEN and address a full tax invoice needs. Ctrl+S
saves and attaches; Esc goes back without changing anything. Ctrl+W records that the attached
member withdraws their consent (their mobile and e-mail are erased). Shift+F6 takes the customer off
the sale.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from till.services.context import REFUSALS
from till.services.customers import MEMBERSHIP_PURPOSE, CustomerCard, CustomerService, NewMember
from till.services.staff import SignedIn
from till.ui.errors import plain_message
from till.ui.keys import action_button, list_arrows, on_key, returns_keyboard
from till.ui.language import tr
from till.ui.look import set_role


def _field(name: str, placeholder: str = "", max_length: int = 120) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setPlaceholderText(placeholder)
    field.setMaxLength(max_length)
    field.setMinimumHeight(36)
    return field


class CustomerDialog(QDialog):
    """``card`` is the customer chosen or enrolled; ``removed`` says Shift+F6 was pressed."""

    def __init__(
        self,
        service: CustomerService,
        cashier: SignedIn,
        attached: CustomerCard | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        returns_keyboard(self)
        self.setObjectName("customer")
        self.setWindowTitle(tr("Customer for this sale"))
        self.resize(720, 560)
        self.service = service
        self.cashier = cashier
        self.card: CustomerCard | None = None
        self.removed = False
        self.pages = QStackedWidget()
        self.pages.addWidget(self._find_page(attached))
        self.pages.addWidget(self._form_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        # Ctrl+N and Ctrl+S belong to their page's buttons; a second shortcut on the same key
        # would make both ambiguous, and neither would fire.
        on_key("Shift+F6", self, self.remove)
        self.attached = attached

    # --- finding ------------------------------------------------------------------------

    def _find_page(self, attached: CustomerCard | None) -> QWidget:
        page = QWidget()
        self.query = _field("customer_query", tr("mobile number, member number or name"), 60)
        self.query.returnPressed.connect(self._enter)
        self.query.installEventFilter(self)
        self.results = QListWidget()
        self.results.setObjectName("customer_results")
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.results.itemClicked.connect(self._take)
        self.hint = QLabel(
            tr("Attached now: {customer}. Shift+F6 takes them off the sale.").format(
                customer=attached.label()
            )
            if attached
            else tr("Type, then Enter. Buying never needs a customer.")
        )
        self.hint.setObjectName("customer_hint")
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(tr("Find a member")))
        layout.addWidget(self.query)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.hint)
        layout.addWidget(
            action_button(tr("New member"), "Ctrl+N", page, self.new_member, "customer_new")
        )
        withdraw = action_button(
            tr("Attached member withdraws consent"),
            "Ctrl+W",
            page,
            self.withdraw,
            "customer_withdraw",
        )
        withdraw.setEnabled(attached is not None and attached.phone is not None)
        layout.addWidget(withdraw)
        return page

    def withdraw(self) -> None:
        """PDPA: the attached member withdraws consent; their contact details are erased."""
        if self.attached is None:
            return
        try:
            self.card = self.service.withdraw_consent(self.attached.customer_id, self.cashier)
        except REFUSALS as exc:
            self._say(self.hint, plain_message(exc), error=True)
            return
        self.accept()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.query and list_arrows(self.results, event):
            return True
        return super().eventFilter(watched, event)

    def _enter(self) -> None:
        typed = self.query.text()
        if typed == getattr(self, "_searched", None) and self.results.currentItem():
            self._take(self.results.currentItem())
            return
        self._searched = typed
        self.results.clear()
        try:
            found = self.service.find(typed)
        except REFUSALS as exc:
            self._say(self.hint, plain_message(exc), error=True)
            return
        for card in found:
            item = QListWidgetItem(card.label())
            item.setData(Qt.ItemDataRole.UserRole, card)
            self.results.addItem(item)
        if found:
            self.results.setCurrentRow(0)
            self._say(
                self.hint, tr("Up/Down to choose, Enter to attach to the sale, Esc to go back")
            )
        else:
            self._say(
                self.hint,
                tr("No member matches {text}. Ctrl+N enrols a new one.").format(
                    text=repr(typed.strip())
                ),
            )

    def _take(self, item: QListWidgetItem) -> None:
        self.card = item.data(Qt.ItemDataRole.UserRole)
        self.accept()

    def remove(self) -> None:
        self.removed = True
        self.accept()

    # --- enrolling ----------------------------------------------------------------------

    def _form_page(self) -> QWidget:
        page = QWidget()
        self.name = _field("customer_name", tr("as the member wants to be called"))
        self.mobile = _field("customer_mobile", tr("e.g. 9123 4567"), 20)
        self.email = _field("customer_email", tr("optional"), 254)
        self.consent = QCheckBox(
            tr("Agrees to the shop keeping these details for the purpose below")
        )
        self.consent.setObjectName("customer_consent")
        self.marketing = QCheckBox(tr("Also agrees to receive offers (marketing, separate)"))
        self.marketing.setObjectName("customer_marketing")
        self.purpose = _field("customer_purpose", max_length=200)
        self.purpose.setText(MEMBERSHIP_PURPOSE)
        self.company = _field("customer_company", tr("business customers: for a full tax invoice"))
        self.uen = _field("customer_uen", tr("e.g. 201912345K"), 12)
        self.address = QPlainTextEdit()
        self.address.setObjectName("customer_address")
        self.address.setPlaceholderText(tr("the company's address, up to 4 lines"))
        self.address.setTabChangesFocus(True)
        self.address.setMaximumHeight(90)
        self.gst_reg_no = _field("customer_gst_reg_no", tr("if GST-registered"), 20)
        self.error = QLabel(tr("Never ask for or type an NRIC or FIN number."))
        self.error.setObjectName("customer_error")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("Name"), self.name)
        form.addRow(tr("Mobile"), self.mobile)
        form.addRow(tr("E-mail"), self.email)
        form.addRow("", self.consent)
        form.addRow(tr("Purpose"), self.purpose)
        form.addRow("", self.marketing)
        form.addRow(tr("Company"), self.company)
        form.addRow(tr("UEN"), self.uen)
        form.addRow(tr("Address"), self.address)
        form.addRow(tr("GST Reg No"), self.gst_reg_no)
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(tr("New member")))
        layout.addLayout(form)
        layout.addWidget(self.error)
        save = action_button(tr("Save and attach"), "Ctrl+S", page, self.save, "customer_save")
        layout.addWidget(save)
        return page

    def new_member(self) -> None:
        self.pages.setCurrentIndex(1)
        typed = self.query.text().strip()
        # What was already typed to search is usually the name or the mobile number.
        if typed and "".join(typed.split()).lstrip("+").isdigit():
            self.mobile.setText(typed)
        elif typed and not typed.upper().startswith("M-"):
            self.name.setText(typed)
        self.name.setFocus()

    def save(self) -> None:
        if self.pages.currentIndex() != 1:
            return
        lines = tuple(self.address.toPlainText().splitlines())
        new = NewMember(
            name=self.name.text(),
            mobile=self.mobile.text(),
            email=self.email.text(),
            consent_contact=self.consent.isChecked(),
            consent_marketing=self.marketing.isChecked(),
            purpose=self.purpose.text(),
            company_name=self.company.text(),
            uen=self.uen.text(),
            address_lines=lines,
            gst_reg_no=self.gst_reg_no.text(),
        )
        try:
            self.card = self.service.enrol(new, self.cashier)
        except REFUSALS as exc:
            self._say(self.error, plain_message(exc), error=True)
            return
        self.accept()

    def _say(self, label: QLabel, text: str, *, error: bool = False) -> None:
        set_role(label, "error" if error else None)
        label.setText(text)


def choose_customer(
    service: CustomerService, cashier: SignedIn, attached: CustomerCard | None, parent: QWidget
) -> tuple[CustomerCard | None, bool]:
    """(the customer chosen or enrolled, whether the attached one was taken off)."""
    dialog = CustomerDialog(service, cashier, attached, parent)
    try:
        dialog.exec()
        return dialog.card, dialog.removed
    finally:
        dialog.deleteLater()
