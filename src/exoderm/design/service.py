"""The design verbs every face calls: formulate, sheets, catalogue, targets, claims, import.

Every function takes the caller's ``session`` and ``actor``. Design data is shared
catalogue data, not organisation data: the packaged catalogue ships with exoderm and
the ``design_ingredient`` table has no organisation column, so every authenticated
actor reads the same catalogue and no organisation fence applies. Changing the
catalogue is reserved to :data:`~exoderm.design.repository.CATALOGUE_EDITORS`
(admin, scientist); the change is audited.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.design import repository
from exoderm.design.annex_limits import Route as AnnexRoute
from exoderm.design.catalogue import Catalogue, Target, load_catalogue
from exoderm.design.claims import ClaimVerdictRead
from exoderm.design.claims import check_claim as _check_claim
from exoderm.design.claims import check_identity as _check_identity
from exoderm.design.claims import check_label as _check_label
from exoderm.design.claims.identity import IdentityFindingRead
from exoderm.design.claims.label import LabelReportRead
from exoderm.design.claims.report import LabelDossierRead
from exoderm.design.claims.report import label_dossier as _label_dossier
from exoderm.design.claims.report import render_dossier as _render_dossier
from exoderm.design.evidence_link import knowledge_base
from exoderm.design.formula_check import FormulaCheckRead
from exoderm.design.formula_check import check_formula as _check_formula
from exoderm.design.formula_file import FormulaFile
from exoderm.design.formulary import load_formulary
from exoderm.design.formulate import FormulationResult
from exoderm.design.formulate import formulate as _formulate
from exoderm.design.formulation import Formulation
from exoderm.design.improve import ImprovementRead
from exoderm.design.improve import improve_formula as _improve_formula
from exoderm.design.ingredient import Ingredient, Kind, Origin, ProductClass
from exoderm.design.inventory import InventoryEntry, InventoryStats
from exoderm.design.inventory import inventory_entry as _inventory_entry
from exoderm.design.inventory import inventory_stats as _inventory_stats
from exoderm.design.raw_materials import RawMaterialList
from exoderm.design.regulation import status
from exoderm.design.request import FormulationRequest
from exoderm.design.sheet import FormulationSheetsRead, SheetFormat, render_sheet, sheet
from exoderm.design.skeletons import Skeleton, skeletons
from exoderm.evidence.rwe import RealWorldClaimRead
from exoderm.evidence.rwe import stored as stored_real_world
from exoderm.evidence.service import knowledge_base as evidence_graph
from exoderm.markets import Market
from exoderm.simulate.expectation import ExpectedOutcome, expected_outcomes
from exoderm.storage.paging import FIRST_PAGE, Page, PageQuery, page_of_list


class IngredientRead(BaseModel):
    """One catalogue ingredient as a list shows it (``status`` when a market is asked)."""

    key: str
    name: str
    inci: str
    kind: str
    origin: str
    role: str
    vegan: bool
    cost_tier: int
    targets: list[str]
    source: str
    status: str | None = None


class RegulatoryStatusRead(BaseModel):
    """An ingredient's status in one market and product class, and its legal basis."""

    market: str
    product_class: str
    status: str
    basis: str


def _catalogue(session: Session) -> Catalogue:
    return load_catalogue(session)


