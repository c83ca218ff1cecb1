"""Every refusal the till's services, the cart's rules and the screens word for a cashier has an
entry in the catalogue the screens translate them through (``till/ui/refusals.py``), and every
entry has its Chinese; a message is put back together with its values in Chinese."""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from till.ui import language
from till.ui.refusals import MESSAGES, translate_refusal

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "till" / "ui" / "i18n" / "till_zh_CN.ts"
# Where the words a cashier may be refused with are written.
SOURCES = [
    *sorted((ROOT / "till" / "services").glob("*.py")),
    *sorted((ROOT / "till" / "ui").glob("*.py")),
    *(ROOT / name for name in ("shared/cart.py", "shared/tender.py", "shared/refund.py")),
    *(ROOT / name for name in ("shared/customers.py", "till/store/db.py", "till/store/uow.py")),
]
REFUSED_WITH = {
    "CashierError", "SaleError", "StockError", "CustomerDetailError", "QuantityError",
    "RefundError", "SignInError", "NotAnApprover", "NotSetUp", "SupportBundleError",
    "StoreError", "StoreBusy", "StoreFull", "ApprovalNeeded", "InsufficientTender",
    "UnknownBarcode", "UnknownReceipt", "WeightNeeded",
}  # fmt: skip


def _template(node: ast.expr) -> str | None:
    """The message with each value as {0}, {1}...: as the catalogue writes it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace("{", "{{").replace("}", "}}")
    if isinstance(node, ast.JoinedStr):
        parts, n = [], 0
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value).replace("{", "{{").replace("}", "}}"))
            else:
                parts.append(f"{{{n}}}")
                n += 1
        return "".join(parts)
    return None


def _raised() -> Iterator[tuple[str, str]]:
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", None)
            if name in REFUSED_WITH:
                arg = node.args[-1] if name == "ApprovalNeeded" else node.args[0]
            elif getattr(node.func, "attr", None) == "__init__" and "services" in path.parts:
                arg = node.args[0]  # super().__init__(...) of a refusal class
            else:
                continue
            template = _template(arg)
            if template and any(c.isalpha() for c in template):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", template


def test_every_refusal_has_an_entry() -> None:
    found = list(_raised())
    assert len(found) > 100  # the extraction works
    missing = [f"{where}: {text}" for where, text in found if text not in MESSAGES]
    assert not missing, "no entry in till/ui/refusals.py:\n" + "\n".join(missing)


def test_every_entry_is_translated() -> None:
    chinese = {
        message.findtext("source"): message.findtext("translation")
        for context in ET.parse(TS).getroot()  # noqa: S314 (our own file)
        if context.findtext("name") == "refusals"
        for message in context.iter("message")
    }
    field = re.compile(r"\{\d+\}")
    for template in MESSAGES:
        zh = chinese.get(template)
        assert zh, template
        used = set(field.findall(template))
        # Every value appears in the Chinese (the count of tries is the number alone).
        assert set(field.findall(zh)) == used or template.startswith("wrong PIN ("), template


@pytest.fixture
def in_chinese(qapp: object) -> Iterator[None]:
    language.set_language("zh_CN")
    try:
        yield
    finally:
        language.set_language(language.DEFAULT)


@pytest.mark.usefixtures("in_chinese")
def test_a_refusal_is_translated_with_its_values() -> None:
    assert translate_refusal("$5.00 is still due: take another payment before completing") == (
        "尚需支付 $5.00：请先收取其他付款再完成交易"
    )
    # A value that is itself a message, and a field's name, are translated too.
    detail = "changing the price of Milo 1kg from $12.00 to $9.00"
    assert translate_refusal(f"{detail}: a manager must approve with their PIN") == (
        "把 Milo 1kg 的价格从 $12.00 改为 $9.00：须由经理输入密码批准"
    )
    assert translate_refusal("the e-mail is too long (at most 254 characters)") == (
        "电邮太长（最多 254 个字符）"
    )
    # The entry with the most words of its own wins.
    assert translate_refusal("saved $2.80 (3 times)") == "节省 $2.80（3 次）"
    assert translate_refusal("saved $2.80") == "节省 $2.80"
    # Words no entry knows stay as they are.
    assert translate_refusal("something new went wrong") == "something new went wrong"


def test_in_english_a_refusal_is_left_as_it_is() -> None:
    text = "$5.00 is still due: take another payment before completing"
    assert translate_refusal(text) == text
