import sys

from alife.cli import main

sys.exit(main())
