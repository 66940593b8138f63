"""The learner's rules on hand-made inputs: surprise, curiosity, reward, updates, choice."""

import math

import numpy as np
import pytest

from alife.kernels.learner import curiosity_of, imagine_and_choose, learn_transition
from alife.kernels.sense import N_ACTIONS

P = 2  # two features; inputs are [x0, x1, 1]


def _learner(p=P):
    return {
        "model_a": np.zeros((p, p + 1), np.float32),
        "value": np.zeros(p + 1, np.float32),
        "err_fast": np.zeros(N_ACTIONS, np.float32),
        "err_slow": np.zeros(N_ACTIONS, np.float32),
        "visits": np.zeros(N_ACTIONS, np.int32),
    }


def _rows(models):
    """Models in the natural (A, P, P+1) order as the kernels take them: (1, P+1, A·P)."""
    a, p, inputs = models.shape
    return np.ascontiguousarray(models.transpose(2, 0, 1)).reshape(1, inputs, a * p)


def _natural(rows):
    """The inverse of _rows: (1, P+1, A·P) -> (A, P, P+1)."""
    inputs = rows.shape[1]
    return rows[0].reshape(inputs, N_ACTIONS, inputs - 1).transpose(1, 2, 0)


def _scratch(p):
    return np.zeros((1, N_ACTIONS * p), np.float32)


def _learn(st, x_old, x_new, prediction, a=0, gain=0.0, ew=1.0, cw=0.5, progress=False,
           k_fast=0.1, k_slow=0.01, model_lr=1.0, value_lr=0.5, discount=0.9, learning=True,
           bonus=0.0):
    f32 = np.float32
    natural = np.zeros((N_ACTIONS,) + st["model_a"].shape, np.float32)
    natural[a] = st["model_a"]
    model = _rows(natural)
    value, err_fast, err_slow, visits = (st[k][None] for k in ("value", "err_fast", "err_slow",
                                                                "visits"))
    out = learn_transition(0, a, np.asarray(x_old, f32)[None], np.asarray(x_new, f32)[None],
                           np.asarray(prediction, f32)[None], model, value, err_fast, err_slow,
                           visits, f32(gain), f32(ew), f32(cw), progress, f32(k_fast),
                           f32(k_slow), f32(model_lr), f32(value_lr), f32(discount), learning,
                           f32(bonus), _scratch(len(prediction)), 0)
    st["model_a"][:] = _natural(model)[a]
    for k, arr in (("value", value), ("err_fast", err_fast), ("err_slow", err_slow),
                   ("visits", visits)):
        st[k][:] = arr[0]
    return out


def test_surprise_and_raw_curiosity_reward():
    st = _learner()
    surprise, progress, reward = _learn(st, [1, 0, 1], [0.5, 0.5, 1], [0.5, 0.0], gain=0.2,
                                        ew=2.0, cw=0.5, progress=False, learning=False)
    assert surprise == pytest.approx(0.5)
    assert reward == pytest.approx(2.0 * 0.2 + 0.5 * 0.5)
    _, _, with_bonus = _learn(_learner(), [1, 0, 1], [0.5, 0.5, 1], [0.5, 0.0], gain=0.2, ew=2.0,
                              cw=0.5, learning=False, bonus=-0.1)  # the affect term adds on
    assert with_bonus == pytest.approx(2.0 * 0.2 + 0.5 * 0.5 - 0.1)
    assert progress == 0.0  # first visit: both running errors start at the surprise
    assert st["err_fast"][0] == pytest.approx(0.5) and st["err_slow"][0] == pytest.approx(0.5)
    assert not st["model_a"].any() and not st["value"].any()  # learning off: nothing changes


def test_learning_progress_is_the_drop_of_the_running_error():
    st = _learner()
    _learn(st, [1, 0, 1], [1.0, 0.0, 1], [0.0, 0.0], progress=True, learning=False)  # s = 1
    surprise, progress, reward = _learn(st, [1, 0, 1], [0.2, 0.0, 1], [0.0, 0.0], gain=0.0,
                                        cw=0.5, progress=True, learning=False)  # s = 0.2
    fast = 1.0 + 0.1 * (0.2 - 1.0)
    slow = 1.0 + 0.01 * (0.2 - 1.0)
    assert surprise == pytest.approx(0.2)
    assert progress == pytest.approx(slow - fast)
    assert reward == pytest.approx(0.5 * (slow - fast))
    # a rising error is negative progress, and curiosity never goes below zero
    _learn(st, [1, 0, 1], [5.0, 0.0, 1], [0.0, 0.0], progress=True, learning=False)
    assert st["err_slow"][0] - st["err_fast"][0] < 0
    assert curiosity_of(st["err_fast"][None], st["err_slow"][None], 0, 0, True) == 0.0