def formulate(
    session: Session,
    actor: Actor,
    request: FormulationRequest,
    *,
    use_knowledge_base: bool = True,
    raw_materials: RawMaterialList | None = None,
) -> FormulationResult:
    """The optimal formulation for ``request`` and up to ``request.top - 1`` alternatives.

    Parameters
    ----------
    session : Session
        Reads the imported catalogue ingredients and the imported evidence claims.
    actor : Actor
        Who asks; any authenticated actor may design (catalogue data is shared).
    request : FormulationRequest
        Targets with weights and the constraints (market, class, route, exclusions...).
    use_knowledge_base : bool
        Score evidence from the knowledge graph (default) or from the catalogue only.
    raw_materials : RawMaterialList, optional
        The user's raw materials: the formula is built from them (blends expanded into
        INCI names) and priced per kg.

    Returns
    -------
    FormulationResult
        ``best`` (proven optimal unless the time limit stopped the solver) and
        ``alternatives``, each a typed :class:`~exoderm.design.formulation.Formulation`.

    Raises
    ------
    InfeasibleError
        No formulation satisfies the constraints; names the conflicting ones.

    References
    ----------
    .. [1] Huangfu, Q. & Hall, J. A. J. (2018). Parallelizing the dual revised simplex
       method. Mathematical Programming Computation 10, 119-142.
       doi:10.1007/s12532-017-0130-5 (HiGHS, the MILP solver).
    .. [2] Regulation (EC) No 1223/2009 on cosmetic products, Art. 19(1)(g) (INCI list
       in descending order of weight) and Annex II (prohibited substances).

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     result = formulate(s, local_operator(),
    ...                        FormulationRequest(targets={"hydration": 1}, market="UK"),
    ...                        use_knowledge_base=False)
    >>> result.best.market, result.best.inci_list[0]
    ('UK', 'Aqua')
    """
    catalogue = _catalogue(session)
    kb = knowledge_base(session) if use_knowledge_base else None
    result = _formulate(
        request,
        catalogue=catalogue,
        kb=kb,
        use_knowledge_base=use_knowledge_base,
        raw_materials=raw_materials,
    )
    result.real_world = _real_world(session, result, catalogue)
    return result


def _real_world(
    session: Session, result: FormulationResult, catalogue: Catalogue
) -> list[RealWorldClaimRead]:
    """Stored clinic-registry claims about the EV sources of any formulation in ``result``."""
    kb = knowledge_base(session)
    nodes: list[str] = []
    for formulation in result.all:
        for line in formulation.lines:
            if line.kind != "ev_source" or line.key is None:
                continue
            ingredient = catalogue.get(line.key)
            for name in (ingredient.kg_node, ingredient.key):
                if name and kb.has_node(name) and name not in nodes:
                    nodes.append(name)
                    break
    return [claim for node in nodes for claim in stored_real_world(session, exposure=node)]


def predictions(formulation: Formulation) -> list[ExpectedOutcome]:
    """The simulator's expected outcome of a formulation (a labelled model prediction).

    Parameters
    ----------
    formulation : Formulation
        A formulation from :func:`formulate`.

    Returns
    -------
    list of ExpectedOutcome
        One per model the formulation's EV sources and targets select (or why none).

    References
    ----------
    .. [1] Yanuar, R. et al. (2023). Journal of Applied Pharmaceutical Science 13(2)
       (the 4-week topical design the simulated schedule follows).
       doi:10.7324/JAPS.2023.130214

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     best = formulate(s, local_operator(), FormulationRequest(targets={"wrinkles": 1}),
    ...                      use_knowledge_base=False).best
    >>> all("model prediction" in p.label for p in predictions(best))
    True
    """
    return expected_outcomes(formulation)


def formulation_sheets(
    result: FormulationResult, *, simulate: bool = False
) -> FormulationSheetsRead:
    """The typed formulation sheets of a result (what the API returns).

    Parameters
    ----------
    result : FormulationResult
        From :func:`formulate`.
    simulate : bool
        Add the simulator's expected effects to every sheet.

    Returns
    -------
    FormulationSheetsRead
        ``best`` and ``alternatives`` as :class:`~exoderm.design.sheet.FormulationSheetRead`.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009, Art. 19(1)(g) (the INCI list, in descending
       order of weight at the time it is added).
    .. [2] Commission Regulation (EU) No 655/2013, Annex (common criteria for claims).

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     result = formulate(s, local_operator(), FormulationRequest(targets={"hydration": 1}),
    ...                        use_knowledge_base=False)
    >>> sheets = formulation_sheets(result)
    >>> sheets.best.inci_list == [ln.inci for ln in sheets.best.ingredients]
    True
    """

    def one(f: Formulation) -> Sequence[ExpectedOutcome] | None:
        return predictions(f) if simulate else None

    return FormulationSheetsRead(
        best=sheet(result.best, one(result.best)),
        alternatives=[sheet(f, one(f)) for f in result.alternatives],
    )


