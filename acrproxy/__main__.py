import sys

from acrproxy.cli import main

sys.exit(main())
