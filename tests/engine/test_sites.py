"""A node's source site is the innermost frame outside gradviz's own modules, told by module
identity: not by how many frames up the call is, nor by where the file lies on disk."""

import os

import gradviz
import gradviz.numpy as np
from gradviz.engine.source import describe_site, site_location


def _sites_of(trace):
    return [site_location(node.site) for node in trace.nodes[1:]]


def test_user_code_in_a_folder_inside_the_package_is_the_users():
    # A script saved beside gradviz's own files is still a script, not gradviz.
    path = os.path.join(os.path.dirname(gradviz.__file__), "a_users_script.py")
    namespace = {"__name__": "__main__", "np": np}
    exec(compile("def f(x):\n    return np.sin(x) * 2.0\n", path, "exec"), namespace)
    trace = gradviz.trace(namespace["f"], 0.5)
    assert [location[:2] for location in _sites_of(trace)] == [(path, 2), (path, 2)]


def test_a_call_from_inside_gradviz_is_sited_at_the_users_line():
    trace = gradviz.trace(lambda x: np.mean(x * 3.0), np.ones(4))  # mean calls sum inside gradviz
    lines = {location[1] for location in _sites_of(trace)}
    assert all(location[0] == __file__ for location in _sites_of(trace))
    assert len(lines) == 1 and "np.mean(x * 3.0)" in describe_site(trace.nodes[-1].site)


def test_the_training_models_are_sited_in_their_own_lines():
    from gradviz.train.moons import logistic_model, moons_data

    model = logistic_model()
    inputs, labels = moons_data(20)
    trace = gradviz.trace(lambda w: model.loss(w, inputs, labels), model.initial)
    files = {os.path.basename(location[0]) for location in _sites_of(trace) if location}
    assert files == {"moons.py"}
