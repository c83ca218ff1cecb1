"""Till PINs: what one looks like and the one way it is hashed.

argon2id at OWASP's minimum memory setting (19 MiB, 2 passes): strong enough that a stolen
store does not give up 4–8 digit PINs instantly, quick enough (tens of ms) for a cashier at
the till. The till, head office's staff pages and the demo seed all hash with ``PIN_HASHER``,
so a PIN set anywhere verifies at the till as quickly as one set on it.
"""

from __future__ import annotations

import re

from argon2 import PasswordHasher

PIN_PATTERN = re.compile(r"\d{4,8}")
PIN_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
