"""The embedded default's mail backend: every message one ``.eml`` file in ``EMAIL_FILE_PATH``.

Django's own file backend appends a connection's messages to one ``.log`` file; one file per
message, named by time and Message-ID, opens in any mail program and is what `make run` shows.
"""

import re
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, *args, file_path: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.directory = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            mime = message.message()
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            ident = re.sub(r"[^A-Za-z0-9.-]", "", mime["Message-ID"] or "")[:80]
            path = self.directory / f"{stamp}-{ident}.eml"
            # Written aside and renamed, so a reader never sees half a message.
            partial = path.with_suffix(".part")
            partial.write_bytes(mime.as_bytes())
            partial.rename(path)
        return len(email_messages)
