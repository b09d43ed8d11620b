"""Design: target-designed formulations, optimised under constraints, with compliant claims.

Public API::

    from exoderm.design import (formulate, FormulationRequest, FormulationResult,
                                Formulation, check_claim, ClaimVerdict, load_catalogue)

``formulate`` solves a mixed-integer linear programme (HiGHS via scipy) over the
ingredient catalogue; infeasible requests raise :class:`InfeasibleError` naming the
conflicting constraints. ``check_claim`` checks claim wording for a market and product
class. ``render_sheet`` writes the formulation sheet as JSON, Markdown or HTML. The
faces call :mod:`exoderm.design.service`, whose verbs take the caller's session and
actor and return these typed models.
"""

from exoderm.design.catalogue import Catalogue, Target, load_catalogue, read_ingredient_file
from exoderm.design.claims import EVIDENCE_LEVELS, ClaimVerdict, ClaimVerdictRead, check_claim
from exoderm.design.conflicts import Conflict, InfeasibleError
from exoderm.design.formulate import FormulationResult, formulate, generate_claims
from exoderm.design.formulation import Coverage, Formulation, Line, TargetResult
from exoderm.design.ingredient import Ingredient, Kind, Origin, ProductClass, Route
from exoderm.design.regulation import Status
from exoderm.design.request import FormulationRequest
from exoderm.design.sheet import (
    FormulationSheetRead,
    FormulationSheetsRead,
    SheetFormat,
    render_sheet,
)
from exoderm.markets import Market

__all__ = [
    "EVIDENCE_LEVELS",
    "Catalogue",
    "ClaimVerdict",
    "ClaimVerdictRead",
    "Conflict",
    "Coverage",
    "Formulation",
    "FormulationRequest",
    "FormulationResult",
    "FormulationSheetRead",
    "FormulationSheetsRead",
    "InfeasibleError",
    "Ingredient",
    "Kind",
    "Line",
    "Market",
    "Origin",
    "ProductClass",
    "Route",
    "SheetFormat",
    "Status",
    "Target",
    "TargetResult",
    "check_claim",
    "formulate",
    "generate_claims",
    "load_catalogue",
    "read_ingredient_file",
    "render_sheet",
]
