"""Shared fixtures: seeded randomness everywhere (hypothesis derandomized, numpy generators)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ganet", derandomize=True, deadline=None, max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ganet")


@pytest.fixture
def rng():
    return np.random.default_rng(20231122)
