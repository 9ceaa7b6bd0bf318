"""Test support: real servers and builders shared by tests and benchmarks."""
