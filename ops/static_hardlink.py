"""Hardlinks identical files under a folder: the image's six collected static trees
(/app/static/<service>) are mostly the same admin, DRF and Swagger UI files, and a second copy
of a file in the same image layer then costs nothing.

    python ops/static_hardlink.py /app/static     # prints what it saved

Standard library only: it runs in the Dockerfile's build stage.
"""

import hashlib
import os
import sys
from pathlib import Path


def hardlink_duplicates(root: Path) -> tuple[int, int]:
    """Replaces each file whose content an earlier one has by a hardlink to it; returns (files
    linked, bytes saved)."""
    first_of: dict[tuple[int, str], Path] = {}
    linked = saved = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        size = path.stat().st_size
        key = (size, hashlib.sha256(path.read_bytes()).hexdigest())
        original = first_of.setdefault(key, path)
        if original is path or os.path.samefile(original, path):
            continue
        temporary = path.with_name(path.name + ".hardlink")
        os.link(original, temporary)
        os.replace(temporary, path)
        linked += 1
        saved += size
    return linked, saved


if __name__ == "__main__":
    files, size = hardlink_duplicates(Path(sys.argv[1]))
    print(f"{files} duplicate static files hardlinked, {size / 1e6:.0f} MB saved")
