"""The subcommands of ``gkpublish report`` (see :mod:`gkpublish.commands.report`)."""
