"""One picture per step (gradviz.renderer.frames): the states of the HTML stepper, drawn on
one layout, as numbered files or an animated GIF."""

import re
import sys

import pytest

import gradviz
from gradviz.errors import GradvizError
from gradviz.renderer import frames as frames_module
from gradviz.renderer.frames import frame_pictures, gif_bytes, write_frames
from gradviz.renderer.html import graph_svg, stepper_model

_TEXT = re.compile(r'<text [^>]*?x="(?P<x>[-\d.]+)" y="(?P<y>[-\d.]+)"(?P<rest>[^>]*)>(?P<text>[^<]*)</text>')


def _node(svg: str, name: str) -> str:
    """The SVG group of node ``name``."""
    start = svg.index(f"<title>{name}</title>")
    return svg[start:svg.index("<!-- ", start)]  # up to the next node's or edge's comment


def _visible(group: str) -> list[str]:
    return [m["text"].strip() for m in _TEXT.finditer(group)
            if 'fill-opacity="0' not in m["rest"] and m["text"].strip()]


@pytest.fixture
def svgs(lecture):
    return [data.decode("utf-8") for data in frame_pictures(lecture, "svg")]


def test_one_picture_per_step_of_the_page(lecture, svgs):
    _svg, cells = graph_svg(lecture, {})
    steps = stepper_model(lecture, cells=cells)["steps"]
    assert len(svgs) == len(steps) == 16
    for svg, step in zip(svgs, steps):
        shown = " ".join(svg.replace("&#160;", " ").replace("&#45;", "-").split())
        for line in [step["where"], *step["text"].split("\n")]:
            assert " ".join(line.split()) in shown  # the step's place and text, as on the page


def test_the_current_node_and_the_edges_used_are_highlighted(svgs):
    assert 'stroke="#d81b60" stroke-width="4"' in _node(svgs[0], "w1")
    assert "#d81b60" not in _node(svgs[0], "w3")
    w3 = svgs[2]  # forward sweep 1, step 3: w3 = w1·w2 uses both edges into w3
    assert 'stroke="#d81b60" stroke-width="4"' in _node(w3, "w3")
    assert "#d81b60" in _node(w3, "w1&#45;&gt;w3") and "#d81b60" in _node(w3, "w2&#45;&gt;w3")
    assert "#d81b60" not in _node(w3, "w1&#45;&gt;w4")
    contribution = svgs[13]  # reverse: w̄1 receives w4's contribution, from w4
    assert "#d81b60" in _node(contribution, "w1") and "#00897b" in _node(contribution, "w4")


def test_numbers_appear_as_the_sweep_reaches_them(svgs):
    first, last = svgs[0], svgs[-1]
    w1 = _visible(_node(first, "w1"))
    assert "2" in w1 and "1" in w1 and "0" not in w1 and "4.584" not in w1  # w1 and ẇ1 (x1) only
    assert "10" not in _visible(_node(first, "w3")) and "10" in _visible(_node(svgs[2], "w3"))
    assert "&#45;0.4161" in _visible(_node(svgs[13], "w1"))  # w̄1 so far: one contribution
    assert "4.584" not in _visible(_node(svgs[13], "w1"))
    assert "4.584" in _visible(_node(last, "w1")) and "2" in _visible(_node(last, "w2"))


def test_nothing_moves_between_pictures(svgs):
    def places(svg):
        """Where every box and edge and every text is, but the caption and the numbers (a
        number's text is right-aligned in its cell, which never changes size); arrowheads
        are left out (Graphviz draws a thicker one a little shorter)."""
        start = svg.index("<!-- gv&#45;caption -->")
        graph = svg[:start] + svg[svg.find("<!-- ", start + 1):]
        graph = re.sub(r'<g id="a_gv&#45;.*?</g>', "", graph, flags=re.DOTALL)
        shapes = re.findall(r' d="([^"]+)"', graph)
        return shapes, [(m["x"], m["y"]) for m in _TEXT.finditer(graph)]

    assert len(places(svgs[0])[0]) >= 11 and len(places(svgs[0])[1]) > 40  # 5 boxes (+1), 5 edges

    assert all(places(svg) == places(svgs[0]) for svg in svgs)
    sizes = {re.search(r'viewBox="([^"]+)"', svg).group(1) for svg in svgs}
    assert len(sizes) == 1


def test_pngs_and_their_names(lecture, tmp_path):
    written = write_frames(lecture, tmp_path / "slides", "png")
    assert [p.rsplit("/", 1)[1] for p in written[:2]] == ["step-001.png", "step-002.png"]
    assert len(written) == 16 and all(open(p, "rb").read(4) == b"\x89PNG" for p in written)
    assert sorted(p.name for p in (tmp_path / "slides").iterdir()) == [p.rsplit("/", 1)[1] for p in written]


def test_a_second_run_replaces_the_pictures_of_the_first(lecture, tmp_path):
    folder = tmp_path / "slides"
    folder.mkdir()
    (folder / "step-099.svg").write_text("old")
    (folder / "notes.txt").write_text("mine")
    write_frames(lecture, folder)
    names = sorted(p.name for p in folder.iterdir())
    assert "step-099.svg" not in names and "notes.txt" in names and len(names) == 17
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".gradviz")]


def test_bad_folders_fail_before_any_work(lecture, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(GradvizError, match="it is a file, not a folder"):
        write_frames(lecture, afile)
    with pytest.raises(GradvizError, match="does not exist"):
        write_frames(lecture, tmp_path / "missing" / "slides")
    with pytest.raises(GradvizError, match="pictures per step are svg or png"):
        frame_pictures(lecture, "jpg")
    with pytest.raises(GradvizError, match="made from a gradviz.Trace"):
        frame_pictures(lecture.to_networkx())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_too_many_steps_write_nothing(lecture, tmp_path, monkeypatch):
    monkeypatch.setattr(frames_module, "MAX_FRAMES", 10)
    with pytest.raises(GradvizError, match="16 steps, more than the 10 pictures allowed"):
        write_frames(lecture, tmp_path / "slides")
    monkeypatch.setattr(frames_module, "MAX_GIF_FRAMES", 5)
    with pytest.raises(GradvizError, match="16 steps, more than the 5 pictures"):
        gradviz.render(lecture, tmp_path / "sweeps.gif")
    assert list(tmp_path.iterdir()) == []


def test_the_gif_holds_every_step(lecture, tmp_path):
    from PIL import Image

    path = gradviz.render(lecture, tmp_path / "sweeps.gif")
    image = Image.open(path)
    assert image.format == "GIF" and image.n_frames == 16 and image.info["loop"] == 0
    durations = []
    pictures = []
    for k in range(image.n_frames):
        image.seek(k)
        durations.append(image.info["duration"])
        pictures.append(image.convert("RGB"))
    assert durations == [frames_module.STEP_MS] * 15 + [frames_module.LAST_MS]
    assert pictures[0].tobytes() != pictures[1].tobytes() != pictures[-1].tobytes()
    # the current node's outline, in the page's colour, in the first picture
    assert (0xd8, 0x1b, 0x60) in {colour for _n, colour in pictures[0].getcolors(1 << 20)}


def test_a_gif_without_pillow_says_what_to_install(lecture, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(GradvizError, match=r"needs Pillow: pip install 'gradviz\[plot\]'"):
        gif_bytes(lecture)


def test_render_frames_true_writes_the_folder(lecture, tmp_path):
    assert gradviz.render(lecture, tmp_path / "s", frames=True) == str(tmp_path / "s")
    assert len(list((tmp_path / "s").glob("step-*.svg"))) == 16
