"""Named random streams.

Every run is a pure function of ``(inputs, seed)``. A replication is identified by a key
``(date ordinal, replication index)`` and each *source* of randomness by a name
(``"arrivals/payment/regular"``, ``"patience/payment/regular"``, ``"kiosk_failure/…"``). The
stream for ``(seed, key, name)`` is ``SeedSequence(seed, spawn_key=(*key, crc32(name)))`` —
exactly the child ``SeedSequence(seed).spawn(…)`` would give at that position, but addressable
by name, so adding a stream or a counter never shifts the numbers another source sees
(common random numbers across what-ifs), and results do not depend on the number of workers.
"""

from __future__ import annotations

import zlib

import numpy as np


def name_key(name: str) -> int:
    """Stable 32-bit key of a stream name (crc32; not Python's salted ``hash``)."""
    return zlib.crc32(name.encode("utf-8"))


def named_stream(seed: int, key: tuple[int, ...], name: str) -> np.random.Generator:
    """The generator for source ``name`` in replication ``key`` of a run seeded ``seed``."""
    ss = np.random.SeedSequence(entropy=int(seed), spawn_key=(*key, name_key(name)))
    return np.random.Generator(np.random.PCG64(ss))
