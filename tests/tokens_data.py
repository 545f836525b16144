"""Tokens shaped like each registry's (their documented claims), signed with a test key."""

import base64
import time

import jwt

KEY = "k" * 32
NOW = int(time.time())


def make(claims: dict, **header: str) -> str:
    return jwt.encode(claims, KEY, algorithm="HS256", headers=header or None)


DOCKER_HUB = make(
    {
        "iss": "auth.docker.io",
        "sub": "",
        "aud": "registry.docker.io",
        "exp": NOW + 300,
        "nbf": NOW - 300,
        "iat": NOW,
        "jti": "dckr_jti_x",
        "access": [
            {
                "type": "repository",
                "name": "library/ubuntu",
                "actions": ["pull"],
                "parameters": {"pull_limit": "100", "pull_limit_interval": "21600"},
            }
        ],
    },
    kid="PYYO:TEWU:V7JH",
)
QUAY = make(
    {
        "iss": "quay",
        "aud": "quay.io",
        "sub": "(anonymous)",
        "exp": NOW + 3600,
        "access": [{"type": "repository", "name": "org/app", "actions": ["pull"]}],
        "context": {"kind": "anonymous", "com.apostille.roots": {}},
    }
)
GITLAB_USER = make({"user_info": {"token_type": "personal_access_token", "username": "bob"}})
GITLAB = make(
    {
        "iss": "gitlab-issuer",
        "aud": "container_registry",
        "sub": "bob",
        "auth_type": "gitlab_or_ldap",
        "user": GITLAB_USER,
        "access": [
            {
                "type": "repository",
                "name": "grp/proj",
                "actions": ["pull", "push"],
                "meta": {"project_path": "grp/proj", "project_id": 7},
            }
        ],
    }
)
ACR_REFRESH = make(
    {
        "jti": "j",
        "sub": "user@contoso.com",
        "nbf": NOW,
        "exp": NOW + 10800,
        "iat": NOW,
        "iss": "Azure Container Registry",
        "aud": "contoso.azurecr.io",
        "version": "1.0",
        "grant_type": "refresh_token",
        "tenant": "t-1",
        "permissions": {"actions": ["*"], "notActions": []},
        "roles": [],
    }
)
ACR_ACCESS = make(
    {
        "jti": "j",
        "sub": "user@contoso.com",
        "nbf": NOW,
        "exp": NOW + 10800,
        "iat": NOW,
        "iss": "Azure Container Registry",
        "aud": "contoso.azurecr.io",
        "version": "1.0",
        "grant_type": "access_token",
        "roles": [],
        "access": [{"type": "registry", "name": "catalog", "actions": ["*"]}],
    }
)
GHCR_ANON = base64.b64encode(b"v1:user/image:1700000000000000000").decode()
