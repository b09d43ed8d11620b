"""Checking and generating product claims against the rules of a market and class.

A cosmetic may make appearance and feel claims; it may not claim to treat, cure or heal
a disease (named from a shipped Human Disease Ontology subset), to change a structure or
function of the body, to match a drug or procedure ("like Botox", "without injections"),
or to give permanent or total results; negated wording ("does not treat") and appearance
hedges ("reduces the look of") stay compliant where the rules allow. Identity rules
check what a product is (human-derived cells, media or EVs). Whole labels are split into
sentences and checked per market. Rules and their legal bases are data in
``design/data/claims_rules.yaml``; the vocabulary is ``design/data/claims_diseases.yaml``;
the labelled corpus is ``design/data/claims_corpus.csv``.

References
----------
.. [1] Commission Regulation (EU) No 655/2013 of 10 July 2013 laying down common criteria
   for the justification of claims used in relation to cosmetic products. OJ L 190,
   11.7.2013, p. 31 (retained in UK law by SI 2019/696).
.. [2] Federal Food, Drug, and Cosmetic Act §201(g)(1) and (i), 21 U.S.C. 321.
.. [3] Schriml, L.M. et al. (2022). The Human Disease Ontology 2022 update. Nucleic Acids
   Research 50(D1), D1255-D1261. doi:10.1093/nar/gkab1063
"""

from exoderm.design.claims.core import (
    DESIGN_TO_LEVEL,
    EVIDENCE_LEVELS,
    ClaimVerdict,
    ClaimVerdictRead,
    check_claim,
    claim_type,
    disease_terms,
    normalise,
    vocabulary,
)
from exoderm.design.claims.identity import IdentityFindingRead, check_identity, origin_of
from exoderm.design.claims.label import (
    LabelReportRead,
    SentenceVerdictsRead,
    check_label,
    decode_label,
    read_label_file,
    split_sentences,
)
from exoderm.design.claims.report import (
    REPORT_FORMATS,
    CorpusScoreRead,
    LabelDossierRead,
    label_dossier,
    render_dossier,
)

__all__ = [
    "DESIGN_TO_LEVEL",
    "EVIDENCE_LEVELS",
    "REPORT_FORMATS",
    "ClaimVerdict",
    "ClaimVerdictRead",
    "CorpusScoreRead",
    "IdentityFindingRead",
    "LabelDossierRead",
    "LabelReportRead",
    "SentenceVerdictsRead",
    "check_claim",
    "check_identity",
    "check_label",
    "claim_type",
    "decode_label",
    "disease_terms",
    "label_dossier",
    "normalise",
    "origin_of",
    "read_label_file",
    "render_dossier",
    "split_sentences",
    "vocabulary",
]
