"""``python -m eocnet.cli``: the same as the ``eocnet`` script."""

from eocnet.cli import main

main()
