"""A real registry environment for tests and benchmarks: distribution with token auth, a
spec-following token server, a storage host behind the registry's 307 redirect, and images."""
