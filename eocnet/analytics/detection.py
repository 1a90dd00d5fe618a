"""What every aberration-detection method returns for one series."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Detection:
    """Per-period results, aligned with the input counts.

    ``threshold`` is the upper bound an observation must exceed to raise an
    alarm; ``alarm`` is 1.0, 0.0, or NaN. Each field is NaN where the method
    cannot compute (too little history, or a gap in the data it needs).
    ``note`` (one text per period, or empty) says where another method or
    fewer years than asked were used, and why a period has no result.
    """

    expected: FloatArray
    threshold: FloatArray
    alarm: FloatArray
    note: tuple[str, ...] = ()

    def note_at(self, i: int) -> str:
        return self.note[i] if self.note else ""

    @classmethod
    def empty(cls, n: int) -> Detection:
        return cls(np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan))
