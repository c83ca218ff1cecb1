# ruff: noqa: E501  (each message on one line, as it is found and translated)
"""The refusals a cashier may see, as the services word them in English, for Qt's translation
tools: the till translates a refusal when it shows it (``plain_message``), not where it is
raised, so ``till/services`` and ``shared`` stay free of Qt and speak English in logs and tests.

Each entry is the English message with ``{0}``, ``{1}``... where the raise site puts a value
(an amount, a name, a code). A message is matched against the entries; the values it carries
are put into the translation (itself translated when a value is a message of its own, as the
detail inside "...: a manager must approve with their PIN"). A message with no entry is shown
as it is. ``tests/unit/test_refusal_words.py`` finds every message raised in the services and
the cart and checks it has an entry here.
"""

from __future__ import annotations

import re
from functools import cache

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from till.ui.language import translated

CONTEXT = "refusals"
_MARKED: tuple[object, ...] = (
    QT_TRANSLATE_NOOP(
        "refusals", "no weight of {0} at ${1}/kg costs the ${2} on the label: weigh it again"
    ),
    QT_TRANSLATE_NOOP("refusals", "no product has barcode {0}: scan again or search by name"),
    QT_TRANSLATE_NOOP("refusals", "{0} is sold by weight: type the weight in kg"),
    QT_TRANSLATE_NOOP("refusals", "{0} has no list price: ring it by weight instead"),
    QT_TRANSLATE_NOOP(
        "refusals",
        "the scale label {0} is for item {1}, which is not in this till's catalogue: weigh it again or ring it by name",
    ),
    QT_TRANSLATE_NOOP("refusals", "a scale label carries its own weight or price: scan it alone"),
    QT_TRANSLATE_NOOP("refusals", "the cart is empty: there is nothing to park"),
    QT_TRANSLATE_NOOP("refusals", "finish or park the current cart before recalling another"),
    QT_TRANSLATE_NOOP(
        "refusals", "PayNow is not set up for this outlet (no UEN); take another tender"
    ),
    QT_TRANSLATE_NOOP("refusals", "the cart is empty: scan an item first"),
    QT_TRANSLATE_NOOP("refusals", "the label carries a weight, but {0} is sold by unit"),
    QT_TRANSLATE_NOOP(
        "refusals",
        "the label says ${0}, which is not a whole number of {1} at ${2}: ring it by hand",
    ),
    QT_TRANSLATE_NOOP("refusals", "that parked cart was already recalled"),
    QT_TRANSLATE_NOOP(
        "refusals", "this till has no identity yet: enrol it (sgpos-install) or run the demo"
    ),
    QT_TRANSLATE_NOOP(
        "refusals",
        "this till has not received its outlet's settings yet; connect it to head office once (sgpos-sync once) and try again",
    ),
    QT_TRANSLATE_NOOP("refusals", "the {0} is too long (at most {1} characters)"),
    QT_TRANSLATE_NOOP("refusals", "the {0} contains an invisible character ({1})"),
    QT_TRANSLATE_NOOP("refusals", "type the member's name (or the contact person's)"),
    QT_TRANSLATE_NOOP("refusals", "{0} is not an e-mail address"),
    QT_TRANSLATE_NOOP(
        "refusals",
        "a mobile number or e-mail is kept only with the member's consent: tick 'agrees to be contacted' after asking, or leave them out",
    ),
    QT_TRANSLATE_NOOP("refusals", "marketing needs a mobile number or e-mail to send it to"),
    QT_TRANSLATE_NOOP("refusals", "the address has at most 4 lines"),
    QT_TRANSLATE_NOOP(
        "refusals", "a business customer needs the company's address for a tax invoice: type it"
    ),
    QT_TRANSLATE_NOOP("refusals", "an address is kept for a business customer: type the company"),
    QT_TRANSLATE_NOOP("refusals", "a UEN belongs to a company: type the company name too"),
    QT_TRANSLATE_NOOP("refusals", "{0} is not a GST registration number"),
    QT_TRANSLATE_NOOP("refusals", "type at least 2 letters of the name, or the mobile number"),
    QT_TRANSLATE_NOOP("refusals", "that customer is not on this till"),
    QT_TRANSLATE_NOOP("refusals", "{0} already withdrew their consent"),
    QT_TRANSLATE_NOOP(
        "refusals", "{0} is already member {1} ({2}): find them instead of enrolling again"
    ),
    QT_TRANSLATE_NOOP("refusals", "no sale on this till has receipt number {0}; check the number"),
    QT_TRANSLATE_NOOP("refusals", "{0} is too long for a receipt number"),
    QT_TRANSLATE_NOOP(
        "refusals", "no receipt on this till ends in {0}; check the number on the receipt"
    ),
    QT_TRANSLATE_NOOP(
        "refusals", "{0} could be {1}: type more of the number (e.g. {2}) or choose it in the list"
    ),
    QT_TRANSLATE_NOOP("refusals", "{0} is a refund slip: only a sale has a tax invoice"),
    QT_TRANSLATE_NOOP("refusals", "{0} is not GST-registered, so it issues no tax invoices"),
    QT_TRANSLATE_NOOP(
        "refusals",
        "sale {0} was not made out to a business customer: a full tax invoice needs the company's name and address, attached (F6) before payment",
    ),
    QT_TRANSLATE_NOOP("refusals", "choose at least one item and quantity to refund"),
    QT_TRANSLATE_NOOP("refusals", "voiding sale {0}"),
    QT_TRANSLATE_NOOP("refusals", "refunding {0} without a receipt"),
    QT_TRANSLATE_NOOP("refusals", "say why the goods are refunded (e.g. 'damaged', 'wrong size')"),
    QT_TRANSLATE_NOOP("refusals", "refunds cannot be paid back as {0}"),
    QT_TRANSLATE_NOOP("refusals", "sale {0} has already been fully refunded"),
    QT_TRANSLATE_NOOP("refusals", "that item is not on receipt {0}"),
    QT_TRANSLATE_NOOP("refusals", "no shift is open: open a shift with the cash float first"),
    QT_TRANSLATE_NOOP("refusals", "not Singapore denominations: {0}"),
    QT_TRANSLATE_NOOP("refusals", "a count must be between 0 and 100,000 pieces"),
    QT_TRANSLATE_NOOP("refusals", "the opening float cannot be negative"),
    QT_TRANSLATE_NOOP("refusals", "cash moves either in or out of the drawer"),
    QT_TRANSLATE_NOOP("refusals", "enter an amount above $0.00"),
    QT_TRANSLATE_NOOP(
        "refusals", "say why the cash is moving (e.g. 'bank deposit', 'change top-up')"
    ),
    QT_TRANSLATE_NOOP("refusals", "a shift is already open: close it (Z report) first"),
    QT_TRANSLATE_NOOP("refusals", "that shift is not closed: its Z report does not exist yet"),
    QT_TRANSLATE_NOOP("refusals", "the drawer is {0} against the expected {1}"),
    QT_TRANSLATE_NOOP("refusals", "a PIN is 4 to 8 digits"),
    QT_TRANSLATE_NOOP(
        "refusals",
        "{0} ({1}) cannot approve this: it needs a {2}. Ask one to type their staff code and PIN",
    ),
    QT_TRANSLATE_NOOP("refusals", "no staff member has the code {0}"),
    QT_TRANSLATE_NOOP("refusals", "{0} is deactivated; ask a manager"),
    QT_TRANSLATE_NOOP("refusals", "{0} is locked out after wrong PINs until {1}"),
    QT_TRANSLATE_NOOP("refusals", "wrong PIN: {0} is locked out for 5 minutes"),
    QT_TRANSLATE_NOOP("refusals", "wrong PIN ({0} {1} left)"),
    QT_TRANSLATE_NOOP("refusals", "{0} is a manager's job"),
    QT_TRANSLATE_NOOP("refusals", "{0} is not a manager and cannot approve this"),
    QT_TRANSLATE_NOOP("refusals", "scan at least one item first"),
    QT_TRANSLATE_NOOP("refusals", "at most {0} lines at a time: split it into two"),
    QT_TRANSLATE_NOOP(
        "refusals", "{0} is not an outlet code: type the receiving outlet's code, e.g. ORC"
    ),
    QT_TRANSLATE_NOOP("refusals", "{0}: the quantity must be more than zero"),
    QT_TRANSLATE_NOOP("refusals", "{0} is more than {1} units: check the quantity"),
    QT_TRANSLATE_NOOP("refusals", "{0}: quantities go to three decimals (grams) at most"),
    QT_TRANSLATE_NOOP("refusals", "{0}: this product is counted in whole units"),
    QT_TRANSLATE_NOOP("refusals", "{0}: a cost is dollars and cents per unit, e.g. 1.85"),
    QT_TRANSLATE_NOOP("refusals", "{0} per unit is more than $100,000: check the cost"),
    QT_TRANSLATE_NOOP(
        "refusals", "{0} is not a quantity: type units (12), kg (1.250) or packs x units (3x24)"
    ),
    QT_TRANSLATE_NOOP("refusals", "{0} is not a cost: type dollars per unit, e.g. 1.85"),
    QT_TRANSLATE_NOOP("refusals", "scan an item's barcode first"),
    QT_TRANSLATE_NOOP("refusals", "no product has barcode {0}: scan again or check the label"),
    QT_TRANSLATE_NOOP("refusals", "type the cost per unit of {0} (from the invoice)"),
    QT_TRANSLATE_NOOP("refusals", "choose a reason: {0}"),
    QT_TRANSLATE_NOOP(
        "refusals", "this adjustment is worth ${0} at cost, above the till's limit of ${1}"
    ),
    QT_TRANSLATE_NOOP("refusals", "the quantity must be more than zero"),
    QT_TRANSLATE_NOOP("refusals", "a transfer goes to another outlet, not this one"),
    QT_TRANSLATE_NOOP(
        "refusals",
        "{0} is not a transfer number: type it from the dispatch note, e.g. TR-ORC-T01-000012",
    ),
    QT_TRANSLATE_NOOP(
        "refusals", "that transfer was sent by this outlet: it is received elsewhere"
    ),
    QT_TRANSLATE_NOOP("refusals", "no such stocktake"),
    QT_TRANSLATE_NOOP("refusals", "a stocktake is already open: finish or cancel it first"),
    QT_TRANSLATE_NOOP("refusals", "this stocktake is no longer open: start a new one"),
    QT_TRANSLATE_NOOP("refusals", "{0} is not in the category being counted: put it aside"),
    QT_TRANSLATE_NOOP("refusals", "this stocktake is no longer open"),
    QT_TRANSLATE_NOOP("refusals", "more than {0} products differ: count by category"),
    QT_TRANSLATE_NOOP(
        "refusals",
        "{0} is a pack of a product this till no longer sells: set it aside and ask head office",
    ),
    QT_TRANSLATE_NOOP("refusals", "no category is called {0}"),
    QT_TRANSLATE_NOOP("refusals", "there is no till store in {0}; choose the till's data folder"),
    QT_TRANSLATE_NOOP("refusals", "the folder {0} does not exist; choose an existing folder"),
    QT_TRANSLATE_NOOP(
        "refusals",
        "could not write the support bundle to {0} ({1}); check there is space and that the folder (or USB stick) is writable",
    ),
    QT_TRANSLATE_NOOP("refusals", "enter the {0} in dollars, e.g. 20.00"),
    QT_TRANSLATE_NOOP("refusals", "Sign in first"),
    QT_TRANSLATE_NOOP("refusals", "{0} is not an {1}: type dollars and cents, e.g. 12.50"),
    QT_TRANSLATE_NOOP("refusals", "{0} is not a quantity: type a number, e.g. 3 or 0.875 kg"),
    QT_TRANSLATE_NOOP("refusals", "There is no sale to pay"),
    QT_TRANSLATE_NOOP("refusals", "Nothing is due: the sale is paid"),
    QT_TRANSLATE_NOOP("refusals", "{0} can take at most {1} here: it gives no change"),
    QT_TRANSLATE_NOOP("refusals", "Scan or type a barcode"),
    QT_TRANSLATE_NOOP("refusals", "Cancelled: nothing was changed"),
    QT_TRANSLATE_NOOP("refusals", "Choose a line first (Up/Down)"),
    QT_TRANSLATE_NOOP("refusals", "{0} is not a weight: type kg, e.g. 0.500"),
    QT_TRANSLATE_NOOP("refusals", "{0} kg is finer than a gram: type up to 3 decimals, e.g. 0.505"),
    QT_TRANSLATE_NOOP(
        "refusals",
        "{0} kg is not a weight the scale shows: type from 0.001 to {1} kg (0.5 for half a kilo)",
    ),
    QT_TRANSLATE_NOOP("refusals", "{0} is not a percentage: type e.g. 10%"),
    QT_TRANSLATE_NOOP("refusals", "start the count first (F9)"),
    QT_TRANSLATE_NOOP("refusals", "start a count first (F9), then scan the shelves"),
    QT_TRANSLATE_NOOP("refusals", "type the cost per unit of {0} first, then scan it again"),
    QT_TRANSLATE_NOOP("refusals", "{0}: a manager must approve with their PIN"),
    QT_TRANSLATE_NOOP("refusals", "quantity {0} must be more than zero"),
    QT_TRANSLATE_NOOP("refusals", "quantity {0}: whole units from 1 to {1} only"),
    QT_TRANSLATE_NOOP("refusals", "line {0} is not in this cart"),
    QT_TRANSLATE_NOOP("refusals", "a discount is either a percentage or an amount"),
    QT_TRANSLATE_NOOP("refusals", "a discount of {0}% is not between 0 and 100"),
    QT_TRANSLATE_NOOP("refusals", "a discount amount must be more than zero"),
    QT_TRANSLATE_NOOP("refusals", "weight {0} kg: use up to 3 decimals and {1} kg"),
    QT_TRANSLATE_NOOP("refusals", "a price cannot be negative; use a refund instead"),
    QT_TRANSLATE_NOOP(
        "refusals",
        "${0} is more than this till allows for {1} (at most ${2}; its list price is ${3}): check the price and type it again",
    ),
    QT_TRANSLATE_NOOP("refusals", "changing the price of {0} from ${1} to ${2}"),
    QT_TRANSLATE_NOOP(
        "refusals", "a discount of {0} on {1} is more than the {2}% cashiers may give"
    ),
    QT_TRANSLATE_NOOP("refusals", "${0} is still due: take another payment before completing"),
    QT_TRANSLATE_NOOP(
        "refusals",
        "non-cash payments of ${0} exceed the ${1} due; card, NETS, PayNow and vouchers give no change",
    ),
    QT_TRANSLATE_NOOP("refusals", "a {0} payment must be more than $0.00"),
    QT_TRANSLATE_NOOP("refusals", "record only the last 4 digits of a card, never the full number"),
    QT_TRANSLATE_NOOP("refusals", "only a card or NETS payment has card digits"),
    QT_TRANSLATE_NOOP("refusals", "enter the approval code printed by the {0} terminal"),
    QT_TRANSLATE_NOOP(
        "refusals", "enter the voucher's reference (the voucher app's transaction ID)"
    ),
    QT_TRANSLATE_NOOP(
        "refusals", "confirm that the PayNow transfer has arrived before accepting it"
    ),
    QT_TRANSLATE_NOOP("refusals", "{0}: {1} asked but only {2} of {3} sold is left to refund"),
    QT_TRANSLATE_NOOP(
        "refusals",
        "this sale's promotions were kept in a form (version {0}) this till does not read: upgrade the till before refunding it",
    ),
    QT_TRANSLATE_NOOP(
        "refusals",
        "the {0} looks like an NRIC or FIN number: the shop must not record one (PDPA). Leave it out",
    ),
    QT_TRANSLATE_NOOP("refusals", "{0} is not a mobile number: type its 8 digits, e.g. 9123 4567"),
    QT_TRANSLATE_NOOP(
        "refusals", "{0} is not a mobile number (Singapore mobiles start with 8 or 9)"
    ),
    QT_TRANSLATE_NOOP(
        "refusals",
        "{0} is not a UEN: it is 9 or 10 characters, e.g. 53312345K, 201912345K or T09LL1234A",
    ),
    QT_TRANSLATE_NOOP(
        "refusals", "{0} is not a Singapore number: only +65 mobile numbers are kept"
    ),
    QT_TRANSLATE_NOOP("refusals", "{0} is not a member number (like M-ORC-T01-00012)"),
    QT_TRANSLATE_NOOP("refusals", "a value check digit covers 4 or 5 digits, not {0}"),
    QT_TRANSLATE_NOOP("refusals", "item code {0} must be {1} digits"),
    QT_TRANSLATE_NOOP("refusals", "{0} does not fit {1} digits"),
    QT_TRANSLATE_NOOP("refusals", "the label {0} did not scan cleanly (check digit): scan again"),
    QT_TRANSLATE_NOOP(
        "refusals", "the {0} on label {1} did not scan cleanly (its check digit): scan again"
    ),
    QT_TRANSLATE_NOOP("refusals", "a scale prefix is 20 to 29, not {0}"),
    QT_TRANSLATE_NOOP("refusals", "item code of {0} digits: use 1 to 6"),
    QT_TRANSLATE_NOOP(
        "refusals",
        "GS1 defines a value check digit for 4- or 5-digit values only: {0} item digits leave {1}",
    ),
    QT_TRANSLATE_NOOP("refusals", "{0} decimals: use 0 to 3"),
    QT_TRANSLATE_NOOP(
        "refusals",
        "the till's database is busy (another program is writing to it); nothing was saved — try again in a moment",
    ),
    QT_TRANSLATE_NOOP(
        "refusals",
        "the disk is full, so nothing was saved; free some space (or call support) and try again — the cart is still here",
    ),
    QT_TRANSLATE_NOOP(
        "refusals", "the till cannot write its database: {0}, so nothing was saved; {1}"
    ),
    QT_TRANSLATE_NOOP("refusals", "the till cannot open its database ({0}); check the data folder"),
    QT_TRANSLATE_NOOP(
        "refusals", "this till has no identity yet: enrol it (sgpos-install) or start the demo"
    ),
    QT_TRANSLATE_NOOP(
        "refusals",
        "{0} cannot be opened. Check the cable, that the printer is switched on and that serial_device in till.toml names the right port, then press Retry.",
    ),
    QT_TRANSLATE_NOOP(
        "refusals", "{0} does not answer. Check it is switched on and connected, then press Retry."
    ),
    QT_TRANSLATE_NOOP(
        "refusals",
        "{0} is not connected. Check the USB cable and that the printer is switched on, then press Retry.",
    ),
    QT_TRANSLATE_NOOP(
        "refusals",
        "The receipt printer address {0} is not known on this network. Check host in the [printer] part of till.toml.",
    ),
    QT_TRANSLATE_NOOP(
        "refusals",
        "{0} did not answer within {1} s. Check it is switched on and connected to the network, then press Retry.",
    ),
    QT_TRANSLATE_NOOP(
        "refusals",
        "USB printing needs libusb, which is missing on this computer. Ask your technician to install it, or set up the printer as a network printer.",
    ),
    QT_TRANSLATE_NOOP("refusals", "USB printing is not available on this till: {0}"),
    QT_TRANSLATE_NOOP(
        "refusals",
        "This till is not allowed to use {0}. Ask your technician to give the till's user access to it (a udev rule on Linux), then press Retry.",
    ),
    QT_TRANSLATE_NOOP(
        "refusals", "No receipt printer is set up; use PDF or set [printer] in till.toml"
    ),
    QT_TRANSLATE_NOOP(
        "refusals", "{0} is out of paper. Load a new roll and close the cover, then press Retry."
    ),
    QT_TRANSLATE_NOOP(
        "refusals",
        "{0} ran out of paper while printing. Load a new roll and close the cover; if the print-out does not come out complete, press Retry.",
    ),
    QT_TRANSLATE_NOOP("refusals", "the receipt printer"),
    QT_TRANSLATE_NOOP("refusals", "the receipt printer at {0}:{1}"),
    QT_TRANSLATE_NOOP("refusals", "the USB receipt printer {0}"),
    QT_TRANSLATE_NOOP("refusals", "the receipt printer on {0}"),
    QT_TRANSLATE_NOOP("refusals", "void of {0}"),
    QT_TRANSLATE_NOOP("refusals", "refund of {0}"),
    QT_TRANSLATE_NOOP("refusals", "no receipt"),
    QT_TRANSLATE_NOOP("refusals", "refunded"),
    QT_TRANSLATE_NOOP("refusals", "voided"),
    QT_TRANSLATE_NOOP("refusals", "name"),
    QT_TRANSLATE_NOOP("refusals", "e-mail"),
    QT_TRANSLATE_NOOP("refusals", "purpose"),
    QT_TRANSLATE_NOOP("refusals", "company name"),
    QT_TRANSLATE_NOOP("refusals", "address"),
    QT_TRANSLATE_NOOP("refusals", "amount"),
    QT_TRANSLATE_NOOP("refusals", "amount of discount"),
    QT_TRANSLATE_NOOP("refusals", "cashier"),
    QT_TRANSLATE_NOOP("refusals", "supervisor"),
    QT_TRANSLATE_NOOP("refusals", "manager"),
    QT_TRANSLATE_NOOP("refusals", "manager or supervisor"),
    QT_TRANSLATE_NOOP("refusals", "{0} items"),
    QT_TRANSLATE_NOOP("refusals", "saved ${0}"),
    QT_TRANSLATE_NOOP("refusals", "saved ${0} ({1} times)"),
    QT_TRANSLATE_NOOP(
        "refusals", "saved ${0} (capped: a set never saves more than its cheapest item)"
    ),
    QT_TRANSLATE_NOOP(
        "refusals", "saved ${0} ({1} times) (capped: a set never saves more than its cheapest item)"
    ),
    QT_TRANSLATE_NOOP("refusals", "spend ${0} on what it covers; this basket has ${1} (${2} more)"),
    QT_TRANSLATE_NOOP("refusals", "{0} saves more and they do not combine"),
    QT_TRANSLATE_NOOP("refusals", "none of its items is in the basket"),
    QT_TRANSLATE_NOOP("refusals", "its items went to {0}, which saves the customer more"),
    QT_TRANSLATE_NOOP("refusals", "needs {0} of its items; the basket has {1}"),
    QT_TRANSLATE_NOOP("refusals", "needs {0} bought and {1} to get; the basket has {2}"),
    QT_TRANSLATE_NOOP("refusals", "the basket does not hold every item of the bundle"),
    QT_TRANSLATE_NOOP("refusals", "its items already sell at or below its price"),
    QT_TRANSLATE_NOOP("refusals", "starts {0} SGT"),
    QT_TRANSLATE_NOOP("refusals", "ended {0} SGT"),
    QT_TRANSLATE_NOOP("refusals", "runs on {0} only"),
    QT_TRANSLATE_NOOP("refusals", "runs {0}-{1} SGT only"),
    QT_TRANSLATE_NOOP(
        "refusals", "points can pay only for a member's sale: attach the member first"
    ),
    QT_TRANSLATE_NOOP("refusals", "${0} is not a whole number of points at ${1} a point"),
    QT_TRANSLATE_NOOP("refusals", "that line is not on {0}: pick the order again"),
    QT_TRANSLATE_NOOP("refusals", "nothing of {0} was counted in: scan what arrived"),
    QT_TRANSLATE_NOOP("refusals", "{0}: a delivery cannot be negative"),
    QT_TRANSLATE_NOOP(
        "refusals",
        "{0} is not on {1}: set it aside, and receive it without an order after saving this one",
    ),
    QT_TRANSLATE_NOOP(
        "refusals",
        "{0} holds {1} of {2}, which is not on {3}: set it aside, and receive it without an order after saving this one",
    ),
    QT_TRANSLATE_NOOP("refusals", "{0}: type how many cartons came (2), then scan the carton"),
    QT_TRANSLATE_NOOP("refusals", "a gift voucher is sold one at a time: scan each voucher"),
    QT_TRANSLATE_NOOP(
        "refusals",
        "{0} cannot be refunded or voided at the till: ask head office to void the voucher, then refund it from the office",
    ),
    QT_TRANSLATE_NOOP("refusals", "scan or type the gift voucher's serial number"),
    QT_TRANSLATE_NOOP("refusals", "gift voucher {0} is already in this sale"),
)
MESSAGES = [str(m) for m in _MARKED]

