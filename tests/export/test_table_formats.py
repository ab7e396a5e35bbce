"""``gradviz trace … --format latex|markdown|html``: the lecture's tables ready to paste; the
LaTeX is compiled by pdflatex where it is installed (Debian: texlive-latex-base and
texlive-latex-recommended, for booktabs)."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from gradviz.cli import main
from gradviz.export.table_formats import latex_math

LECTURE = ["trace", "x1*x2 + sin(x1)", "--at", "x1=2,x2=5"]


def _run(capsys, *argv) -> str:
    assert main([*LECTURE, *argv]) == 0
    return capsys.readouterr().out


def test_markdown_has_every_row_with_its_numbers(capsys):
    text = _run(capsys, "--format", "markdown")
    assert "**Forward sweep 1 of 2 (seed x1)**" in text
    assert "| w3 = w1·w2 = 10 | ẇ3 = w2·ẇ1 + w1·ẇ2 = 5·1 + 2·0 = 5 |" in text
    assert "| w4 = sin w1 and w3 = w1·w2 | w̄1 = w̄3·w2 + w̄4·cos w1 = 1·5 + 1·(-0.4161) = 4.584 |" in text


def test_html_is_three_tables_of_escaped_text(capsys):
    text = _run(capsys, "--format", "html")

    class Cells(HTMLParser):
        cells: list = []

        def handle_data(self, data):
            if data.strip():
                self.cells.append(data)

    Cells().feed(text)
    assert text.count("<table>") == 3
    assert "ẇ5 = ẇ3 + ẇ4 = 5 + (-0.4161) = 4.584" in Cells.cells


def test_wrt_keeps_only_that_seeds_forward_table(capsys):
    text = _run(capsys, "--format", "markdown", "--wrt", "x2")
    assert "Forward sweep 2 of 2 (seed x2)" in text and "Forward sweep 1" not in text


def test_latex_writes_the_lectures_notation():
    assert latex_math("w̄1 = w̄3·w2 + w̄4·cos w1 = 1·5 + 1·(-0.4161) = 4.584") == (
        r"\bar{w}_{1} = \bar{w}_{3}\cdot w_{2} + \bar{w}_{4}\cdot \cos w_{1} = 1\cdot 5 + 1\cdot (-0.4161) = 4.584")
    assert latex_math("w3 = w1^w2") == "w_{3} = w_{1}^{w_{2}}"
    assert latex_math("w2 = params['b'] = 1") == r"w_{2} = \operatorname{params}[\text{'}b\text{'}] = 1"


def test_an_unknown_format_is_refused(capsys):
    assert main([*LECTURE, "--format", "rtf"]) == 2
    assert "invalid choice: 'rtf'" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no pdflatex on PATH (Debian: apt-get "
                    "install texlive-latex-base texlive-latex-recommended)")
@pytest.mark.parametrize("argv", [LECTURE[1:], ["sum(tanh(x) * w) / n", "--at", "x=[1,2,3],w=[0.5,-1,2],n=3"]])
def test_the_latex_compiles_with_pdflatex(argv, capsys, tmp_path):
    assert main(["trace", *argv, "--format", "latex"]) == 0
    body = capsys.readouterr().out
    assert r"\toprule" in body and r"\dot{w}_{" in body and r"\bar{w}_{" in body
    (tmp_path / "tables.tex").write_text(
        "\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{amsmath}\n"
        "\\begin{document}\n" + body + "\\end{document}\n", encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "tables.tex"],
                          cwd=tmp_path, capture_output=True, text=True, errors="replace",
                          timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "tables.pdf").read_bytes()[:4] == b"%PDF"
