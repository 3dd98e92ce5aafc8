"""Pricing on a Dask LocalCluster: the same pass, violators and certificate as the local one."""

import numpy as np
import pytest

pytest.importorskip("distributed")

from dask.distributed import Client, LocalCluster, get_task_stream  # noqa: E402

import ganet  # noqa: E402
from ganet import ConvexReLU  # noqa: E402
from ganet.numeric.oracles.streaming import StreamingDictionary  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as c:
        yield c


@pytest.mark.parametrize("pricing", ["scan", "sweep"])
@pytest.mark.parametrize("reg,bias,grid", [("l1", False, False), ("l2", True, True), ("l1", True, True)])
def test_cluster_pass_equals_local_pass_bit_for_bit(client, reg, bias, grid, pricing):
    rng = np.random.default_rng(1)
    # integer grid data have many nearly dependent subsets: the exactly resolved ones are priced too
    X = rng.integers(-3, 4, size=(60, 3)).astype(float) if grid else rng.normal(size=(120, 3))
    R = rng.normal(size=len(X))
    D = StreamingDictionary(X, reg, bias, pricing=pricing)
    local = D.price(R, 0.3, 300)
    D.client = client
    remote = D.price(R, 0.3, 300)
    assert remote.max_score == local.max_score
    assert np.array_equal(remote.columns, local.columns)
    assert np.array_equal(remote.priorities, local.priorities)
    assert remote.visited == local.visited and D.pricing == pricing


def test_an_estimator_with_a_client_fits_the_same_network(client, tmp_path):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(150, 3))
    y = np.sin(2 * X.sum(axis=1))
    local = ConvexReLU(lam=0.01, bias=False, dictionary="streaming").fit(X, y)
    remote = ConvexReLU(lam=0.01, bias=False, dictionary="streaming", client=client).fit(X, y)
    assert remote.objective_ == local.objective_ and remote.dual_gap_ == local.dual_gap_
    assert np.array_equal(remote.columns_, local.columns_) and np.array_equal(remote.coef_, local.coef_)
    assert remote.certify(X, y) == local.certify(X, y)
    remote.save(tmp_path / "m.npz")  # the client is a connection, not saved
    loaded = ganet.load(tmp_path / "m.npz")
    assert loaded.client is None and np.array_equal(loaded.predict(X), remote.predict(X))


@pytest.mark.parametrize("family", ["abs3", "relu3", "relu3_bias"])
def test_a_deep_dictionary_prices_on_the_cluster_bit_for_bit(client, family):
    from ganet.numeric.oracles.families import lifted_family
    from ganet.numeric.oracles.lifted import LiftedDictionary

    rng = np.random.default_rng(3)
    # far from the origin: the bias-free families resolve many subsets exactly, priced apart
    X = rng.normal(size=(14, 2)) + (40.0 if family == "relu3" else 0.0)
    R = rng.normal(size=len(X))
    D = LiftedDictionary(X, lifted_family(family))
    local = D.price(R, 0.05, 200)
    D.client = client
    with get_task_stream(client) as tasks:
        remote = D.price(R, 0.05, 200)
    assert sum("_scan_task" in t["key"] for t in tasks.data) >= 2  # the pass ran on the workers
    assert local.full and remote.full and local.visited == remote.visited > 0
    assert remote.max_score == local.max_score
    assert np.array_equal(remote.columns, local.columns) and len(local.columns) > 0
    assert np.array_equal(remote.priorities, local.priorities)


def test_a_deep_estimator_with_a_client_fits_the_same_network(client):
    from ganet import DeepNarrowAbs, ThreeLayerReLU

    rng = np.random.default_rng(4)
    X = rng.normal(size=(14, 2))
    y = np.abs(X[:, 0]) - X[:, 1]
    for make in (lambda **kw: DeepNarrowAbs(depth=3, lam=0.05, **kw), lambda **kw: ThreeLayerReLU(lam=0.05, **kw)):
        local, remote = make().fit(X, y), make(client=client).fit(X, y)
        assert remote.objective_ == local.objective_ and remote.dual_gap_ == local.dual_gap_
        assert np.array_equal(remote.coef_, local.coef_) and remote.certificate_ == local.certificate_
