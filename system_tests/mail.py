"""A real SMTP server (aiosmtpd) the notification service sends to in the system tests: it keeps
every message it accepted, and can be stopped and started again on the same port (the relay
down for a while)."""

import re
import threading
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller

from ecom_common.testing.processes import free_port
from system_tests.stack import wait_until


class _Keep:
    def __init__(self, server: "MailServer"):
        self.server = server

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        with self.server.lock:
            self.server.received.append(message)
        return "250 Message accepted for delivery"


class MailServer:
    def __init__(self):
        self.port = free_port()
        self.received: list[EmailMessage] = []
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        """The notification service's EMAIL_URL."""
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> "MailServer":
        self._controller = Controller(_Keep(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str, kind: str | None = None) -> list[EmailMessage]:
        """What arrived for ``address`` (of one kind: the X-Shop-Message-Kind header)."""
        with self.lock:
            return [
                message
                for message in self.received
                if message["To"] == address and (kind is None or message["X-Shop-Message-Kind"] == kind)
            ]

    def wait_for(self, address: str, kind: str, *, count: int = 1, timeout: float = 60) -> list[EmailMessage]:
        wait_until(
            lambda: len(self.to(address, kind)) >= count,
            timeout=timeout,
            message=f"{count} {kind} mail(s) to {address}",
        )
        return self.to(address, kind)


def body_text(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def link_token(message: EmailMessage) -> str:
    """The token in the mail's link (…?token=…)."""
    return re.search(r"\?token=(\S+)", body_text(message))[1]
