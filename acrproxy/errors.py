"""acrproxy's few exception types.

    AcrproxyError
    └── ParseError (also a ValueError)      a value could not be parsed
        ├── ChallengeParseError             WWW-Authenticate
        ├── ScopeParseError                 a registry scope string
        ├── TokenDecodeError                a token (JWT or opaque)
        └── CaptureReadError                a HAR or flow file

Parsers raise only these; callers that must never fail (the proxy addons) catch ParseError.
"""


class AcrproxyError(Exception):
    """Raised for every error acrproxy reports to its user."""


class ParseError(AcrproxyError, ValueError):
    """Raised when a value cannot be parsed; the message says where and why."""


class ChallengeParseError(ParseError):
    """Raised when a WWW-Authenticate value is not a list of challenges."""


class ScopeParseError(ParseError):
    """Raised when a scope is not of the form type[(class)]:name:actions."""


class TokenDecodeError(ParseError):
    """Raised when a token is neither a decodable JWT nor a plausible opaque token."""


class CaptureReadError(ParseError):
    """Raised when a capture file (HAR, mitmproxy flows) cannot be read."""
