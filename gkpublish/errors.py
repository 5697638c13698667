"""Errors that stop a command (exit code 2) with one Chinese line on stderr."""


class GkError(Exception):
    """The command cannot run: bad arguments or unreadable configuration.

    The message is shown to the user as it is, so it names the file, the line where
    known, and what to do.
    """

    exit_code = 2
