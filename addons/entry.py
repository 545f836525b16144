"""Load acrproxy into mitmproxy: `mitmdump -s addons/entry.py` (or mitmweb -s ...).

acrproxy must be installed in mitmproxy's Python (`make venv`, then use `.venv/bin/mitmdump`).
"""

from acrproxy.addons import Acrproxy

addons = [Acrproxy()]
