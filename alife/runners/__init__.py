"""Runners drive a Simulation and write what it produces; they never own rules."""
