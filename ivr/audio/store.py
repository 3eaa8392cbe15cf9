"""The one place that knows where audio lives: a folder of files named by their content.

`<sha256>.wav` never changes once written, so it can be cached forever by Twilio or a CDN;
a new recording is a new name. Writes go to a temporary file in the same folder, then an
atomic rename: a crash never leaves half a file under a real name. `manifest.json` beside
the files is the last good copy of "which file plays for which prompt", for when the
database is away.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

NAME = re.compile(r"^[0-9a-f]{64}$")
MANIFEST = "manifest.json"


class AudioStore:
    """The store folder: put bytes in, get a safe path out."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def put(self, data: bytes) -> str:
        """Store the bytes (once) and return their hash, the file's name without `.wav`."""
        digest = hashlib.sha256(data).hexdigest()
        if not self.has(digest):
            self._write(f"{digest}.wav", data)
        return digest

    def has(self, digest: str) -> bool:
        """Whether the file of this hash is in the store."""
        return self.path(digest) is not None

    def path(self, digest: str) -> Path | None:
        """The file of this hash, only if it is a regular file inside the store (no symlinks)."""
        if not NAME.match(digest or ""):
            return None
        candidate = self.root / f"{digest}.wav"
        try:
            if candidate.is_symlink() or not candidate.is_file():
                return None
            if candidate.resolve().parent != self.root.resolve():
                return None
        except OSError:
            return None
        return candidate

    def read(self, digest: str) -> bytes:
        """The bytes of a stored file; FileNotFoundError when it is not there."""
        path = self.path(digest)
        if path is None:
            raise FileNotFoundError(digest)
        return path.read_bytes()

    def remove(self, digest: str) -> bool:
        """Delete a stored file (an admin's purge); True when there was one."""
        path = self.path(digest)
        if path is None:
            return False
        path.unlink(missing_ok=True)
        return True

    def write_manifest(self, entries: dict[tuple[str, str], str]) -> None:
        """Save the current choice of every prompt as the fallback for a database outage."""
        rows = [{"prompt": p, "lang": lang, "hash": h} for (p, lang), h in sorted(entries.items())]
        self._write(MANIFEST, json.dumps({"version": 1, "choices": rows}, indent=1).encode())

    def read_manifest(self) -> dict[tuple[str, str], str]:
        """The last saved manifest, or an empty one when there is none or it is unreadable."""
        try:
            document = json.loads((self.root / MANIFEST).read_text(encoding="utf-8"))
            return {
                (r["prompt"], r["lang"]): r["hash"]
                for r in document["choices"]
                if NAME.match(r["hash"])
            }
        except (OSError, ValueError, KeyError, TypeError):
            return {}

    def _write(self, name: str, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, self.root / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
