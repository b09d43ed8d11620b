"""``LinkSettings.from_max_speed``: a search range that reaches the fastest particle."""

from __future__ import annotations

import math

import numpy as np
import pytest

from exoderm.nta.link import Linker, LinkSettings

PX_UM, DT = 0.166, 1 / 30


def test_directed_range_covers_the_longest_gap() -> None:
    s = LinkSettings.from_max_speed(20.0, pixel_size_um=PX_UM, frame_interval_s=DT, memory=3)
    travel = 20.0 * DT * (3 + 1) / PX_UM  # px covered over the longest gap
    assert s.search_range == pytest.approx(travel)
    assert s.memory == 3


def test_diffusion_allowance_adds_sigmas_step_sds() -> None:
    plain = LinkSettings.from_max_speed(5.0, pixel_size_um=PX_UM, frame_interval_s=DT)
    both = LinkSettings.from_max_speed(
        5.0, pixel_size_um=PX_UM, frame_interval_s=DT, max_diffusion_um2_s=4.0, sigmas=4.5
    )
    assert both.search_range - plain.search_range == pytest.approx(
        4.5 * math.sqrt(2 * 4.0 * DT) / PX_UM
    )


def test_invalid_inputs_raise() -> None:
    with pytest.raises(ValueError):
        LinkSettings.from_max_speed(-1.0, pixel_size_um=PX_UM, frame_interval_s=DT)
    with pytest.raises(ValueError):
        LinkSettings.from_max_speed(0.0, pixel_size_um=PX_UM, frame_interval_s=DT)


def test_flowing_particle_is_linked_across_a_gap() -> None:
    """A particle carried at v_max and missed for `memory` frames keeps its track."""
    v_um_s, memory = 30.0, 2
    settings = LinkSettings.from_max_speed(
        v_um_s, pixel_size_um=PX_UM, frame_interval_s=DT, memory=memory
    )
    step_px = v_um_s * DT / PX_UM  # ≈ 6 px per frame
    linker = Linker(settings)
    first = linker.add(0, np.array([50.0]), np.array([100.0])).track_ids[0]
    linker.add(1, np.array([50.0 + step_px]), np.array([100.0]))
    # frames 2 and 3 missed; frame 4 is memory + 1 = 3 steps further on
    later = linker.add(4, np.array([50.0 + 4 * step_px]), np.array([100.0]))
    assert later.track_ids[0] == first and later.gap_links == 1


def test_gap_gate_alone_is_not_enough() -> None:
    """A range that only reaches the particle through the √(g+1) gap gate splits the track:
    the Brownian cost of the long step exceeds the no-link cost (why the range spans the
    whole travel)."""
    v_um_s, memory = 30.0, 2
    step_px = v_um_s * DT / PX_UM
    narrow = LinkSettings(search_range=step_px * math.sqrt(memory + 1), memory=memory)
    linker = Linker(narrow)
    first = linker.add(0, np.array([50.0]), np.array([100.0])).track_ids[0]
    linker.add(1, np.array([50.0 + step_px]), np.array([100.0]))
    later = linker.add(4, np.array([50.0 + 4 * step_px]), np.array([100.0]))
    assert later.track_ids[0] != first
