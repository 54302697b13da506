# Hypothesis profiles: `ci` (bounded, the default) and `thorough` (THEAD_HYPOTHESIS_PROFILE=thorough).
import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=5000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("THEAD_HYPOTHESIS_PROFILE", "ci"))
