"""Benchmark: the formulation pipeline choosing among 2,000 raw materials.

Issue target: at 2,000 candidate raw materials × 50 targets, the optimum in < 5 s and the
top 5 in < 30 s, with the greedy anchor in the same run. This runs the *real* pipeline
(catalogue with the formulary's actives, evidence from the packaged knowledge graph,
raw-material candidates, product skeleton, composer). The catalogue has 13 targets; the
other 37 are dermal-effect and concern nodes of the packaged graph taken as targets (the
graph scores every ingredient against them by its paths), so every one of the 50 is
scored from real evidence. Raw materials are blends of one or two catalogue actives (INCI
names of the CosIng inventory) in a carrier (water, glycerin, propanediol or
caprylic/capric triglyceride), with random shares and prices (a fixed seed): the numbers
are a workload, not market data.

    .venv/bin/python bench/bench_raw_materials.py [--seed 7] [--materials 2000]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from exoderm.design import exhaustive
from exoderm.design.assembly import build_problem, gather_evidence
from exoderm.design.catalogue import Catalogue, Target, load_catalogue
from exoderm.design.constraints import user_constraints
from exoderm.design.evidence_link import default_knowledge_base, evidence_provider
from exoderm.design.formulate import formulate
from exoderm.design.inventory import is_inventory_name
from exoderm.design.raw_material_candidates import with_raw_materials
from exoderm.design.raw_materials import RawMaterial, RawMaterialComponent, RawMaterialList
from exoderm.design.request import FormulationRequest
from exoderm.evidence import KnowledgeBase

CARRIERS = ("Aqua", "Glycerin", "Propanediol", "Caprylic/Capric Triglyceride")


def generated(n: int, seed: int) -> RawMaterialList:
    rng = np.random.default_rng(seed)
    catalogue = load_catalogue()
    actives = [i.inci for i in catalogue if i.is_active and i.inci and is_inventory_name(i.inci)]
    materials = []
    for k in range(n):
        picked = rng.choice(len(actives), size=int(rng.integers(1, 3)), replace=False)
        shares = rng.uniform(0.5, 100.0, size=len(picked))
        shares = shares / max(1.0, shares.sum() / 99.0)
        parts = [
            RawMaterialComponent(inci=actives[int(i)], percent=round(float(s), 3))
            for i, s in zip(picked, shares, strict=True)
        ]
        rest = round(100.0 - sum(p.percent for p in parts), 3)
        if rest > 0:
            parts.append(RawMaterialComponent(inci=str(rng.choice(CARRIERS)), percent=rest))
        materials.append(
            RawMaterial(
                trade_name=f"Bench material {k:05d}",
                supplier=f"Bench supplier {k % 37}",
                components=tuple(parts),
                cost_per_kg=round(float(rng.uniform(5, 800)), 2),
            )
        )
    return RawMaterialList(materials=tuple(materials), source="generated")


def with_graph_targets(catalogue: Catalogue, kb: KnowledgeBase, total: int) -> Catalogue:
    """The catalogue's targets plus dermal-effect and concern nodes of the graph, to ``total``."""
    targets = dict(catalogue.targets)
    used = {t.kg_node for t in targets.values()}
    for kind in ("dermal_effect", "concern"):
        for node in kb.nodes(kind):
            if len(targets) >= total or node.id in used:
                continue
            key = node.id.split(":", 1)[-1]
            if key in targets:
                continue
            targets[key] = Target(id=key, label=node.name, kg_node=node.id, claim="")
    return Catalogue(catalogue.ingredients, targets, catalogue.synergies, catalogue.imported)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--materials", type=int, default=2000)
    parser.add_argument("--targets", type=int, default=50)
    args = parser.parse_args()
    materials = generated(args.materials, args.seed)
    kb = default_knowledge_base()
    catalogue = with_graph_targets(load_catalogue(), kb, args.targets)
    targets = {t: 1.0 for t in catalogue.targets}
    request = FormulationRequest(targets=targets, cover_every_target=False, max_actives=6)
    print(f"python {platform.python_version()} on {platform.machine()}")
    candidates = with_raw_materials(catalogue, materials)
    print(
        f"instance: {args.materials} raw materials -> {len(candidates)} candidates x "
        f"{len(targets)} targets, seed {args.seed}"
    )
    for top in (1, 5):
        start = time.perf_counter()
        result = formulate(
            request.model_copy(update={"top": top}),
            catalogue=catalogue,
            kb=kb,
            raw_materials=materials,
        )
        elapsed = time.perf_counter() - start
        proven = all(f.proven_optimal for f in result.all)
        print(
            f"pipeline top-{top}    : {elapsed:7.3f} s  objective {result.best.objective:.6f}"
            f"  proven {proven}  (target {'< 5 s' if top == 1 else '< 30 s'})"
        )
        milp_objective = result.best.objective
    start = time.perf_counter()
    evidence = gather_evidence(candidates, request, evidence_provider(candidates, kb))
    problem = build_problem(evidence, user_constraints(request), request)
    built = time.perf_counter() - start
    start = time.perf_counter()
    value, _ = exhaustive.greedy(problem)
    greedy_time = time.perf_counter() - start
    print(
        f"greedy anchor     : {greedy_time:7.3f} s (+{built:.3f} s to build the problem)  "
        f"objective {value:.6f}  greedy/MILP = {value / milp_objective:.4f}"
    )


if __name__ == "__main__":
    main()
