"""Subcommands of the gkpublish CLI, one module each (see gkpublish.cli)."""