_FIELD = re.compile(r"\{(\d+)\}")


@cache
def _pattern(template: str) -> re.Pattern[str]:
    parts = _FIELD.split(template.replace("{{", "{").replace("}}", "}"))
    regex = "".join(
        f"(?P<v{part}>.+?)" if i % 2 else re.escape(part) for i, part in enumerate(parts)
    )
    first = parts[0][:1]
    if first.isalpha():  # "The receipt printer..." and "the receipt printer..." alike
        regex = f"[{first.lower()}{first.upper()}]" + regex[1:]
    return re.compile(regex, re.DOTALL)


def _value(text: str) -> str:
    # A value may be words of its own: a message ("voiding sale ..."), a field's name
    # ("e-mail") or a word the screens translate ("Card").
    words = translate_refusal(text)
    return translated(text) if words == text else words


def translate_refusal(message: str) -> str:
    """``message`` (a refusal's English words) in the screen language now in force."""
    # The entry that fits with the most words of its own: "saved ${0} ({1} times)" over
    # "saved ${0}", which would take "$2.80 (3 times)" for its amount.
    fits = [(t, m) for t in MESSAGES if (m := _pattern(t).fullmatch(message)) is not None]
    if not fits:
        return message
    template, found = max(fits, key=lambda fit: len(_FIELD.sub("", fit[0])))
    words = QCoreApplication.translate(CONTEXT, template)
    if words == template:
        return message
    count = len(set(_FIELD.findall(template)))
    return words.format(*(_value(found.group(f"v{i}")) for i in range(count)))
