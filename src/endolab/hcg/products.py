"""Product presets (docs/methods/hcg.md §1.3) and diluent types (docs/methods/hcg.md §1.2).

Presets fill in the vial strength, the label diluent volume, the vial capacity and the label's
beyond-use days (BUD). **Check your carton**: labels change and markets differ.

* ``pregnyl-us-10000``: Pregnyl US, 10,000 USP units; 1–10 mL of the supplied benzyl-alcohol solvent;
  refrigerate, stable 60 days [S1][S2][S3] [V].
* ``novarel-5000`` / ``novarel-10000``: Novarel, bacteriostatic water; label Table 1 gives 10 mL
  [D]; refrigerate, up to 30 days [S4][S5][S6] [V]. Capacity 10 mL inferred from Table 1 [D].
* ``generic-fk-10000``: Chorionic Gonadotropin for Injection USP (Fresenius Kabi, NDC 63323-030),
  10 mL bacteriostatic water [S7] [V]; the after-mixing storage period was **not captured**: no
  default BUD; the user must enter it (docs/methods/hcg.md §7 item 1, ``E_BUD_REQUIRED``).
* ``pregnyl-intl-1500`` / ``pregnyl-intl-5000``: UK/EU Pregnyl, 1 mL saline solvent, single-dose
  presentation, no BUD default [S8][S9] (wording [U], docs/methods/hcg.md §7 item 2).
* ``ovidrel-250mcg``: Ovidrel/Ovitrelle 250 µg in 0.5 mL prefilled syringe ≈ 6,500 IU
  [S10][S11][S12]: a contrast case, always rejected (``E_PREFILLED_SINGLE_USE``).
* ``custom``: everything user-supplied (e.g. compounded hCG with a pharmacy BUD).

``vial_capacity_ml = 10`` for the US presets is an assumption [A] (the US 10,000-unit kits use a
10 mL powder vial [S7] and labels top out at 10 mL of diluent); it is also the default when no
preset is given (:data:`DEFAULT_VIAL_CAPACITY_ML`).

>>> PRESETS["novarel-5000"].vial_iu, PRESETS["novarel-5000"].bud_days
(Fraction(5000, 1), 30)
>>> normalize_diluent("Sterile Water")
'sterile water'
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, Literal

from endolab.errors import ParseError

__all__ = [
    "CHECK_CARTON_NOTE",
    "DEFAULT_DILUENT",
    "DEFAULT_VIAL_CAPACITY_ML",
    "DILUENTS",
    "PRESERVATIVE_FREE_DILUENTS",
    "PRESETS",
    "Diluent",
    "Preset",
    "get_preset",
    "normalize_diluent",
]

Diluent = Literal["bacteriostatic water", "benzyl-alcohol solvent", "sterile water", "saline"]

#: Diluent types; the first two carry 0.9 % benzyl alcohol (multi-dose), the last two no
#: preservative (single use) [S15][S16][S17].
DILUENTS: Final[tuple[Diluent, ...]] = (
    "bacteriostatic water",
    "benzyl-alcohol solvent",
    "sterile water",
    "saline",
)
#: Preservative-free diluents: a label BUD is never applied to them (W_PRESERVATIVE_FREE_DILUENT).
PRESERVATIVE_FREE_DILUENTS: Final[frozenset[str]] = frozenset({"sterile water", "saline"})
#: Diluent when neither the user nor a preset names one [A]: bacteriostatic water, the diluent of
#: Novarel and the generic kit [S6][S7].
DEFAULT_DILUENT: Final[Diluent] = "bacteriostatic water"
#: Vial capacity when no preset gives one [mL] [A] (US kits: 10 mL powder vial [S7]).
DEFAULT_VIAL_CAPACITY_ML: Final = Fraction(10)

CHECK_CARTON_NOTE: Final = (
    "Check your carton: label facts differ by market and change; the preset is a convenience, "
    "not a substitute for the label."
)

_DILUENT_ALIASES: Final[Mapping[str, Diluent]] = types.MappingProxyType(
    {
        "bacteriostatic water": "bacteriostatic water",
        "bacteriostatic": "bacteriostatic water",
        "bac water": "bacteriostatic water",
        "bac": "bacteriostatic water",
        "bwfi": "bacteriostatic water",
        "benzyl-alcohol solvent": "benzyl-alcohol solvent",
        "benzyl alcohol solvent": "benzyl-alcohol solvent",
        "benzyl-alcohol": "benzyl-alcohol solvent",
        "solvent": "benzyl-alcohol solvent",
        "sterile water": "sterile water",
        "sterile": "sterile water",
        "sterile-water": "sterile water",
        "swfi": "sterile water",
        "water": "sterile water",
        "saline": "saline",
        "sodium chloride": "saline",
        "nacl": "saline",
        "normal saline": "saline",
    }
)


def normalize_diluent(name: str) -> Diluent:
    """Map a diluent name to one of :data:`DILUENTS`; an unknown name is a ParseError (exit 2)."""
    key = " ".join(str(name).strip().lower().replace("_", " ").split())
    found = _DILUENT_ALIASES.get(key) or _DILUENT_ALIASES.get(key.replace("-", " "))
    if found is None:
        raise ParseError(
            f"unknown diluent {name!r}; accepted: {', '.join(DILUENTS)}",
            field="diluent",
            value=name,
        )
    return found


@dataclass(frozen=True)
class Preset:
    """A product preset (docs/methods/hcg.md §1.3). ``None`` means "not known: the user must supply it"."""

    key: str
    product: str
    vial_iu: Fraction | None
    label_diluent_ml: Fraction | None
    diluent: Diluent | None
    bud_days: int | None
    vial_capacity_ml: Fraction | None
    source: str
    us_label: bool = False
    single_dose: bool = False
    prefilled: bool = False
    note: str = ""
    #: Prefilled products only (docs/methods/hcg.md §1.3 ``mcg``, ``volume_ml``): labelled mass [µg] and volume
    #: [mL]; ``vial_iu`` then holds the label's IU equivalent (``iu_equiv``).
    mcg: Fraction | None = None
    volume_ml: Fraction | None = None


def _f(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


#: The product presets of docs/methods/hcg.md §1.3.
PRESETS: Final[Mapping[str, Preset]] = types.MappingProxyType(
    {
        p.key: p
        for p in (
            Preset(
                "pregnyl-us-10000",
                "Pregnyl (US, Organon), chorionic gonadotropin for injection USP, 10,000 USP units",
                _f("10000"),
                _f("10"),
                "benzyl-alcohol solvent",
                60,
                _f("10"),
                "[S1][S2][S3] [V]; capacity 10 mL [A]",
                us_label=True,
                note="Label: add 1–10 mL of the supplied solvent; refrigerate, stable 60 days.",
            ),
            Preset(
                "novarel-5000",
                "Novarel (US, Ferring), 5,000 USP units",
                _f("5000"),
                _f("10"),
                "bacteriostatic water",
                30,
                _f("10"),
                "[S4][S5][S6] [V]; 10 mL from label Table 1 [D]; capacity 10 mL [D]",
                us_label=True,
                note="Refrigerate after mixing; use within 30 days (Ferring patient page).",
            ),
            Preset(
                "novarel-10000",
                "Novarel (US, Ferring), 10,000 USP units",
                _f("10000"),
                _f("10"),
                "bacteriostatic water",
                30,
                _f("10"),
                "[S4][S5][S6] [V]; 10 mL from label Table 1 [D]; capacity 10 mL [D]",
                us_label=True,
                note="Refrigerate after mixing; use within 30 days (Ferring patient page).",
            ),
            Preset(
                "generic-fk-10000",
                "Chorionic Gonadotropin for Injection USP (Fresenius Kabi, NDC 63323-030), "
                "10,000 USP units",
                _f("10000"),
                _f("10"),
                "bacteriostatic water",
                None,
                _f("10"),
                "[S7] [V] except storage; capacity 10 mL [A]",
                us_label=True,
                note="After-mixing storage not captured: enter the beyond-use days from your carton.",
            ),
            Preset(
                "pregnyl-intl-1500",
                "Pregnyl (UK/EU), 1,500 IU, single-dose, 1 mL saline solvent",
                _f("1500"),
                _f("1"),
                "saline",
                None,
                None,
                "[S8][S9] partly [V]",
                single_dose=True,
                note="Single-dose preparation: use promptly (exact wording [U]).",
            ),
            Preset(
                "pregnyl-intl-5000",
                "Pregnyl (UK/EU), 5,000 IU, single-dose, 1 mL saline solvent",
                _f("5000"),
                _f("1"),
                "saline",
                None,
                None,
                "[S8][S9] partly [V]",
                single_dose=True,
                note="Single-dose preparation: use promptly (exact wording [U]).",
            ),
            Preset(
                "ovidrel-250mcg",
                "Ovidrel/Ovitrelle (choriogonadotropin alfa), 250 µg in 0.5 mL prefilled syringe "
                "≈ 6,500 IU",
                _f("6500"),
                None,
                None,
                None,
                None,
                "[S10][S11][S12] [V]",
                prefilled=True,
                note="Ready-to-use single injection: not reconstituted, not split.",
                mcg=Fraction(250),
                volume_ml=Fraction(1, 2),
            ),
            Preset(
                "custom",
                "Custom / compounded hCG: every value user-supplied (pharmacy-assigned BUD)",
                None,
                None,
                None,
                None,
                None,
                "docs/methods/hcg.md §1.2 (compounded hCG)",
            ),
        )
    }
)


def get_preset(key: str | Preset | None) -> Preset | None:
    """Look a preset up by key; an unknown key raises ParseError listing the keys (exit 2)."""
    if key is None or isinstance(key, Preset):
        return key
    found = PRESETS.get(str(key).strip().lower())
    if found is None:
        raise ParseError(
            f"unknown preset {key!r}; accepted: {', '.join(PRESETS)}", field="preset", value=key
        )
    return found
