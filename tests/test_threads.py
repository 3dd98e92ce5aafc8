"""The thread policy of ganet.numeric.runtime.threads: the BLAS thread chooser keeps the faster
setting, counts its steps, and leaves BLAS as it found it; the products in halves are the
products, the same whether a helper thread runs one half or not."""

import os
import time

import numpy as np  # noqa: F401  (loads the BLAS that threadpoolctl controls)
import pytest
from threadpoolctl import ThreadpoolController

from ganet.numeric.runtime import threads
from ganet.numeric.runtime.threads import FastestBlasThreads, matmul, matmul_t


def _blas_threads():
    return max(lib.num_threads for lib in ThreadpoolController().select(user_api="blas").lib_controllers)


@pytest.fixture
def own_threads():
    own = _blas_threads()
    if own < 2:
        pytest.skip("BLAS runs one thread here: there is nothing to choose")
    return own


@pytest.mark.parametrize("slow_when_threaded", [True, False])
def test_keeps_the_faster_setting(own_threads, slow_when_threaded):
    seen = []

    def step():  # a step that is slow under one of the two settings
        threads = _blas_threads()
        seen.append(threads)
        time.sleep(0.02 if (threads > 1) == slow_when_threaded else 0.0)

    chooser = FastestBlasThreads(probe_steps=2)
    done = chooser.run(step, seconds=30.0, max_steps=10)
    assert done == len(seen) == 10  # the probe's steps count toward max_steps
    assert sorted(set(seen[:4])) == [1, own_threads]  # the probe ran both settings
    assert set(seen[4:]) == {1 if slow_when_threaded else own_threads}
    assert _blas_threads() == own_threads  # restored


def test_runs_at_least_once_and_at_most_max_steps(own_threads):
    calls = []
    chooser = FastestBlasThreads(probe_steps=3)
    assert chooser.run(lambda: calls.append(1), seconds=0.0, max_steps=1) == 1  # too few for a probe
    assert chooser.run(lambda: calls.append(1), seconds=10.0, max_steps=7) == 7
    assert len(calls) == 8


def test_a_probe_stops_at_the_budget_too(own_threads):
    calls = []

    def step():  # each step is longer than the whole budget
        calls.append(_blas_threads())
        time.sleep(0.05)

    chooser = FastestBlasThreads(probe_steps=3)
    before = chooser.threads
    assert chooser.run(step, seconds=0.01, max_steps=100) == 1  # not the probe's 6 steps
    assert chooser.threads == before  # one setting timed: nothing to choose from
    # the next call, with time for it, probes both settings
    assert chooser.run(step, seconds=1.0, max_steps=6) == 6
    assert sorted(set(calls[1:])) == [1, own_threads]


@pytest.mark.parametrize("shape", [(2000, 1500, 12), (2000, 1501, 7), (30, 20, 3)])
def test_products_in_halves_are_the_products_whatever_thread_runs_a_half(shape, monkeypatch):
    n, q, k = shape
    rng = np.random.default_rng(0)
    Q = np.asfortranarray(rng.normal(size=(n, q)))
    A, W = rng.normal(size=(n, k)), rng.normal(size=(q, k))
    np.testing.assert_allclose(matmul_t(Q, A), Q.T @ A, rtol=1e-12, atol=1e-12 * np.sqrt(n))
    np.testing.assert_allclose(matmul(Q, W), Q @ W, rtol=1e-12, atol=1e-12 * np.sqrt(q))
    assert matmul(Q, W).flags.f_contiguous
    with_helper = matmul_t(Q, A), matmul(Q, W)
    monkeypatch.setattr(threads, "_helper", (False, os.getpid()))  # as on one CPU: both halves here
    alone = matmul_t(Q, A), matmul(Q, W)
    for a, b in zip(with_helper, alone):
        assert np.array_equal(a, b)  # bit for bit: the halves are fixed by the shape


def test_products_in_halves_work_in_a_forked_child():
    """A child forked after a product inherits the helper executor without its thread; its own
    products must not wait for that thread forever."""
    import multiprocessing

    Q = np.asfortranarray(np.random.default_rng(1).normal(size=(2000, 1500)))
    A = np.ones((2000, 8))  # (2.4·10⁷ multiply-adds: computed in halves)
    expected = matmul_t(Q, A)  # (the parent's helper thread now exists)
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        result = pool.apply_async(matmul_t, (Q, A)).get(timeout=60)
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("loss", ["squared", "logistic", "hinge"])
def test_every_working_set_fit_runs_its_solves_on_one_blas_thread(monkeypatch, loss):
    """Only the squared loss's solver limited BLAS to one thread; the logistic fit of the disc
    (n = 1000) then spent 0.9 s idle and 7.1 s beside two busy processes in the dual active set's
    rank-one updates, each call paying for the synchronization of two BLAS threads. The limit is
    now the working-set loop's own: every pricing call of every loss sees one BLAS thread (on a
    machine where BLAS has one anyway this cannot fail)."""
    from ganet import ConvexReLUClassifier
    from ganet.numeric.oracles.protocol import ColumnOracle

    seen, violators = [], ColumnOracle.violators

    def spy(self, *args, **kwargs):
        seen.append(_blas_threads())
        return violators(self, *args, **kwargs)

    monkeypatch.setattr(ColumnOracle, "violators", spy)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    before = _blas_threads()
    ConvexReLUClassifier(loss=loss, lam=0.1).fit(X, np.sum(X ** 2, axis=1) < 1.2)
    assert seen and max(seen) == 1
    assert _blas_threads() == before  # (restored after the fit)
