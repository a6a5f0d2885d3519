"""`python -m ticonf`: the same command as `ticonf`."""

import sys

from ticonf.cli.main import main

sys.exit(main())
