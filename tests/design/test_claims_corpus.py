"""The labelled claims corpus: sourced wordings, a fixed held-out split, scores per market.

The held-out split was fixed (seeded, stored in the CSV) before the rules were tuned on
the dev split. Run with ``-s`` to see the confusion matrix per market.
"""

from __future__ import annotations

import itertools

import pytest

from exoderm.design.claims import check_claim, disease_terms
from exoderm.design.claims.corpus import (
    BLIND,
    CONSTRUCTED,
    confusion_table,
    evaluate,
    load_corpus,
)
from exoderm.markets import Market


def test_corpus_is_sourced_and_split() -> None:
    rows = load_corpus()
    assert len(rows) >= 300
    assert len({r.id for r in rows}) == len(rows)
    assert all(r.source and r.section and r.date for r in rows)
    assert all(r.label in ("compliant", "noncompliant") for r in rows)
    assert all(set(r.markets) <= {m.value for m in Market} for r in rows)
    blind = [r for r in rows if r.split == BLIND]
    assert len(blind) >= 200 and all(r.source != CONSTRUCTED for r in blind)
    assert len([r for r in rows if r.split == "blind2"]) >= 100
    sourced = [r for r in rows if r.source != CONSTRUCTED and r.split in ("dev", "heldout")]
    held = [r for r in sourced if r.split == "heldout"]
    assert 0.28 <= len(held) / len(sourced) <= 0.38, "about a third of the sourced wordings"
    assert not [r for r in rows if r.source == CONSTRUCTED and r.split == "heldout"]
    assert {r.label for r in held} == {"compliant", "noncompliant"}


def test_held_out_precision_and_recall_per_market() -> None:
    scores = evaluate("heldout")
    print("\nheld-out split (positive = non-compliant wording, cosmetic class)")
    print(confusion_table(scores))
    for s in scores:
        assert s.n >= 30, f"{s.market}: only {s.n} held-out wordings"
        assert s.recall >= 0.98, f"{s.market} recall {s.recall:.3f}; missed {s.missed}"
        assert s.precision >= 0.9, f"{s.market} precision {s.precision:.3f}; {s.false_alarms}"


#: The first blind run of the blind set (docs/design.md): market -> (TP, FP). The checker
#: may only get better on it; the issue's bar (recall >= 0.98) is not met.
BLIND_FIRST_RUN = {
    "EU": (50, 0),
    "UK": (54, 0),
    "US": (53, 0),
    "KR": (53, 1),
    "CN": (50, 0),
    "ZA": (50, 0),
    "CA": (50, 0),
    "JP": (50, 0),
    "TW": (52, 0),
}


def test_blind_set_scores_no_worse_than_its_first_blind_run() -> None:
    scores = evaluate(BLIND)
    print("\nblind set (positive = non-compliant wording, cosmetic class)")
    print(confusion_table(scores))
    for s in scores:
        tp, fp = BLIND_FIRST_RUN[s.market]
        assert s.n >= 30, s.market
        assert s.tp >= tp, f"{s.market}: recall fell below its first blind run; {s.missed}"
        assert s.fp <= fp, f"{s.market}: new false alarms {s.false_alarms}"


#: Developed on the blind rows, not blind: market -> (TP, FP) after the rule families of
#: issue 15 (CJK medical and physiological terms, KR 의약품 오인 표현, EU/UK 'free from' and
#: sunscreen claims, physiological and enzyme claims, ZA cosmetic functions) were added with
#: the blind misses as development material. A regression floor only; a fresh blind set
#: measures whether the families generalise.
BLIND_AFTER_DEVELOPMENT = {
    "EU": (67, 0),
    "UK": (69, 0),
    "US": (65, 0),
    "KR": (91, 0),
    "CN": (75, 0),
    "ZA": (62, 0),
    "CA": (57, 0),
    "JP": (57, 0),
    "TW": (66, 0),
}


def test_blind_set_after_development() -> None:
    scores = evaluate(BLIND)
    print("\nblind set after development on its misses (developed on, not blind)")
    print(confusion_table(scores))
    for s in scores:
        tp, fp = BLIND_AFTER_DEVELOPMENT[s.market]
        assert s.tp >= tp, f"{s.market}: recall fell below the developed floor; {s.missed}"
        assert s.fp <= fp, f"{s.market}: new false alarms {s.false_alarms}"


