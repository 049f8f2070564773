"""What a name in a plan may hold (a workload, a pool, a scenario, a hall, a timeline option).

No dot: dots separate the parts of a scenario override's path. No control character: a
carriage return would start a new row in a CSV reader and split a terminal's line. No
text-direction override: it reverses what a terminal or a table shows after it.
"""

from __future__ import annotations

NAME_PATTERN = r"^[^.\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]+$"
