"""The test environment is the package's lab (acrproxy.lab.env), shared with `acrproxy demo`."""

from acrproxy.lab.env import (
    AUTH_HOST,
    ISSUER,
    REGISTRY_HOST,
    SERVICE,
    STORAGE_HOST,
    RegistryEnv,
    free_port,
    make_oci_image,
    missing_prerequisites,
    skopeo,
    wait_for_port,
)

__all__ = [
    "AUTH_HOST",
    "ISSUER",
    "REGISTRY_HOST",
    "SERVICE",
    "STORAGE_HOST",
    "RegistryEnv",
    "free_port",
    "make_oci_image",
    "missing_prerequisites",
    "skopeo",
    "wait_for_port",
]
