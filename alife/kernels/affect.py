"""Affect's drives: what moves the slow, unnamed affect dimensions (alife.kernels.mind has
the equations: each drive is standardised by the agent's own running mean and variance, and
a leaky integral of them, squashed once, is the affect e).

There is no constant drive: a constant would only turn affect into a fixed, inherited offset.
"""

DRIVE_NAMES = ("surprise", "energy_gain", "reward_change", "crowding", "food_here", "progress")
N_DRIVES = len(DRIVE_NAMES)
