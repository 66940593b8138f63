"""Predictive learners: what an agent predicts (features) and how its learned state starts.

The per-tick learning and acting rules are numba kernels in ``alife.kernels.learner``.
"""
