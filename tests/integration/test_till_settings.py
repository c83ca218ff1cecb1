"""The till app's settings file (DIR/till.toml) and the sync agent's (DIR/sync-agent.toml)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from installer.config_files import write_till_settings
from shared.cart import PriceCeiling
from shared.config import ConfigError
from shared.scale_barcode import Measure, ScaleLayout
from till.settings import TillSettings, agent_settings


def test_no_files_means_defaults(tmp_path: Path) -> None:
    settings = TillSettings.for_till(tmp_path)
    assert settings.printer.kind == "none"
    assert settings.columns == 48  # an 80 mm roll
    assert settings.quick_keys == []
    assert agent_settings(tmp_path).push_interval_s == 5.0


def test_printer_table_paper_and_quick_keys_are_read(tmp_path: Path) -> None:
    (tmp_path / "till.toml").write_text(
        'quick_keys = ["FRS-100015", "BEV-100001"]\n'
        "[printer]\n"
        'kind = "network"\nhost = "192.168.1.50"\npaper_mm = 58\n'
    )
    (tmp_path / "sync-agent.toml").write_text("push_interval_s = 2.5\n")
    settings = TillSettings.for_till(tmp_path)
    assert (settings.printer.kind, settings.printer.host) == ("network", "192.168.1.50")
    assert settings.columns == 42  # 58 mm paper, unless paper_columns says otherwise
    assert settings.quick_keys == ["FRS-100015", "BEV-100001"]
    assert agent_settings(tmp_path).push_interval_s == 2.5


def test_the_price_ceiling_is_read_from_its_table(tmp_path: Path) -> None:
    assert TillSettings.for_till(tmp_path).price_ceiling.ceiling() == PriceCeiling()
    (tmp_path / "till.toml").write_text("[price_ceiling]\ntimes_list_price = 3\nat_most = 800\n")
    ceiling = TillSettings.for_till(tmp_path).price_ceiling.ceiling()
    assert ceiling == PriceCeiling(Decimal(3), Decimal("800.00"))


def test_paper_columns_override_the_paper_width(tmp_path: Path) -> None:
    (tmp_path / "till.toml").write_text("paper_columns = 42\n[printer]\npaper_mm = 80\n")
    assert TillSettings.for_till(tmp_path).columns == 42


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[printer]\nkind = "network"\n', "a network printer needs host"),
        ("[printer]\nhots = 1\n", "printer.hots: Extra inputs are not permitted"),
        ("paper_columns = 40\n", "paper_columns"),
        ("printer = [", "is not valid TOML"),
    ],
)
def test_a_bad_file_is_refused_saying_which_and_why(tmp_path: Path, text: str, words: str) -> None:
    (tmp_path / "till.toml").write_text(text)
    with pytest.raises(ConfigError) as refused:
        TillSettings.for_till(tmp_path)
    assert str(tmp_path / "till.toml") in str(refused.value)
    assert words in str(refused.value)


def test_scale_labels_are_read_and_survive_the_installer_rewriting_the_file(
    tmp_path: Path,
) -> None:
    assert [x.prefix for x in TillSettings.for_till(tmp_path).scale_layouts()] == [
        f"2{n}" for n in range(10)
    ]
    (tmp_path / "till.toml").write_text(
        '[[scale_labels]]\nprefix = "21"\n\n'
        '[[scale_labels]]\nprefix = "22"\nitem_digits = 4\nmeasure = "price"\ndecimals = 2\n'
        "value_check_digit = true\n"
    )
    wanted = (
        ScaleLayout("21"),
        ScaleLayout("22", 4, Measure.PRICE, 2, value_check_digit=True),
    )
    assert TillSettings.for_till(tmp_path).scale_layouts() == wanted

    write_till_settings(tmp_path, ("192.168.1.9", 9100))

    assert TillSettings.for_till(tmp_path).scale_layouts() == wanted


def test_a_scale_layout_that_cannot_be_read_is_refused_at_start(tmp_path: Path) -> None:
    (tmp_path / "till.toml").write_text(
        '[[scale_labels]]\nprefix = "21"\nitem_digits = 3\nvalue_check_digit = true\n'
    )
    with pytest.raises(ConfigError, match="4- or 5-digit"):
        TillSettings.for_till(tmp_path)
