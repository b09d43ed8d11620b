"""exoderm.simulate — mechanistic models of exosome action on skin.

Models (ODE systems with documented equations, units and cited parameter tables):
wound healing (Waugh & Sherratt 2007 + wound area), photo-ageing dermis (a minimal
ROS/TNF-α/TGF-β/MMP-1/procollagen/collagen model), atopic dermatitis (Miyano 2021 QSP);
an exosome dose layer; calibration; virtual populations; SBML export. See
``docs/simulate.md``.
"""

from __future__ import annotations
