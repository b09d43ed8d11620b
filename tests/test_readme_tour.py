"""The README's tour runs verbatim: every command, in order, on a fresh data directory.

The fenced ``bash`` blocks of the section "A short tour" of README.md are joined into one
script (so a shell variable set in one block, such as the client's pseudonym, is seen by
the next) and run with ``bash -euo pipefail`` from a fresh working directory that holds
only ``examples/`` and ``.venv`` (links into this checkout), with ``EXODERM_DATA_DIR`` and
``EXODERM_CONFIG`` in a temporary folder and the virtual environment's ``bin`` on
``PATH``. Any non-zero exit fails the test and names the command.

The same run, at ``COLUMNS=100`` and a umask of 022, also checks what the user sees and
leaves behind: every table fits in 100 columns with no column narrower than 8 characters,
the data directory is private (0700, files 0600), and ``simulate validate`` wrote its
report into the data directory, not into a ``docs/`` folder of the working directory.

Skipped: ``exoderm serve`` only, because it starts a long-running server; the tour shows
it in prose, and a line starting with it would be left out (and reported) here.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

from rich.cells import cell_len

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
SKIPPED = ("exoderm serve",)  # long-running: starts the web server and never returns
FENCE = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)
WIDTH = 100  # the terminal width the tour runs at
NARROWEST = 8  # no table column may be narrower (characters of text, padding excluded)
RULES = re.compile("[│┃]")  # the vertical rules between the cells of a Rich table row


def tour_section(text: str) -> str:
    """The README text from the heading "A short tour" to the next level-2 heading."""
    start = text.index("## A short tour")
    following = text.find("\n## ", start + 1)
    return text[start : following if following != -1 else len(text)]


def tour_blocks(text: str) -> list[str]:
    """The fenced bash blocks of the tour, with long-running commands left out."""
    blocks = []
    for block in FENCE.findall(tour_section(text)):
        lines = [line for line in block.splitlines() if not line.strip().startswith(SKIPPED)]
        blocks.append("\n".join(lines))
    return blocks


def test_tour_is_extracted_in_order() -> None:
    blocks = tour_blocks(README.read_text(encoding="utf-8"))
    script = "\n".join(blocks)
    assert blocks[0].strip() == ". .venv/bin/activate"  # activation stated once, first
    assert script.count(". .venv/bin/activate") == 1
    added = re.findall(r'user org add "([^"]+)"', script)
    assert added and len(added) == len(set(added))  # each organisation is added only once
    order = [script.index(cmd) for cmd in ("client add", "client assess", "client regimen")]
    assert order == sorted(order)
    # every input file the tour names is shipped under examples/
    for name in re.findall(r"examples/[\w./-]+", script):
        assert (REPO / name).is_file(), name
    assert not re.search(r"C-X{8}", script), "a placeholder pseudonym would not run"


def table_cells(line: str) -> list[str]:
    """The cells of one table row (text between vertical rules), or [] for other lines."""
    parts = RULES.split(line)
    return parts[1:-1] if len(parts) >= 3 else []


def narrow_table_lines(output: str) -> list[str]:
    """Lines of ``output`` wider than the terminal or with a cell narrower than allowed.

    A cell is one space, its text column and one space, so its text column is its width
    less two.
    """
    bad = []
    for line in output.splitlines():
        cells = table_cells(line)
        if cells and (
            cell_len(line.rstrip()) > WIDTH or min(cell_len(c) - 2 for c in cells) < NARROWEST
        ):
            bad.append(line)
    return bad


def test_narrow_table_lines_finds_squeezed_columns() -> None:
    fits = "│ field    │ value of some length │"
    squeezed = "│ n │ text     │ ok       │"
    too_wide = "│ " + "x" * 120 + " │"
    assert narrow_table_lines("\n".join([fits, "title, not a table"])) == []
    assert narrow_table_lines("\n".join([fits, squeezed, too_wide])) == [squeezed, too_wide]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _venv() -> Path:
    here = Path(sys.executable).parent.parent
    return here if (here / "bin" / "activate").exists() else REPO / ".venv"


def test_readme_tour_runs(tmp_path: Path) -> None:
    work = tmp_path / "clone"
    work.mkdir()
    (work / "examples").symlink_to(REPO / "examples", target_is_directory=True)
    (work / ".venv").symlink_to(_venv(), target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXODERM_")}
    env["EXODERM_DATA_DIR"] = str(tmp_path / "data")
    env["EXODERM_CONFIG"] = str(tmp_path / "config.toml")
    env["PATH"] = f"{_venv() / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = str(WIDTH)
    script = "\n".join(tour_blocks(README.read_text(encoding="utf-8")))
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-x", "-c", script],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # the tour runs about 30 commands; 130-180 s on 2 cores
        check=False,
        umask=0o022,  # a plain mkdir would make world-readable folders
    )
    trace = [line for line in done.stderr.splitlines() if line.startswith("+")]
    assert done.returncode == 0, (
        f"tour failed (exit {done.returncode}) at: {trace[-1] if trace else '?'}\n"
        f"--- stderr (end) ---\n{done.stderr[-3000:]}"
    )
    # the commands really did their work, in this fresh directory
    assert re.search(r"^C-[0-9A-Z]{8}$", done.stdout, re.MULTILINE)
    for made in ("plan.pdf", "plan.ics", "coa.pdf", "sim.tif", "results"):
        assert (work / made).exists(), made
    assert (work / "plan.pdf").read_bytes().startswith(b"%PDF")
    assert "RELEASE" in done.stderr + done.stdout
    # every table fits the terminal and no column is squeezed below 8 characters
    tables = [line for line in done.stdout.splitlines() if table_cells(line)]
    assert len(tables) > 100  # the tour prints many tables; the check is not vacuous
    bad = narrow_table_lines(done.stdout)
    assert bad == [], f"{len(bad)} table line(s) too narrow or too wide:\n" + "\n".join(bad[:20])
    # the validation report is in the data directory, nothing in the working directory
    data = tmp_path / "data"
    assert (data / "reports" / "validation.md").read_text(encoding="utf-8").startswith("# ")
    assert not (work / "docs").exists()
    # the data directory and the files in it are private to their owner
    assert _mode(data) == 0o700 and _mode(data / "reports") == 0o700
    assert _mode(data / "exoderm.db") == 0o600
    # the key that decrypts it is beside the settings file, not in the data directory
    keys = tmp_path / "keys"
    assert not (data / "client-data.key").exists()
    assert _mode(keys) == 0o700 and _mode(keys / "client-data.key") == 0o600
