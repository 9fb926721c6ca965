"""The transfer guard: multi-task only while it orders this metal's held-out cells better."""

import numpy as np

from interlayer.surrogate.gp_prior import Observations
from interlayer.surrogate.transfer import TRANSFER_MARGIN, fit_with_transfer


def two_tasks(n_own, related_function, seed=0, own_function=lambda x: 6.0 + x[:, 0]):
    rng = np.random.default_rng(seed)
    x_own, x_rel = rng.random((n_own, 2)), rng.random((80, 2))
    y_own = own_function(x_own) + 0.1 * rng.standard_normal(n_own)
    y_rel = related_function(x_rel) + 0.05 * rng.standard_normal(80)
    x = np.vstack([x_own, x_rel])
    task = np.r_[np.zeros(n_own, dtype=int), np.ones(80, dtype=int)]
    return Observations(x, task, np.zeros(len(x)), np.r_[y_own, y_rel], np.zeros(len(x), dtype=bool), 2)


def test_guard_falls_back_when_the_related_task_misleads():
    # a rugged related surface drags the shared length scales down: the smooth own task suffers
    model, decision = fit_with_transfer(two_tasks(12, lambda x: 6.0 + 1.5 * np.sin(40 * x[:, 0]) * np.cos(30 * x[:, 1])))
    scores = decision.held_out_log_density
    assert not decision.keep and scores["independent"] > scores["multi_task"]
    assert model.observations.n_tasks == 1 and len(model.observations) == 12


def test_related_task_with_the_same_shape_is_used():
    # six own cells cannot place the bump of sin(6x); 80 related cells of the same shape can
    model, decision = fit_with_transfer(two_tasks(6, lambda x: 5.0 + np.sin(6 * x[:, 0]),
                                                  own_function=lambda x: 6.0 + np.sin(6 * x[:, 0])))
    assert decision.keep and model.hyper.task_correlation > 0.8
    assert decision.misranked_pairs["multi_task"] < decision.misranked_pairs["independent"]
    scores = decision.held_out_log_density
    assert scores["multi_task"] > scores["independent"] + TRANSFER_MARGIN


def test_transfer_that_orders_no_better_is_left_out():
    # twelve own cells of a straight line are ordered as well as their scatter allows: transfer cannot
    # order them better, so it is not taken, though it predicts their values better
    model, decision = fit_with_transfer(two_tasks(12, lambda x: 5.0 + x[:, 0]))
    assert decision.misranked_pairs["multi_task"] == decision.misranked_pairs["independent"]
    assert decision.held_out_log_density["multi_task"] > decision.held_out_log_density["independent"]
    assert not decision.keep and model.observations.n_tasks == 1


def test_too_few_own_cells_leave_the_other_metal_out():
    # two cells cannot tell a related metal from an unrelated one: this metal's model alone decides
    for n_own in (0, 2):
        model, decision = fit_with_transfer(two_tasks(n_own, lambda x: 5.0 + x[:, 0]))
        assert not decision.keep and decision.held_out_log_density == {}
        assert model.observations.n_tasks == 1 and len(model.observations) == n_own
