"""A calibration profile as a plan carries it: the whole profile, its name and a hash of its
content, so a plan mailed to a colleague keeps its numbers and a damaged or hand-edited
profile is noticed rather than silently used."""

from __future__ import annotations

import hashlib
import json
import math

PROFILE_FORMAT = "inference-planner-calibration-profile"


def profile_sha256(profile: dict) -> str:
    """SHA-256 of the profile's canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(profile, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def profile_problem(profile) -> str | None:
    """What makes ``profile`` unusable, or None."""
    if not isinstance(profile, dict) or profile.get("format") != PROFILE_FORMAT:
        return f"not a calibration profile (format {PROFILE_FORMAT!r})"
    fits = profile.get("fits")
    if not isinstance(fits, dict) or not fits:
        return "a calibration profile needs fits (one per engine/family it calibrates)"
    for pair, fit in fits.items():
        if not isinstance(pair, str) or pair.count("/") != 1 or not isinstance(fit, dict):
            return f"fit {pair!r} is not an engine/family fit"
        for name, value in fit.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if not math.isfinite(value):
                return f"fit {pair!r}: {name} is not a finite number"
        if not isinstance(fit.get("cases"), list) or "median_abs_error_pct" not in fit:
            return f"fit {pair!r} does not record its cases and error"
    return None
