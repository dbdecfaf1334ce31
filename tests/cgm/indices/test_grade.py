"""GRADE and its shares: hand calculations (Hill 2007; R iglu 4.3.0 limits 80 / 70–140 / 140)."""

from __future__ import annotations

import pytest

from endolab.cgm.indices import grade, grade_parts
from endolab.cgm.indices.grade import grade_hill_2007
from tests.cgm.indices.helpers import frame_of, value

# GRADE(g) = 425·(log10(log10(g/18)) + 0.16)², g/18 in mmol/L:
# 90 mg/dL:  5 mmol/L; log10 5 = 0.6989700; log10(0.6989700) = −0.1555415; +0.16 = 0.0044585;
#            ² = 1.98786e−5; ×425 = 0.0084484 (near the zero of GRADE: ill-conditioned, abs tol 1e-6)
# 180 mg/dL: 10 mmol/L; log10 = 1; log10(1) = 0; +0.16 → 0.0256 × 425 = 10.88
# 400 mg/dL: 22.2222; log10 = 1.3467875; log10 = 0.1292991; +0.16 = 0.2892991; ² = 0.0836940;
#            ×425 = 35.56993
G90, G180, G400 = 0.0084484, 10.88, 35.56993


def test_per_reading_scores() -> None:
    import numpy as np

    got = grade_hill_2007(np.array([90.0, 180.0, 400.0]))
    assert got[0] == pytest.approx(G90, abs=1e-6)
    assert got[1:] == pytest.approx([G180, G400], rel=1e-5)


def test_cap_at_50() -> None:
    import numpy as np

    # 20 mg/dL: 1.1111 mmol/L; log10 = 0.045757; log10 = −1.339544; +0.16 → 1.391325 × 425 = 591.3 → 50
    assert float(grade_hill_2007(np.array([20.0]))[0]) == 50.0


def test_grade_mean() -> None:
    # (0.0084484 + 10.88 + 35.56993) / 3 = 15.48613
    assert value(grade(frame_of([90, 180, 400])), "grade") == pytest.approx(15.48613, rel=1e-6)


def test_grade_parts() -> None:
    out = grade_parts(frame_of([75, 90, 180, 400]))
    # 75 mg/dL: 4.16667 mmol/L; log10 = 0.6197888; log10 = −0.2077563; +0.16 = −0.0477563;
    #           ² = 0.00228066; ×425 = 0.969282
    g75 = 0.969282
    total = g75 + G90 + G180 + G400  # 47.42771
    # hypo (< 80): 75 only; eu (70–140 inclusive): 75 and 90; hyper (> 140): 180 and 400
    assert value(out, "grade_hypo") == pytest.approx(100 * g75 / total, rel=1e-5)  # 2.04371 %
    assert value(out, "grade_eu") == pytest.approx(100 * (g75 + G90) / total, rel=1e-4)
    assert value(out, "grade_hyper") == pytest.approx(100 * (G180 + G400) / total, rel=1e-4)


def test_boundaries_140_is_eu_not_hyper() -> None:
    out = grade_parts(frame_of([140, 140]))
    assert value(out, "grade_eu") == pytest.approx(100.0)
    assert value(out, "grade_hyper") == pytest.approx(0.0)