def test_one_normalised_lms_step_shrinks_the_error_as_specified():
    st = _learner()
    x_old = np.array([1.0, 2.0, 1.0], np.float32)
    target = np.array([3.0, -1.0], np.float32)
    _learn(st, x_old, np.append(target, 1), [0.0, 0.0], model_lr=0.5, learning=True)
    after = st["model_a"] @ x_old
    norm = float(x_old @ x_old)
    shrink = 1 - 0.5 * norm / (1 + norm)
    np.testing.assert_allclose(target - after, target * shrink, rtol=1e-5)


def test_td_step_moves_value_towards_reward_plus_discounted_next_value():
    st = _learner()
    st["value"][:] = [0.0, 1.0, 0.0]
    x_old = np.array([1.0, 0.0, 1.0], np.float32)
    x_new = np.array([0.0, 1.0, 1.0], np.float32)
    _learn(st, x_old, x_new, [0.0, 1.0], gain=1.0, ew=1.0, cw=0.0, value_lr=0.5, discount=0.9)
    td = 1.0 + 0.9 * 1.0 - 0.0
    step = 0.5 * td / (1 + 2.0)
    np.testing.assert_allclose(st["value"], [step, 1.0, step], rtol=1e-5)


def test_progress_curiosity_ignores_unlearnable_noise_that_surprise_chases():
    rng = np.random.default_rng(0)
    x_old = np.array([1.0, 0.0, 1.0], np.float32)
    pred = np.zeros(P, np.float32)

    def live(outcome, steps=2000):
        st, progress = _learner(), []
        for _ in range(steps):
            pred[:] = st["model_a"] @ x_old
            progress.append(_learn(st, x_old, outcome(), pred, model_lr=0.05, progress=True)[1])
        return st, np.array(progress)

    noisy, noisy_progress = live(lambda: np.append(rng.uniform(-1, 1, P), 1).astype(np.float32))
    learnt, learnt_progress = live(lambda: np.array([0.7, -0.3, 1.0], np.float32))
    # raw surprise stays high for noise and vanishes for what can be learnt: drawn to noise
    assert curiosity_of(noisy["err_fast"][None], noisy["err_slow"][None], 0, 0, False) > 0.4
    assert curiosity_of(learnt["err_fast"][None], learnt["err_slow"][None], 0, 0, False) < 0.01
    # learning progress: clearly positive while learning, about zero for noise
    assert learnt_progress[5:100].mean() > 0.1
    assert abs(noisy_progress[500:].mean()) < 0.02


def _choose(model, value, temperature, forced=-1, seed=1):
    p = model.shape[1]
    rng = np.array([[seed, 0]], np.uint64)
    scores = np.zeros((1, N_ACTIONS), np.float32)
    prediction = np.zeros((1, p), np.float32)
    zeros = np.zeros((1, N_ACTIONS), np.float32)
    x = np.array([[0.0, 0.0, 1.0]], np.float32)
    a, explored = imagine_and_choose(0, x, _rows(model), value[None], zeros, zeros,
                                     np.float32(0.0), False, np.float32(temperature), rng,
                                     scores, prediction, forced, _scratch(p), 0)
    np.testing.assert_array_equal(prediction[0], model[a] @ x[0])  # the chosen outcome
    return a, explored, scores[0], rng


def test_the_action_whose_imagined_outcome_is_valued_most_is_chosen():
    model = np.zeros((N_ACTIONS, P, P + 1), np.float32)
    model[2, 0, 2] = 1.0  # only "east" is expected to bring feature 0 (say, food) to 1
    value = np.array([1.0, 0.0, 0.0], np.float32)
    a, explored, probs, _ = _choose(model, value, temperature=0.01)
    assert a == 2 and not explored and probs[2] > 0.999
    _, _, probs_hot, _ = _choose(model, value, temperature=100.0)
    assert np.all(np.abs(probs_hot - 0.2) < 0.01)  # hot: nearly uniform
    assert math.isclose(float(probs_hot.sum()), 1.0, rel_tol=1e-5)


def test_a_forced_action_draws_the_same_random_numbers():
    model = np.zeros((N_ACTIONS, P, P + 1), np.float32)
    value = np.zeros(P + 1, np.float32)
    a_free, _, _, rng_free = _choose(model, value, 1.0)
    a_forced, _, _, rng_forced = _choose(model, value, 1.0, forced=4)
    assert a_forced == 4
    np.testing.assert_array_equal(rng_free, rng_forced)