def render_formulation(
    formulation: Formulation, fmt: SheetFormat = "markdown", *, simulate: bool = False
) -> str:
    """The formulation sheet as Markdown, HTML or JSON text.

    Parameters
    ----------
    formulation : Formulation
        From :func:`formulate`.
    fmt : {"markdown", "html", "json"}
        The layout.
    simulate : bool
        Add the "Expected effects (model)" section.

    Returns
    -------
    str
        The sheet; HTML is autoescaped.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009, Art. 19(1)(g) (INCI list order).
    .. [2] OWASP ASVS 5.0, V1.2 (output encoding: contextual escaping of HTML).

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     best = formulate(s, local_operator(), FormulationRequest(targets={"hydration": 1}),
    ...                      use_knowledge_base=False).best
    >>> render_formulation(best, "markdown").startswith("# Formulation 1")
    True
    """
    return render_sheet(formulation, fmt, expected=predictions(formulation) if simulate else None)


def catalogue(
    session: Session,
    actor: Actor,
    *,
    kind: Kind | None = None,
    origin: Origin | None = None,
    market: Market | None = None,
    product_class: ProductClass = ProductClass.cosmetic,
    page: PageQuery = FIRST_PAGE,
) -> Page[IngredientRead]:
    """The ingredient catalogue (packaged and imported), filtered, sorted by key, paged.

    Parameters
    ----------
    session : Session
        Reads the imported ingredients.
    actor : Actor
        Who asks; the catalogue is shared data.
    kind, origin : optional
        Keep only ingredients of this kind / origin.
    market : Market, optional
        Add each ingredient's regulatory status in this market for ``product_class``.
    product_class : ProductClass
        The class the status is for.
    page : PageQuery
        Limit and offset.

    Returns
    -------
    Page of IngredientRead

    References
    ----------
    .. [1] European Commission. CosIng, the database of cosmetic ingredients, and
       Regulation (EC) No 1223/2009 Annexes II-VI.

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     found = catalogue(s, local_operator(), kind=Kind.ev_source, market=Market.UK)
    >>> found.total > 0 and all(i.kind == "ev_source" and i.status for i in found.items)
    True
    """
    cat = _catalogue(session)
    chosen = [
        i
        for i in sorted(cat, key=lambda i: i.key)
        if (kind is None or i.kind is kind) and (origin is None or i.origin is origin)
    ]
    rows, total = page_of_list(chosen, page)
    items = [_ingredient_row(i, cat, market, product_class) for i in rows]
    return Page[IngredientRead](items=items, total=total, limit=page.limit, offset=page.offset)


def _ingredient_row(
    item: Ingredient, cat: Catalogue, market: Market | None, product_class: ProductClass
) -> IngredientRead:
    return IngredientRead(
        key=item.key,
        name=item.name,
        inci=item.inci,
        kind=item.kind.value,
        origin=item.origin.value,
        role=item.role,
        vegan=item.vegan,
        cost_tier=item.cost_tier,
        targets=[e.target for e in item.effects],
        source="imported" if item.key in cat.imported else "packaged",
        status=status(item, market, product_class).status.value if market else None,
    )


def ingredient(session: Session, actor: Actor, key: str) -> Ingredient:
    """One catalogue ingredient by key (an unknown key is "not found", with suggestions).

    Parameters
    ----------
    session : Session
        Reads the imported ingredients.
    actor : Actor
        Who asks; the catalogue is shared data.
    key : str
        The ingredient key.

    Returns
    -------
    Ingredient

    Raises
    ------
    NotFoundError
        No such key.

    References
    ----------
    .. [1] European Commission. CosIng, the database of cosmetic ingredients (INCI names).

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     ingredient(s, local_operator(), "niacinamide").inci
    'Niacinamide'
    """
    return _catalogue(session).get(key)


