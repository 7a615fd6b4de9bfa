"""Channel credentials: Prefect Secret blocks, or an environment variable for the demo.

The value is never logged, stored in the database or put in an artifact.
"""

from __future__ import annotations

import os


class MissingSecret(LookupError):
    pass


def env_name(secret_name: str) -> str:
    return "TANGGAP_SECRET_" + secret_name.upper().replace("-", "_")


def load_secret(secret_name: str) -> str:
    value = os.environ.get(env_name(secret_name))
    if value:
        return value
    from prefect.blocks.system import Secret

    try:
        return Secret.load(secret_name).get()
    except ValueError as exc:  # raised by Prefect when no block has that name
        raise MissingSecret(
            f"no Secret block '{secret_name}' and no environment variable {env_name(secret_name)}"
        ) from exc
