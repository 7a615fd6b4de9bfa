"""Loopback simulators of the channel APIs Tanggap talks to (for the demo and the tests)."""
