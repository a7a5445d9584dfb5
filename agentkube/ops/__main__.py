"""`python -m agentkube.ops env [STACK]`: pulumi's environment as shell `export` lines, for scripts."""

import sys

from .environment import main

sys.exit(main(sys.argv[1:]))
