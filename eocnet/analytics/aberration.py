"""One name for every detection method and its settings.

The CLI, the per-disease signal settings and the pages all describe a method
the same way: its name (``ears-c1``, ``ears-c2``, ``ears-c3``,
``farrington-flexible``) and the options of R's ``control`` list that apply
to it, each defaulting to R's default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

import numpy as np

from eocnet.analytics.detection import Detection, FloatArray
from eocnet.analytics.ears import DEFAULT_ALPHA, ears
from eocnet.analytics.farrington import FarringtonOptions, farrington_flexible_many

MethodName = Literal["ears-c1", "ears-c2", "ears-c3", "farrington-flexible"]
METHODS: tuple[MethodName, ...] = ("ears-c1", "ears-c2", "ears-c3", "farrington-flexible")
EARS_OPTIONS = ("baseline", "alpha", "min_sigma")
FARRINGTON_OPTIONS = (
    "b",
    "w",
    "alpha",
    "no_periods",
    "past_weeks_not_included",
    "threshold_method",
)


@dataclass(frozen=True)
class AberrationMethod:
    """A method and the options given for it (None: R's default)."""

    name: MethodName = "farrington-flexible"
    baseline: int | None = None
    alpha: float | None = None
    min_sigma: float | None = None
    b: int | None = None
    w: int | None = None
    no_periods: int | None = None
    past_weeks_not_included: int | None = None
    threshold_method: Literal["delta", "nbPlugin", "muan"] | None = None

    def __post_init__(self) -> None:
        if self.name not in METHODS:
            raise ValueError(f"unknown method {self.name!r}; choose one of {', '.join(METHODS)}")
        allowed = EARS_OPTIONS if self.is_ears else FARRINGTON_OPTIONS
        given = [k for k, v in self.options().items() if v is not None and k not in allowed]
        if given:
            names = ", ".join("--" + k.replace("_", "-") for k in given)
            raise ValueError(f"{names} does not apply to {self.name}")
        if self.is_ears:
            ears(np.zeros(1), self._ears_name(), **self._ears_kwargs())  # validates
        else:
            self.farrington_options()

    @property
    def is_ears(self) -> bool:
        return self.name.startswith("ears")

    def options(self) -> dict[str, Any]:
        values = asdict(self)
        values.pop("name")
        return values

    def given(self) -> dict[str, Any]:
        """The options that differ from R's defaults, for display and storage."""
        return {k: v for k, v in self.options().items() if v is not None}

    def _ears_name(self) -> Literal["C1", "C2", "C3"]:
        return {"ears-c1": "C1", "ears-c2": "C2"}.get(self.name, "C3")  # type: ignore[return-value]

    def _ears_kwargs(self) -> dict[str, Any]:
        return {
            "baseline": 7 if self.baseline is None else self.baseline,
            "alpha": DEFAULT_ALPHA[self._ears_name()] if self.alpha is None else self.alpha,
            "min_sigma": 0.0 if self.min_sigma is None else self.min_sigma,
        }

    def settings(self) -> dict[str, Any]:
        """Every option of the method as it runs: the given ones, and R's
        default for the others (Farrington's past_weeks_not_included is w)."""
        if self.is_ears:
            return self._ears_kwargs()
        options = self.farrington_options()
        values = {k: getattr(options, k) for k in FARRINGTON_OPTIONS}
        values["past_weeks_not_included"] = options.excluded_weeks
        return values

    def farrington_options(self) -> FarringtonOptions:
        given = {
            k: v for k, v in self.options().items() if k in FARRINGTON_OPTIONS and v is not None
        }
        return FarringtonOptions(**given)

    def detect_many(
        self, series: Sequence[tuple[Sequence[date], FloatArray]], *, last: int | None = None
    ) -> list[Detection]:
        """Run the method on each weekly series (dates and counts, NaN for gaps);
        ``last`` limits Farrington's work to the last periods (EARS is cheap)."""
        if self.is_ears:
            kwargs = self._ears_kwargs()
            return [ears(counts, self._ears_name(), **kwargs) for _, counts in series]
        return farrington_flexible_many(series, self.farrington_options(), last=last)