def test_every_rejection_in_the_corpus_offers_a_rewording_that_passes() -> None:
    for row in load_corpus():
        for market in row.markets:
            verdict = check_claim(row.text, market, "cosmetic")
            if verdict.accepted:
                continue
            assert verdict.rule and verdict.rule_id, row.text
            assert verdict.rewording, (market, row.text)
            again = check_claim(verdict.rewording, market, "cosmetic")
            assert again.accepted, (market, row.text, verdict.rewording, again.reason)


VERBS = ("prevents", "treats", "cures", "heals")


@pytest.mark.parametrize("verb", VERBS)
def test_every_vocabulary_disease_is_a_drug_claim_in_every_market(verb: str) -> None:
    terms = disease_terms()
    assert len(terms) >= 100
    accepted = [
        (market.value, f"{verb} {term}")
        for term, market in itertools.product(terms, Market)
        if check_claim(f"{verb} {term}", market.value, "cosmetic").accepted
    ]
    assert not accepted, accepted[:10]


def test_the_vocabulary_records_its_source_and_identifiers() -> None:
    from exoderm.design.claims import vocabulary

    entries = vocabulary()["diseases"]
    assert all(e["terms"] for e in entries)
    with_id = [e for e in entries if e["doid"]]
    assert with_id and all(e["doid"].startswith("DOID:") for e in with_id)


#: The first and only blind run of the third set (docs/design.md), after the rules were
#: developed on the second: market -> (TP, FP). Recall 0.54-0.70: the issue's bar is not met.
BLIND2_FIRST_RUN = {
    "EU": (36, 0),
    "UK": (39, 0),
    "US": (39, 0),
    "KR": (38, 0),
    "CN": (36, 0),
    "ZA": (36, 0),
    "CA": (36, 0),
    "JP": (38, 0),
    "TW": (42, 0),
}


def test_third_blind_set_scores_no_worse_than_its_first_blind_run() -> None:
    scores = evaluate("blind2")
    print("\nthird blind set (positive = non-compliant wording, cosmetic class)")
    print(confusion_table(scores))
    for s in scores:
        tp, fp = BLIND2_FIRST_RUN[s.market]
        assert s.n >= 30, s.market
        assert s.tp >= tp, f"{s.market}: recall fell below its first blind run; {s.missed}"
        alarms = {a.split(":")[0] for a in s.false_alarms}
        assert len(alarms - BLIND2_VOCABULARY_ALARMS) <= fp, f"{s.market}: {s.false_alarms}"


#: What the fail-safe vocabulary gate costs on the third set: an ASA-accepted testimonial
#: ("... they've virtually disappeared") whose words are outside the cosmetic vocabulary.
BLIND2_VOCABULARY_ALARMS = {"d109"}

#: The first and only blind runs of the fourth and fifth sets (docs/design.md), with the
#: vocabulary gate, 2026-12-07: market -> (TP, FP). Floors only; the figures that count
#: are in docs/design.md.
BLIND3_FIRST_RUN = {
    "EU": (60, 0),
    "UK": (61, 1),
    "US": (70, 1),
    "KR": (62, 0),
    "CN": (60, 0),
    "ZA": (58, 1),
    "CA": (57, 0),
    "JP": (87, 7),
    "TW": (70, 3),
}
BLIND4_FIRST_RUN = {
    "EU": (13, 0),
    "UK": (14, 1),
    "US": (22, 11),
    "KR": (14, 7),
    "CN": (12, 5),
    "ZA": (12, 5),
    "CA": (13, 3),
    "JP": (14, 10),
    "TW": (12, 18),
}


#: The sixth set's first and only blind run, after the gate was developed on the fourth
#: and fifth (65 wordings; no market has 30).
BLIND5_FIRST_RUN = {
    "EU": (14, 0),
    "UK": (16, 0),
    "US": (17, 0),
    "KR": (17, 5),
    "CN": (14, 3),
    "ZA": (12, 0),
    "CA": (14, 0),
    "JP": (18, 5),
    "TW": (12, 1),
}


#: The seventh set's first and only blind run (266 wordings, 71-102 per market),
#: 2026-12-07: six of nine markets met recall >= 0.98 and precision >= 0.9.
BLIND6_FIRST_RUN = {
    "EU": (61, 3),
    "UK": (79, 10),
    "US": (77, 7),
    "KR": (75, 9),
    "CN": (87, 14),
    "ZA": (66, 2),
    "CA": (63, 2),
    "JP": (77, 8),
    "TW": (83, 3),
}


