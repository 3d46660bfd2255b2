"""``python -m govbudget.cli``: the same as the ``govbudget`` script."""

from govbudget.cli import app

app()
