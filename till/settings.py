"""The till app's settings: one typed object, loaded once at start-up from ``DIR/till.toml``.

Only what a cashier-facing app needs: the receipt printer, the paper width and the quick keys.
The sync agent's own settings live in ``DIR/sync-agent.toml`` (the installer writes both), so
the same file serves the in-app agent and the headless agent service.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shared.cart import PriceCeiling
from shared.config import ConfigError, SgposSettings
from shared.scale_barcode import Measure, ScaleBarcodeError, ScaleLayout
from till.printing import PrinterSettings
from till.sync.settings import AgentSettings

TILL_FILE = "till.toml"
AGENT_FILE = "sync-agent.toml"
MAX_QUICK_KEYS = 24  # a 6 x 4 grid still has touch-sized keys beside the cart

_S = TypeVar("_S", bound=SgposSettings)


class PriceCeilingSettings(BaseModel):
    """``[price_ceiling]``: the most a price override may set, even with a manager's PIN."""

    model_config = ConfigDict(extra="forbid", frozen=True)  # a misspelt key is refused

    times_list_price: Decimal = Field(default=Decimal(10), ge=1, le=1000)
    at_most: Decimal = Field(default=Decimal("5000.00"), gt=0, le=Decimal("99999.99"))

    def ceiling(self) -> PriceCeiling:
        return PriceCeiling(self.times_list_price, self.at_most.quantize(Decimal("0.01")))


class ScaleLabelSettings(BaseModel):
    """One ``[[scale_labels]]`` entry: how this shop's scales lay out labels with a prefix."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prefix: str = Field(pattern=r"^2[0-9]$")
    item_digits: int = Field(default=5, ge=1, le=6)
    measure: Measure = Measure.WEIGHT
    decimals: int = Field(default=3, ge=0, le=3)  # 3: grams of a kg; 2: cents of a dollar
    value_check_digit: bool = False

    @model_validator(mode="after")
    def _readable(self) -> ScaleLabelSettings:
        try:
            self.layout()
        except ScaleBarcodeError as exc:
            raise ValueError(str(exc)) from None
        return self

    def layout(self) -> ScaleLayout:
        return ScaleLayout(
            self.prefix, self.item_digits, self.measure, self.decimals, self.value_check_digit
        )


class CustomerDisplaySettings(BaseModel):
    """``[customer_display]``: the window the customer watches on a second screen."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # "auto": the first screen that is not the cashier's, and no display when there is only
    # one; "off": never; a number (1 = the first screen the system lists) or a screen's name
    # ("HDMI-2") picks one. A chosen screen that is not connected shows nothing and says so
    # in the log: the till sells as before.
    screen: Literal["auto", "off"] | int | str = "auto"
    # The shop's logo on the idle screen (PNG, JPEG or SVG), relative to the data folder;
    # without one the idle screen shows the outlet's name.
    logo: Path | None = None
    # How long "Thank you" stays up after a sale before the idle screen returns.
    thanks_seconds: int = Field(default=20, ge=1, le=600)

    @model_validator(mode="after")
    def _readable(self) -> CustomerDisplaySettings:
        if isinstance(self.screen, int) and self.screen < 1:
            raise ValueError('screen numbers start at 1 (or use "auto" or "off")')
        if isinstance(self.screen, str) and not self.screen.strip():
            raise ValueError('screen must be "auto", "off", a screen number or a screen name')
        return self


def _every_prefix_weighs() -> list[ScaleLabelSettings]:
    # The common default of shop scales: 2P IIIII WWWWW C, the weight in grams.
    return [ScaleLabelSettings(prefix=f"2{n}") for n in range(10)]


class TillSettings(SgposSettings):
    printer: PrinterSettings = Field(default_factory=PrinterSettings)
    price_ceiling: PriceCeilingSettings = Field(default_factory=PriceCeilingSettings)
    # GS1 variable-measure labels (prefixes 20-29) printed by the shop's scales.
    scale_labels: list[ScaleLabelSettings] = Field(
        default_factory=_every_prefix_weighs, max_length=10
    )
    # None: follow the printer's paper (58 mm rolls take 42 columns, 80 mm take 48).
    paper_columns: Literal[42, 48] | None = None
    # SKUs of the favourite items on the sell screen's quick keys, in order.
    quick_keys: list[str] = Field(default_factory=list, max_length=MAX_QUICK_KEYS)
    customer_display: CustomerDisplaySettings = Field(default_factory=CustomerDisplaySettings)
    # "light", or "high-contrast" for glare and for eyes that need more contrast.
    theme: Literal["light", "high-contrast"] = "light"
    log_level: str = "INFO"

    def scale_layouts(self) -> tuple[ScaleLayout, ...]:
        return tuple(entry.layout() for entry in self.scale_labels)

    @property
    def columns(self) -> Literal[42, 48]:
        return self.paper_columns or self.printer.columns

    @classmethod
    def for_till(cls, data_dir: Path) -> TillSettings:
        """The settings in ``data_dir/till.toml``, or the defaults when there is no file."""
        return _load(cls, data_dir / TILL_FILE)


def agent_settings(data_dir: Path) -> AgentSettings:
    """The sync agent's settings from ``data_dir/sync-agent.toml``, or its defaults."""
    return _load(AgentSettings, data_dir / AGENT_FILE)


def _load(kind: type[_S], path: Path) -> _S:
    try:
        return kind.load(path if path.is_file() else None)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"{path} has settings the till cannot use: {problems}") from None
