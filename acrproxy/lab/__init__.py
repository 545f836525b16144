"""A registry lab on this machine: a real registry (Debian's docker-registry, i.e. distribution),
a token server that follows the spec, a storage host behind the registry's 307, a test PKI and a
small registry client. The end-to-end tests and `acrproxy demo` share it."""
