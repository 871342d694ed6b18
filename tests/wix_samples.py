"""Wix's published request/response examples, read at run time from $WIX_SAMPLES_DIR or ../shared/wix-samples
beside the checkout (never copied into the project). Without them the tests that need them are skipped loudly,
and fail under CI=true."""

import json
import os
from pathlib import Path

import pytest

SAMPLES_DIR = Path(os.environ.get("WIX_SAMPLES_DIR") or Path(__file__).resolve().parent.parent.parent
                   / "shared" / "wix-samples")


def sample(name: str):
    path = SAMPLES_DIR / name
    if not path.exists():
        reason = f"Wix sample {name} not found in {SAMPLES_DIR} (set WIX_SAMPLES_DIR)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; samples cannot be skipped under CI=true.")
        print(f"\n!!! SKIPPING: {reason} !!!\n")
        pytest.skip(reason)
    return json.loads(path.read_text())


def keys(value, prefix: str = "") -> set[str]:
    """Every key path of a JSON value (lists contribute their items' keys under `[]`)."""
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            found.add(path)
            found |= keys(item, path)
    elif isinstance(value, list):
        for item in value:
            found |= keys(item, f"{prefix}[]")
    return found
