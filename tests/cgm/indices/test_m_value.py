"""M-value: hand calculation (Schlichtkrull 1965; r = 90 mg/dL as R iglu)."""

from __future__ import annotations

import pytest

from endolab.cgm.indices import m_value
from endolab.errors import InputError
from tests.cgm.indices.helpers import frame_of, value


def test_m_value_default_reference() -> None:
    # 90: |log10(1)|³ = 0; 180: log10 2 = 0.301030, ³ = 0.0272790 → ×1000 = 27.2790; mean 13.63950
    assert value(m_value(frame_of([90, 180])), "m_value") == pytest.approx(13.63950, rel=1e-5)


def test_m_value_reference_120() -> None:
    # 60 vs 120: log10(0.5) = −0.301030 → 27.2790; 120: 0 → mean 13.63950
    assert value(m_value(frame_of([60, 120]), r=120), "m_value") == pytest.approx(
        13.63950, rel=1e-5
    )


def test_bad_reference() -> None:
    with pytest.raises(InputError, match="r must be a positive glucose"):
        m_value(frame_of([90]), r=0)
