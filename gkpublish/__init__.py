"""gkpublish: 政务公开 sites from git, behind compliance gates taken from the regulations."""

import os

__version__ = "0.1.0"

# Every git process gkpublish starts (GitPython's cat-file for --trust-ref, the history pass,
# the release commit) reads the history as committed: `git replace` refs and grafts would let a
# local ref swap a trusted roster, a trusted sign-off record or a commit date for another.
os.environ["GIT_NO_REPLACE_OBJECTS"] = "1"
