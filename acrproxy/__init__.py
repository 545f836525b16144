"""acrproxy: a debugging proxy for container-registry traffic that explains every auth flow."""

__version__ = "0.1.0"