#: The eighth set's first and only blind run (51 English-market wordings), 2026-12-07.
BLIND7_FIRST_RUN = {
    "EU": (18, 0),
    "UK": (38, 0),
    "US": (29, 1),
    "KR": (17, 0),
    "CN": (17, 0),
    "ZA": (18, 0),
    "CA": (18, 0),
    "JP": (17, 0),
    "TW": (17, 0),
}


#: The ninth set's first and only blind run (125 KR, CN, JP and TW wordings), 2026-12-07.
BLIND8_FIRST_RUN = {
    "EU": (16, 0),
    "UK": (16, 0),
    "US": (16, 0),
    "KR": (31, 1),
    "CN": (31, 5),
    "ZA": (16, 0),
    "CA": (16, 0),
    "JP": (32, 1),
    "TW": (38, 4),
}


#: The tenth set's first and only blind run (225 wordings, 34-104 per market), 2026-12-07.
BLIND9_FIRST_RUN = {
    "EU": (34, 0),
    "UK": (47, 4),
    "US": (39, 0),
    "KR": (58, 8),
    "CN": (92, 4),
    "ZA": (38, 1),
    "CA": (34, 0),
    "JP": (55, 11),
    "TW": (43, 4),
}


#: The eleventh set's first and only blind run (245 wordings, 47-87 per market, compliant
#: rows in every market), 2026-12-07.
BLIND10_FIRST_RUN = {
    "EU": (44, 5),
    "UK": (50, 4),
    "US": (52, 6),
    "KR": (73, 10),
    "CN": (69, 9),
    "ZA": (45, 1),
    "CA": (43, 2),
    "JP": (49, 14),
    "TW": (54, 7),
}


#: The twelfth set's first and only blind run (81 wordings, 6-30 per market, few compliant
#: rows: it measures recall better than precision), 2026-12-08. Pooled recall 0.971,
#: precision 0.879.
BLIND11_FIRST_RUN = {
    "EU": (14, 6),
    "UK": (9, 0),
    "US": (16, 0),
    "KR": (11, 3),
    "CN": (12, 0),
    "ZA": (6, 0),
    "CA": (7, 0),
    "JP": (18, 5),
    "TW": (9, 0),
}


@pytest.mark.parametrize(
    ("split", "first"),
    [
        ("blind11", BLIND11_FIRST_RUN),
        ("blind10", BLIND10_FIRST_RUN),
        ("blind9", BLIND9_FIRST_RUN),
        ("blind8", BLIND8_FIRST_RUN),
        ("blind7", BLIND7_FIRST_RUN),
        ("blind3", BLIND3_FIRST_RUN),
        ("blind4", BLIND4_FIRST_RUN),
        ("blind5", BLIND5_FIRST_RUN),
        ("blind6", BLIND6_FIRST_RUN),
    ],
)
def test_later_blind_sets_score_no_worse_than_their_first_blind_run(
    split: str, first: dict[str, tuple[int, int]]
) -> None:
    scores = evaluate(split)
    print(f"\n{split} (positive = non-compliant wording, cosmetic class)")
    print(confusion_table(scores))
    for s in scores:
        tp, fp = first[s.market]
        assert s.tp >= tp, f"{s.market}: recall fell below its first blind run; {s.missed}"
        assert s.fp <= fp, f"{s.market}: more false alarms than the first run {s.false_alarms}"


def test_a_wording_outside_the_cosmetic_vocabulary_goes_to_review_in_every_market() -> None:
    # wordings no rule lists: a cell-level mechanism, a German procedure comparison, a
    # Japanese total-disappearance promise, a Chinese folk-medicine claim, a Korean miracle
    unseen = [
        "reprograms the mitochondria of ageing skin",
        "wir liften ohne Spritze",
        "シミが跡形もなく消滅",
        "祖传秘方",
        "기적의 크림",
    ]
    for text, market in itertools.product(unseen, Market):
        verdict = check_claim(text, market.value, "cosmetic")
        assert not verdict.accepted, (market.value, text)
        assert (
            verdict.rewording and check_claim(verdict.rewording, market.value, "cosmetic").accepted
        )


