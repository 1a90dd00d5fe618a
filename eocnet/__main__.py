"""``python -m eocnet``: the command line, as the ``eocnet`` script."""

from eocnet.cli import main

main()
