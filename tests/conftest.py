"""Hypothesis profiles for the whole suite.

``ci`` (the default) is deterministic, so that a red run can be reproduced;
``dev`` explores randomly and prints a blob to replay what it found.
Choose one with ``HYPOTHESIS_PROFILE=dev``.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, max_examples=100, deadline=None)
settings.register_profile("dev", max_examples=50, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