def regulatory_statuses(ingredient: Ingredient) -> list[RegulatoryStatusRead]:
    """An ingredient's status in every market and product class, with the legal basis.

    Parameters
    ----------
    ingredient : Ingredient
        A catalogue ingredient.

    Returns
    -------
    list of RegulatoryStatusRead
        One per market and class.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009, Annex II entry 416, and the same as retained in
       UK law (SI 2019/696, Schedule 34).
    .. [2] US FDA. Public Safety Notification on Exosome Products, 6 December 2019.

    Examples
    --------
    >>> from exoderm.design.catalogue import packaged_catalogue
    >>> human = next(i for i in packaged_catalogue() if i.origin.value == "human")
    >>> [r.status for r in regulatory_statuses(human)
    ...  if r.market in ("EU", "UK") and r.product_class == "cosmetic"]
    ['prohibited', 'prohibited']
    """
    out = []
    for m in Market:
        for c in ProductClass:
            v = status(ingredient, m, c)
            out.append(
                RegulatoryStatusRead(
                    market=m.value, product_class=c.value, status=v.status.value, basis=v.basis
                )
            )
    return out


def targets(session: Session, actor: Actor) -> list[Target]:
    """The targets (dermal effects and skin concerns) a formulation can aim at.

    Parameters
    ----------
    session : Session
        The caller's session (the targets are packaged data).
    actor : Actor
        Who asks.

    Returns
    -------
    list of Target

    References
    ----------
    .. [1] Krutmann, J. et al. (2017). The skin aging exposome. Journal of Dermatological
       Science 85(3), 152-161. doi:10.1016/j.jdermsci.2016.09.015

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     "collagen" in {t.id for t in targets(s, local_operator())}
    True
    """
    return list(_catalogue(session).targets.values())


def check_claim(
    session: Session,
    actor: Actor,
    text: str,
    *,
    market: Market | str = Market.EU,
    product_class: ProductClass | str = ProductClass.cosmetic,
    evidence_level: str | None = None,
    cites: Sequence[str] = (),
) -> ClaimVerdictRead:
    """Check claim wording for a market and product class; a rejection gives a rewording.

    Parameters
    ----------
    session : Session
        The caller's session (the rules are packaged data; cited evidence is read from
        the evidence graph in force in this database).
    actor : Actor
        Who asks (must be allowed to read the evidence graph when evidence is cited).
    text : str
        The claim.
    market : Market
        Where the product is supplied (the UK applies the retained EU rules and CAP Code).
    product_class : ProductClass
        cosmetic, medical-device or drug.
    evidence_level : str, optional
        The best substantiation held (one of ``EVIDENCE_LEVELS``), as asserted.
    cites : sequence of str
        The evidence behind the claim: evidence-claim ids, ``doi:...`` or ``pmid:...``
        of references in the graph. When any is found, the level it reaches replaces
        ``evidence_level`` (``evidence_source`` "graph").

    Returns
    -------
    ClaimVerdictRead
        Accepted or not, the reason, the legal basis and a checked rewording; with
        ``cites``, ``substantiation_check`` holds each cited item as the graph has it and
        the six common criteria of Reg. (EU) 655/2013.

    References
    ----------
    .. [1] Commission Regulation (EU) No 655/2013 (common criteria for cosmetic claims),
       also as retained in UK law.
    .. [2] Committee of Advertising Practice. UK Code of Non-broadcast Advertising
       (CAP Code), section 12 "Medicines, medical devices, health-related products and
       beauty products".
    .. [3] Federal Food, Drug, and Cosmetic Act §201(g)(1), (i); 21 U.S.C. 321.
    .. [4] European Commission (2017). Technical document on cosmetic claims (3 July
       2017), Annex I (the common criteria).

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     v = check_claim(s, local_operator(), "with human stem cell exosomes", market="UK")
    ...     w = check_claim(s, local_operator(), "visibly reduces the appearance of wrinkles",
    ...                     cites=["lit-park2023-wrinkles"])
    >>> v.accepted, v.rule_id, w.evidence_source, w.substantiation_check.meets
    (False, 'human-exosome', 'graph', True)
    """
    graph = evidence_graph(session, actor) if cites else None
    return _check_claim(
        text, str(market), str(product_class), evidence_level, cites=cites, graph=graph
    )


