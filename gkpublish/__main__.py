from gkpublish.cli import run

run()