def test_ordinary_cosmetic_wordings_pass_the_vocabulary_gate() -> None:
    ordinary = [
        "Apply a pea-sized amount to clean skin morning and evening.",
        "With sodium hyaluronate and shea butter for soft, smooth-feeling skin.",
        "Dermatologically tested. Suitable for sensitive skin.",
        "for acne-prone skin",
        "does not treat eczema",
    ]
    for text in ordinary:
        verdict = check_claim(text, "EU", "cosmetic")
        assert verdict.accepted, (text, verdict.reason)


#: The seventh set after development on its misses and false alarms (2026-12-07; developed
#: on, not blind): market -> (TP, FP). The three UK alarms ('clinically proven', 'proven to
#: help ... including BHAs', 'European Cancer League') and the ZA 'fighting germs' alarm are
#: left to review on purpose.
BLIND6_AFTER_DEVELOPMENT = {
    "EU": (61, 0),
    "UK": (82, 3),
    "US": (78, 0),
    "KR": (77, 0),
    "CN": (87, 0),
    "ZA": (67, 1),
    "CA": (63, 0),
    "JP": (78, 0),
    "TW": (84, 0),
}


def test_seventh_blind_set_after_development() -> None:
    for s in evaluate("blind6"):
        tp, fp = BLIND6_AFTER_DEVELOPMENT[s.market]
        assert s.tp >= tp, f"{s.market}: recall fell below the developed floor; {s.missed}"
        assert s.fp <= fp, f"{s.market}: new false alarms {s.false_alarms}"


#: The tenth set after development on its misses and false alarms (2026-12-07; developed
#: on, not blind). Left to review on purpose: the UK's ASA-accepted 'help prevent
#: breakouts' / 'reduce blackheads' / 'blackhead-clearing' and 'fight hyperpigmentation'
#: (condition wordings the checker refers everywhere), KR 모발의 손상 예방 (예방 would let
#: 피부노화 예방 through), ZA '#1 dentist recommended'; missed on purpose: UK 'leaves the
#: skin looking younger' (misleading only in its ad's context).
BLIND9_AFTER_DEVELOPMENT = {
    "EU": (34, 0),
    "UK": (47, 4),
    "US": (40, 0),
    "KR": (58, 1),
    "CN": (92, 0),
    "ZA": (38, 1),
    "CA": (34, 0),
    "JP": (57, 0),
    "TW": (43, 0),
}


#: The eleventh set after development on its misses and false alarms (2026-12-07;
#: developed on, not blind): the vocabulary of the false alarms and two rules (SPF is a
#: drug claim in the US and Canada; Korea's bare 주름 감소). Left: the UK's four contextual
#: misses, 'fight odour causing bacteria', 'collagen enriched', US 'Sunblock' and 'helps
#: grow longer', Korea's 탈모 care names and the quoted collagen sentence, China's
#: 周圍組織, ZA '#1 dentist recommended'.
BLIND10_AFTER_DEVELOPMENT = {
    "EU": (44, 0),
    "UK": (50, 2),
    "US": (52, 2),
    "KR": (74, 5),
    "CN": (69, 1),
    "ZA": (45, 1),
    "CA": (43, 0),
    "JP": (49, 0),
    "TW": (54, 0),
}


#: The twelfth set after development on its two misses (2026-12-08; developed on, not
#: blind): "100% visible flakes" without "of", and a percentage after the concern
#: (眼周細紋198%). Left: US "Look and feel years younger" (no number of years); the EU's
#: Swedish, Dutch and French wordings (the vocabulary is English and CJK only, so they go
#: to review); KR claims allowed only with 실증 substantiation, and JP quasi-drug ranges
#: (医薬部外品), which for a cosmetic are rightly referred for review.
BLIND11_AFTER_DEVELOPMENT = {
    "EU": (14, 6),
    "UK": (10, 0),
    "US": (16, 0),
    "KR": (11, 3),
    "CN": (12, 0),
    "ZA": (6, 0),
    "CA": (7, 0),
    "JP": (18, 5),
    "TW": (10, 0),
}


def test_twelfth_blind_set_after_development() -> None:
    for s in evaluate("blind11"):
        tp, fp = BLIND11_AFTER_DEVELOPMENT[s.market]
        assert s.tp >= tp, f"{s.market}: recall fell below the developed floor; {s.missed}"
        assert s.fp <= fp, f"{s.market}: new false alarms {s.false_alarms}"


def test_eleventh_blind_set_after_development() -> None:
    for s in evaluate("blind10"):
        tp, fp = BLIND10_AFTER_DEVELOPMENT[s.market]
        assert s.tp >= tp, f"{s.market}: recall fell below the developed floor; {s.missed}"
        assert s.fp <= fp, f"{s.market}: new false alarms {s.false_alarms}"


