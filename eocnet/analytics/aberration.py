"""One name for every detection method and its settings.

The CLI, the per-disease signal settings and the pages all describe a method
the same way: its name (``ears-c1``, ``ears-c2``, ``ears-c3``,
``farrington-flexible``) and the options of R's ``control`` list that apply
to it, each defaulting to R's default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any, Literal

import numpy as np

from eocnet.analytics.detection import Detection, FloatArray
from eocnet.analytics.ears import DEFAULT_ALPHA, HISTORY, ears
from eocnet.analytics.farrington import FarringtonOptions, farrington_flexible_many

MethodName = Literal["ears-c1", "ears-c2", "ears-c3", "farrington-flexible"]
PresetName = Literal["r-default", "noufaily"]
PRESETS: tuple[PresetName, ...] = ("r-default", "noufaily")
#: Noufaily et al. (2013) as Salmon, Schumacher & Höhle (2016), section 3.1
#: (``con.noufaily``): ten blocks a year, the last 26 weeks left out, the
#: negative-binomial quantile, the trend kept whenever it does not
#: extrapolate beyond the data (pThresholdTrend = 1), and all past years.
NOUFAILY: dict[str, Any] = {
    "no_periods": 10,
    "past_weeks_not_included": 26,
    "threshold_method": "nbPlugin",
    "p_threshold_trend": 1.0,
}
FALLBACK_METHOD: Literal["C3"] = "C3"
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
    preset: PresetName | None = None

    def __post_init__(self) -> None:
        if self.name not in METHODS:
            raise ValueError(f"unknown method {self.name!r}; choose one of {', '.join(METHODS)}")
        if self.preset is not None and self.preset not in PRESETS:
            raise ValueError(f"unknown preset {self.preset!r}; choose one of {', '.join(PRESETS)}")
        if self.preset == "noufaily":
            if self.is_ears:
                raise ValueError("the noufaily preset is for farrington-flexible")
            clash = [k for k in NOUFAILY if self.options().get(k) is not None]
            if clash or self.b is not None:
                names = ", ".join(
                    "--" + k.replace("_", "-")
                    for k in [*clash, *(["b"] if self.b is not None else [])]
                )
                raise ValueError(f"{names} cannot be changed with the noufaily preset")
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
        values.pop("preset")
        return values

    def label(self) -> str:
        """The method as people name it: ``farrington-flexible (noufaily)``."""
        return f"{self.name} ({self.preset})" if self.preset else self.name

    @property
    def all_years(self) -> bool:
        """Farrington on every past year the series holds (the noufaily preset)."""
        return self.preset == "noufaily"

    def given(self) -> dict[str, Any]:
        """The options that differ from R's defaults, for display and storage."""
        given = {k: v for k, v in self.options().items() if v is not None}
        return given | ({"preset": self.preset} if self.preset else {})

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
        if self.all_years:
            values["b"] = "all past years"
            values["p_threshold_trend"] = options.p_threshold_trend
        return values

    def farrington_options(self) -> FarringtonOptions:
        given = {
            k: v for k, v in self.options().items() if k in FARRINGTON_OPTIONS and v is not None
        }
        if self.preset == "noufaily":
            given |= NOUFAILY
        return FarringtonOptions(**given)

    def detect_many(
        self,
        series: Sequence[tuple[Sequence[date], FloatArray]],
        *,
        last: int | None = None,
        fallback: bool = False,
    ) -> list[Detection]:
        """Run the method on each weekly series (dates and counts, NaN for gaps);
        ``last`` limits Farrington's work to the last periods (EARS is cheap).

        Farrington needs ``52·b + w`` earlier weeks. With ``fallback``, a
        period with fewer years uses as many whole years as it has (at least
        one), and a period with less than a year uses EARS C3 with R's
        defaults; each such period says so in ``note``. Without it, those
        periods have no result (R's behaviour), and ``note`` says why."""
        if self.is_ears:
            kwargs = self._ears_kwargs()
            first = kwargs["baseline"] + HISTORY[self._ears_name()]
            why = f"too little history: EARS {self._ears_name()} needs {first} earlier periods"
            return [
                replace(
                    ears(counts, self._ears_name(), **kwargs),
                    note=tuple(why if i < first else "" for i in range(len(dates))),
                )
                for dates, counts in series
            ]
        options = self.farrington_options()
        if not (fallback or self.all_years):
            results = farrington_flexible_many(series, options, last=last)
            return [
                self._explain(r, len(d), options, last)
                for r, (d, _) in zip(results, series, strict=True)
            ]
        return [self._by_years(d, c, options, last, fallback) for d, c in series]

    def _explain(
        self, result: Detection, n: int, options: FarringtonOptions, last: int | None
    ) -> Detection:
        first = options.first_period
        wanted = 0 if last is None else max(0, n - last)
        note = tuple(
            _too_short(options.b, options.w) if wanted <= i < first else "" for i in range(n)
        )
        return replace(result, note=note)

    def _by_years(
        self,
        dates: Sequence[date],
        counts: FloatArray,
        options: FarringtonOptions,
        last: int | None,
        fallback: bool,
    ) -> Detection:
        """Each period with its own number of past years: all it has (the
        noufaily preset), or up to ``b`` (fewer when it has fewer)."""
        n = len(dates)
        y = np.asarray(counts, dtype=float)
        out = Detection.empty(n)
        notes = [""] * n
        wanted = 0 if last is None else max(0, n - last)
        w = options.w
        most = max(0, (n - 1 - w) // 52)
        top = most if self.all_years else min(options.b, most)
        for years in range(top, 0, -1):
            lo = 52 * years + w
            hi = n if years == top else min(n, 52 * (years + 1) + w)
            if hi <= max(lo, wanted):
                continue
            # a period depends only on its own past, so the series is cut after hi
            got = farrington_flexible_many(
                [(dates[:hi], y[:hi])], replace(options, b=years), last=hi - max(lo, wanted)
            )[0]
            span = slice(max(lo, wanted), hi)
            out.expected[span] = got.expected[span]
            out.threshold[span] = got.threshold[span]
            out.alarm[span] = got.alarm[span]
            if not self.all_years and years < options.b:
                for i in range(span.start, span.stop):
                    notes[i] = f"fewer years: Farrington with b={years}, not {options.b}"
            elif self.all_years:
                for i in range(span.start, span.stop):
                    notes[i] = f"Farrington with all {years} past years"
        short = min(n, 52 + w)
        if wanted < short:
            if fallback:
                got = ears(y[:short], FALLBACK_METHOD)
                span = slice(wanted, short)
                out.expected[span] = got.expected[span]
                out.threshold[span] = got.threshold[span]
                out.alarm[span] = got.alarm[span]
                for i in range(wanted, short):
                    notes[i] = (
                        "less than a year of history: EARS C3 (R's defaults)"
                        if not np.isnan(got.threshold[i])
                        else "too little history, even for EARS C3"
                    )
            else:
                for i in range(wanted, short):
                    notes[i] = _too_short(1, w)
        return replace(out, note=tuple(notes))


@dataclass(frozen=True)
class AlarmRate:
    """Alarms per 100 series-weeks that have a threshold: on a history
    without outbreaks, the method's expected false-alarm rate."""

    alarms: int
    weeks: int

    @property
    def per_100(self) -> float:
        return 100 * self.alarms / self.weeks if self.weeks else 0.0


def alarm_rate(results: Sequence[Detection]) -> AlarmRate:
    alarms = sum(int(np.nansum(r.alarm == 1.0)) for r in results)
    weeks = sum(int(np.sum(~np.isnan(r.threshold))) for r in results)
    return AlarmRate(alarms, weeks)


def _too_short(b: int, w: int) -> str:
    return f"too little history: Farrington needs {52 * b + w} earlier weeks (b={b}, w={w})"
