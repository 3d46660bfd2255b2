"""Fault injection: services that go away mid-work, bytes damaged at rest (issue #11)."""
