"""The ports the stack hands its servers: each one kept for the server it was picked for."""

import errno
import socket

import pytest

from ecom_common.testing.processes import free_port


def test_a_port_handed_out_is_bound_by_no_one_else():
    port = free_port()

    with socket.socket() as other, pytest.raises(OSError, match="Address already in use") as refused:
        other.bind(("127.0.0.1", port))
    assert refused.value.errno == errno.EADDRINUSE
    assert port not in {free_port() for _ in range(20)}


def test_the_server_started_on_a_port_handed_out_listens_and_is_answered():
    port = free_port()

    with socket.socket() as server:  # as gunicorn, nginx, aiosmtpd and Prometheus bind
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            accepted, _ = server.accept()
            client.sendall(b"ping")
            assert accepted.recv(4) == b"ping"
            accepted.close()