def test_tenth_blind_set_after_development() -> None:
    for s in evaluate("blind9"):
        tp, fp = BLIND9_AFTER_DEVELOPMENT[s.market]
        assert s.tp >= tp, f"{s.market}: recall fell below the developed floor; {s.missed}"
        assert s.fp <= fp, f"{s.market}: new false alarms {s.false_alarms}"


def test_ninth_blind_set_after_development() -> None:
    # developed on, not blind (2026-12-07): every wording of the ninth set, right
    for s in evaluate("blind8"):
        assert not s.missed, f"{s.market}: recall fell below the developed floor; {s.missed}"
        assert not s.false_alarms, f"{s.market}: new false alarms {s.false_alarms}"


@pytest.mark.parametrize(
    ("text", "market", "accepted"),
    [
        # unseen wordings of the kinds the seventh set taught (not its sentences)
        ("有助于保持肌肤的紧致度", "CN", True),
        ("抗牙本质敏感", "CN", True),
        ("改善粉刺", "CN", True),
        ("改善粉刺", "TW", False),
        ("살결을 가다듬음", "KR", True),
        ("피부를 청정하게 하고 유연하게 함", "KR", True),
        ("가려움 완화", "KR", False),
        ("피부 손상을 복구", "KR", False),
        ("모발의 손상을 회복", "KR", True),
        ("머리카락 빠짐 예방", "KR", False),
        ("パッチテスト済み", "JP", True),
        ("テスト済み", "JP", False),
        ("シミ・ソバカスをカバーして隠す", "JP", True),
        ("乾燥による小ジワ対策", "JP", False),
        ("乾燥による小ジワを目立たなくする", "JP", True),
        ("Clinique", "US", True),
        ("free from parabens and other harsh chemicals", "EU", False),
        ("UV barrier for the beach", "US", False),
        ("protects against plaque acid attacks", "ZA", False),
        ("immediately far whiter teeth", "UK", False),
        ("removes 100% of visible flakes", "UK", False),
        ("lengthening mascara for the look of lash extensions", "US", True),
        # unseen wordings of the kinds the ninth set taught (not its sentences)
        ("そばかすを取り除く", "JP", False),
        ("顔を白くする", "JP", False),
        ("日やけによるシミ・ソバカスを防ぐ", "JP", True),
        ("肌を白く見せる", "JP", True),
        ("歯を白くする", "JP", True),
        ("保湿成分ヒアルロン酸配合", "JP", True),
        ("うるおい成分ステムセル配合", "JP", False),
        ("100%有效", "CN", False),
        ("95%緊緻", "TW", False),
        ("外泌体精华", "CN", False),
        ("改善皮膚", "TW", False),
        ("改善肌膚乾燥", "TW", True),
        ("潤澤柔嫩", "TW", True),
        ("민감성 피부에 사용하기에 적합", "KR", True),
        # unseen wordings of the kinds the tenth set taught (not its sentences)
        ("シミ・そばかすを防ぐ", "JP", False),
        ("日焼けによるシミを防ぐ", "JP", True),
        ("UVケアクリーム", "JP", False),
        ("UVカットで日やけを防ぐ", "JP", True),
        ("ミントの香りで気分もリフレッシュ", "JP", True),
        ("エイジングケア", "JP", False),
        ("stays dry all day", "US", False),
        ("for naturally dry skin", "US", True),
        ("避免肌膚乾燥", "TW", True),
        ("降低體味", "TW", True),
        ("活化肌膚", "CN", False),
        ("피부노화 예방", "KR", False),
        # unseen wordings of the kinds the eleventh set taught (not its sentences)
        ("with SPF 30", "US", False),
        ("with SPF 30", "CA", False),
        ("with SPF 30", "EU", True),
        ("シリコンフリー", "JP", True),
        ("주름 감소", "KR", False),
        ("广谱防晒", "CN", True),
        ("撫平細紋", "TW", True),
        ("unscented lotion", "CA", True),
        ("reduces the look of cellulite", "US", True),
        ("reduces cellulite", "US", False),
    ],
)
def test_seventh_set_kinds_generalise(text: str, market: str, accepted: bool) -> None:
    verdict = check_claim(text, market, "cosmetic")
    assert verdict.accepted is accepted, (text, market, verdict.rule_id, verdict.reason)
