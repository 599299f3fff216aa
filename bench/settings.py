"""Benchmark-only settings: production settings plus the bench URLconf (with the baseline view).

Used only by bench/run.py; never by a deployment, so the baseline view is not reachable there.
"""

from p2c_portal.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
