"""Seeded random meal scenarios (simglucose ``RandomScenario`` distribution by default).

Per day, six possible meals (breakfast, snack, lunch, snack, dinner, snack) eaten with probability
0.95 / 0.3 / 0.95 / 0.3 / 0.95 / 0.3 at times drawn from normal distributions (means 7, 9.5, 12, 15,
18, 21.5 h; SD 60/30/60/30/60/30 min) truncated to 5–9, 9–10, 10–14, 14–16, 16–20, 20–23 h, with
amounts N(45, 10), N(10, 5), N(70, 10), N(10, 5), N(80, 10), N(10, 5) g rounded to whole grams and
at least 0 — the distribution of simglucose 0.2.11 ``simglucose/simulation/scenario_gen.py``
(docs/methods/sim.md §1.1, §1.2 item 2) [V]. Draws come from a :class:`numpy.random.Generator`, so
the meals are not the same numbers as simglucose's (which uses ``RandomState``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import truncnorm

__all__ = ["SIMGLUCOSE_MEALS", "MealPlan", "random_meals"]

#: (probability, earliest [h], latest [h], mean time [h], SD [min], mean [g], SD [g]) per meal.
SIMGLUCOSE_MEALS: tuple[tuple[float, float, float, float, float, float, float], ...] = (
    (0.95, 5, 9, 7.0, 60, 45, 10),
    (0.30, 9, 10, 9.5, 30, 10, 5),
    (0.95, 10, 14, 12.0, 60, 70, 10),
    (0.30, 14, 16, 15.0, 30, 10, 5),
    (0.95, 16, 20, 18.0, 60, 80, 10),
    (0.30, 20, 23, 21.5, 30, 10, 5),
)


@dataclass(frozen=True)
class MealPlan:
    """Meals of ``n`` participants over ``days`` days.

    ``minute`` [min after midnight] and ``grams`` [g] have shape ``(n, days, 6)``; a meal not eaten
    has 0 grams.
    """

    minute: NDArray[np.int64]
    grams: NDArray[np.float64]


def random_meals(rng: np.random.Generator, n: int, days: int) -> MealPlan:
    """Draw a :class:`MealPlan` from the simglucose scenario distribution.

    >>> plan = random_meals(np.random.default_rng(1), 2, 3)
    >>> plan.grams.shape, bool((plan.minute >= 5 * 60).all() and (plan.minute <= 23 * 60).all())
    ((2, 3, 6), True)
    """
    table = np.array(SIMGLUCOSE_MEALS, dtype=np.float64)
    prob, lo, hi, mu, sd, g_mu, g_sd = table.T
    shape = (n, days, len(table))
    eaten = rng.random(shape) < prob
    a = (lo * 60 - mu * 60) / sd
    b = (hi * 60 - mu * 60) / sd
    times = truncnorm.rvs(a, b, loc=mu * 60, scale=sd, size=shape, random_state=rng)
    grams = np.maximum(np.round(rng.normal(g_mu, g_sd, size=shape)), 0.0)
    return MealPlan(
        minute=np.round(times).astype(np.int64),
        grams=np.where(eaten, grams, 0.0),
    )