def check_label(
    session: Session,
    actor: Actor,
    text: str,
    *,
    markets: Sequence[Market | str],
    product_class: ProductClass | str = ProductClass.cosmetic,
    inci: Sequence[str] | str | None = None,
    cites: Sequence[str] = (),
) -> LabelReportRead:
    """Check a whole label: a verdict per sentence and market, and the INCI identity.

    Parameters
    ----------
    session : Session
        The caller's session (the rules are packaged data).
    actor : Actor
        Who asks.
    text : str
        The label or product page; a line "Ingredients: ..." is read as the INCI list.
    markets : sequence of Market
        Where the product is supplied (at least one).
    product_class : ProductClass
        cosmetic, medical-device or drug.
    inci : sequence of str or str, optional
        The INCI list when it is not on the label.
    cites : sequence of str
        Evidence behind the label's claims (evidence-claim ids, ``doi:...``,
        ``pmid:...``), resolved in the graph for every sentence (see :func:`check_claim`).

    Returns
    -------
    LabelReportRead
        Sentences with their verdicts (rule, reason, checked rewording) and identity
        findings per market.

    References
    ----------
    .. [1] Commission Regulation (EU) No 655/2013 (common criteria for cosmetic claims).
    .. [2] Federal Food, Drug, and Cosmetic Act §201(g)(1), (i); 21 U.S.C. 321.
    .. [3] US FDA (2019). Public Safety Notification on Exosome Products, 6 Dec 2019.

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     r = check_label(s, local_operator(), "Hydrates. Works without injections.",
    ...                     markets=["US", "EU"])
    >>> [x.accepted for x in r.sentences], r.accepted
    ([True, False], False)
    """
    items = inci if isinstance(inci, str) or inci is None else list(inci)
    graph = evidence_graph(session, actor) if cites else None
    return _check_label(
        text, [str(m) for m in markets], str(product_class), items, cites=cites, graph=graph
    )


def label_report(
    session: Session,
    actor: Actor,
    text: str,
    *,
    markets: Sequence[Market | str],
    product_class: ProductClass | str = ProductClass.cosmetic,
    inci: Sequence[str] | str | None = None,
    title: str = "",
    cites: Sequence[str] = (),
) -> LabelDossierRead:
    """Check a whole label for a regulatory file: the label check with its title, date,
    checker version and the checker's held-out corpus scores for the markets checked.

    Parameters
    ----------
    session : Session
        The caller's session (the rules and corpus are packaged data).
    actor : Actor
        Who asks.
    text : str
        The label or product page; a line "Ingredients: ..." is read as the INCI list.
    markets : sequence of Market
        Where the product is supplied (at least one).
    product_class : ProductClass
        cosmetic, medical-device or drug.
    inci : sequence of str or str, optional
        The INCI list when it is not on the label.
    title : str
        The document title (default "Label claims check"; at most 200 characters).
    cites : sequence of str
        Evidence behind the label's claims, resolved in the graph (see
        :func:`check_claim`); the report then shows the common-criteria checklist.

    Returns
    -------
    LabelDossierRead
        The label report (verdict per sentence and market, rule, rewording, identity
        findings), dated today (UTC), with the held-out precision and recall per market.

    References
    ----------
    .. [1] Commission Regulation (EU) No 655/2013 (common criteria for cosmetic claims),
       Annex, criterion 3 (evidential support: claims substantiated by adequate evidence).
    .. [2] Sokolova, M. & Lapalme, G. (2009). A systematic analysis of performance
       measures for classification tasks. Information Processing & Management 45(4),
       427-437. doi:10.1016/j.ipm.2009.03.002

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     d = label_report(s, local_operator(), "Hydrates. Cures acne.", markets=["US"])
    >>> [x.accepted for x in d.report.sentences], [x.market for x in d.scores]
    ([True, False], ['US'])
    """
    report = check_label(
        session,
        actor,
        text,
        markets=markets,
        product_class=product_class,
        inci=inci,
        cites=cites,
    )
    return _label_dossier(report, title=title)


def render_label_report(dossier: LabelDossierRead, fmt: str = "pdf") -> bytes:
    """The label check as an HTML page or a PDF for a regulatory file.

    Parameters
    ----------
    dossier : LabelDossierRead
        From :func:`label_report`.
    fmt : {"html", "pdf"}
        The document format; another is a ``UserInputError``.

    Returns
    -------
    bytes
        The document: title, date, markets, each sentence's verdict with its rule and
        legal basis and rewording, identity findings, checker version and corpus scores.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009, Art. 11(2)(d) (the product information file holds
       the proof of the effect claimed).
    .. [2] OWASP ASVS 5.0, V1.2 (output encoding: contextual escaping of HTML).

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     d = label_report(s, local_operator(), "Heals eczema.", markets=["EU"])
    >>> render_label_report(d, "pdf")[:5], b"Heals eczema." in render_label_report(d, "html")
    (b'%PDF-', True)
    """
    return _render_dossier(dossier, fmt)


