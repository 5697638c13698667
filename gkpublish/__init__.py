"""gkpublish: 政务公开 sites from git, behind compliance gates taken from the regulations."""

__version__ = "0.1.0"
