"""Value types of the user's own: a Box subclass and a VSpace subclass registered for a class
of the user's, as autograd programs do (``MyBox.register(MyType)``). Every derivative here is
compared with autograd's, and the registries are emptied after each test: gradviz's own
values never need one, and while none is registered the recorder takes its short cuts."""

from __future__ import annotations

import subprocess
import sys
import warnings

import autograd
import autograd.extend
import numpy as onp
import pytest

import gradviz
import gradviz.extend
from gradviz.engine.values import box_types, vspace_makers


@pytest.fixture(autouse=True)
def registries_restored():
    boxes, spaces = dict(box_types), dict(vspace_makers)
    yield
    box_types.clear()
    box_types.update(boxes)
    vspace_makers.clear()
    vspace_makers.update(spaces)


def interval_type(ext):
    """A segment [lo, hi] of the line as one value: its two ends are its coordinates."""

    class Segment:
        def __init__(self, lo, hi):
            self.lo, self.hi = lo, hi

        @ext.primitive
        def mass(self, density):
            return density * (self.hi ** 2 - self.lo ** 2) / 2.0

    ext.defvjp(Segment.mass,
               lambda ans, s, d: lambda g: Segment(-g * d * s.lo, g * d * s.hi),
               lambda ans, s, d: lambda g: g * (s.hi ** 2 - s.lo ** 2) / 2.0)

    class SegmentBox(ext.Box, Segment):
        @property
        def lo(self):
            return self._value.lo

        @property
        def hi(self):
            return self._value.hi

    SegmentBox.register(Segment)

    class SegmentSpace(ext.VSpace):
        def __init__(self, value):
            pass

        def zeros(self):
            return Segment(0.0, 0.0)

        def _add(self, s, t):
            return Segment(s.lo + t.lo, s.hi + t.hi)

        _mut_add = _add  # autograd adds into a tuple's entries with it (no += on a Segment)

        def _scalar_mul(self, s, a):
            return Segment(s.lo * a, s.hi * a)

        def _inner_prod(self, s, t):
            return s.lo * t.lo + s.hi * t.hi

    SegmentSpace.register(Segment)
    return Segment, SegmentBox, SegmentSpace


def ends(segment):
    return [float(segment.lo), float(segment.hi)]


def run(lib, ext):
    Segment, SegmentBox, SegmentSpace = interval_type(ext)
    s = Segment(0.5, 2.0)
    seen = []

    def weighed(seg, density):
        seen.append((type(seg).__name__, float(seg.hi - seg.lo)))  # the box's attributes
        return seg.mass(density) * density + seg.mass(2.0)

    by_segment = lib.grad(weighed)(s, 3.0)
    by_both = lib.grad(weighed, (0, 1))(s, 3.0)
    second = lib.grad(lib.grad(lambda d: s.mass(d) * d))(3.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        unused = lib.grad(lambda seg, d: d * 2.0)(s, 3.0)
    space = ext.vspace(s)
    summed = space.add(s, space.scalar_mul(s, 2.0))
    return (ends(by_segment) + ends(by_both[0]) + [float(by_both[1]), float(second)] + ends(unused)
            + ends(summed) + [float(space.inner_prod(s, s))], seen, type(space).__name__)


def test_a_registered_type_is_traced_differentiated_and_added_as_autograd_does():
    ours = run(gradviz, gradviz.extend)
    theirs = run(autograd, autograd.extend)
    onp.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    assert ours[1] == theirs[1] == [("SegmentBox", 1.5)] * 2
    assert ours[2] == theirs[2] == "SegmentSpace"


def test_the_gradient_of_a_registered_type_is_that_type():
    Segment, _, _ = interval_type(gradviz.extend)
    g = gradviz.grad(lambda seg: seg.mass(1.0))(Segment(1.0, 3.0))
    assert type(g) is Segment and ends(g) == [-1.0, 3.0]


def test_an_unregistered_type_is_refused_in_one_line():
    class Plain:
        pass

    with pytest.raises(gradviz.GradvizError, match="of type Plain"):
        gradviz.grad(lambda p: 1.0)(Plain())


def test_nothing_of_gradviz_registers_a_box_type():
    """gradviz's own values are all plain Boxes: a registration would send every operation
    down the recorder's general path."""
    code = ("import gradviz, gradviz.numpy, gradviz.scipy, gradviz.builtins, gradviz.misc, "
            "gradviz.tracer, gradviz.test_util\n"
            "from gradviz.engine.values import box_types, vspace_makers\n"
            "print(len(box_types), len(vspace_makers))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "0"]