def check_identity(
    session: Session,
    actor: Actor,
    inci: Sequence[str] | str,
    *,
    markets: Sequence[Market | str],
) -> list[IdentityFindingRead]:
    """Check an INCI list or product identity for human-derived material, per market.

    Parameters
    ----------
    session : Session
        The caller's session (the rules are packaged data).
    actor : Actor
        Who asks.
    inci : sequence of str or str
        INCI names, or one comma-separated list.
    markets : sequence of Market
        The markets to check.

    Returns
    -------
    list of IdentityFindingRead
        One finding per EV, cell or media item and market (human-derived rejected with
        the market's rule; plant-derived allowed).

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009, Annex II entry 416.
    .. [2] US FDA (2019). Public Safety Notification on Exosome Products, 6 Dec 2019;
       Public Health Service Act §351, 42 U.S.C. 262.

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     f = check_identity(s, local_operator(),
    ...                        "Aqua, Human Adipose Stem Cell Conditioned Media", markets=["EU"])
    >>> f[0].accepted, "Annex II entry 416" in f[0].rule
    (False, True)
    """
    items = inci if isinstance(inci, str) else list(inci)
    return [f for m in markets for f in _check_identity(items, str(m))]


def import_ingredients(
    session: Session, actor: Actor, ingredients: Sequence[Ingredient], *, source: str = ""
) -> dict[str, str]:
    """Add or replace catalogue ingredients, all or nothing, audited.

    Parameters
    ----------
    session : Session
        A transaction (the caller commits).
    actor : Actor
        Must be an admin or scientist (``CATALOGUE_EDITORS``).
    ingredients : sequence of Ingredient
        Validated ingredients (e.g. from :func:`exoderm.design.read_ingredient_file`).
    source : str
        Where they came from (a file name), for the audit trail.

    Returns
    -------
    dict
        ``{key: "added" | "replaced"}``.

    Raises
    ------
    PermissionDenied
        The actor may not change the catalogue.

    References
    ----------
    .. [1] ISO/IEC 27001:2022, Annex A 8.15 (logging of changes to shared data).

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.design.catalogue import packaged_catalogue
    >>> from exoderm.storage.scratch import scratch_database
    >>> mine = packaged_catalogue().get("niacinamide").model_copy(update={"key": "my-b3"})
    >>> with scratch_database().transaction() as s:
    ...     import_ingredients(s, local_operator(), [mine], source="mine.yaml")
    {'my-b3': 'added'}
    """
    return repository.import_ingredients(session, ingredients, actor=actor, source=source)


def inventory_entry(actor: Actor, name: str) -> InventoryEntry:
    """Any INCI name of the EU CosIng inventory: CAS, functions and annex restrictions.

    The inventory is shared reference data: every role may read it, and it holds no
    organisation's records.

    Parameters
    ----------
    actor : Actor
        Who asks.
    name : str
        An INCI name in any case and spacing.

    Returns
    -------
    InventoryEntry
        The entry, with each annex entry that names it and the markets it applies in.

    Raises
    ------
    NotFoundError
        Not in the inventory (the message suggests close names).

    References
    ----------
    .. [1] European Commission. CosIng – Cosmetic ingredient database, Ingredients and
       Fragrance Inventory (December 2021); reuse under Commission Decision 2011/833/EU.
    .. [2] Regulation (EC) No 1223/2009 on cosmetic products, Annexes II–VI.

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> entry = inventory_entry(local_operator(), "Phenoxyethanol")
    >>> entry.functions, entry.annex_references
    (['ANTIMICROBIAL', 'PRESERVATIVE'], ['V/29'])
    """
    return _inventory_entry(name)


def inventory_stats(actor: Actor) -> InventoryStats:
    """How many INCI names the shipped inventory holds, with CAS numbers and annex entries.

    Parameters
    ----------
    actor : Actor
        Who asks.

    Returns
    -------
    InventoryStats

    References
    ----------
    .. [1] European Commission. CosIng – Cosmetic ingredient database, Ingredients and
       Fragrance Inventory (December 2021).

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> inventory_stats(local_operator()).entries
    30070
    """
    return _inventory_stats()


def check_formula(
    actor: Actor,
    formula: FormulaFile,
    *,
    market: Market = Market.EU,
    route: AnnexRoute = "leave-on",
) -> FormulaCheckRead:
    """Every rule an existing formula breaks (prohibitions, annex limits, pH, pairs).

    The formula is the caller's own input, checked against shared reference data; nothing
    is stored, so every authenticated actor may check.

    Parameters
    ----------
    actor : Actor
        Who asks.
    formula : FormulaFile
        The formula, read and validated at the edge
        (:func:`exoderm.design.formula_file.read_formula`).
    market : Market
        Where it is sold.
    route : {'leave-on', 'rinse-off'}
        Which annex limits apply.

    Returns
    -------
    FormulaCheckRead
        The INCI totals (raw materials expanded) and every finding with its rule.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009 on cosmetic products, Annexes II, III, V and VI.

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.design.formula_file import formula_from_records
    >>> rows = [(2, {"ingredient": "Aqua", "percent": "99.2"}),
    ...         (3, {"ingredient": "Phenoxyethanol", "percent": "0.8"})]
    >>> check_formula(local_operator(), formula_from_records(rows)).passed
    True
    """
    return _check_formula(formula, formulary=load_formulary(), market=market, route=route)


def product_types(actor: Actor) -> list[Skeleton]:
    """The product types exoderm builds: phases in order of addition and their slots.

    Parameters
    ----------
    actor : Actor
        Who asks.

    Returns
    -------
    list of Skeleton

    References
    ----------
    .. [1] Barel AO, Paye M, Maibach HI (eds.), Handbook of Cosmetic Science and
       Technology, 4th ed., CRC Press, 2014.

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> "ow-emulsion" in [s.id for s in product_types(local_operator())]
    True
    """
    return skeletons()


def improve_formula(
    session: Session,
    actor: Actor,
    formula: FormulaFile,
    request: FormulationRequest,
    *,
    max_changes: int,
    use_knowledge_base: bool = True,
    raw_materials: RawMaterialList | None = None,
) -> ImprovementRead:
    """The best formula within ``max_changes`` of an existing formula's actives.

    Like :func:`formulate`, any authenticated actor may design; nothing is stored.

    Parameters
    ----------
    session : Session
        Reads imported catalogue ingredients and evidence.
    actor : Actor
        Who asks.
    formula : FormulaFile
        The existing formula, validated at the edge.
    request : FormulationRequest
        Targets and constraints.
    max_changes : int
        Most actives added or removed.
    use_knowledge_base : bool
        Score evidence from the knowledge graph (default) or the catalogue only.
    raw_materials : RawMaterialList, optional
        Build and price the improved formula from these raw materials.

    Returns
    -------
    ImprovementRead

    References
    ----------
    .. [1] Fischetti, M. & Lodi, A. (2003). Local branching. Mathematical Programming
       98, 23-47. doi:10.1007/s10107-003-0395-5

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.design.formula_file import formula_from_records
    >>> from exoderm.storage.scratch import scratch_database
    >>> rows = [(2, {"ingredient": "Aqua", "percent": "95"}),
    ...         (3, {"ingredient": "Niacinamide", "percent": "5"})]
    >>> with scratch_database().reader() as s:
    ...     out = improve_formula(s, local_operator(), formula_from_records(rows),
    ...                           FormulationRequest(targets={"pigmentation": 1}),
    ...                           max_changes=1, use_knowledge_base=False)
    >>> out.recognised
    ['niacinamide']
    """
    catalogue = _catalogue(session)
    kb = knowledge_base(session) if use_knowledge_base else None
    return _improve_formula(
        formula,
        request,
        max_changes=max_changes,
        catalogue=catalogue,
        kb=kb,
        use_knowledge_base=use_knowledge_base,
        raw_materials=raw_materials,
    )
