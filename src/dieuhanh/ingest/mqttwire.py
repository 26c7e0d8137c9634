"""A lean MQTT 3.1.1 client for one job: a persistent QoS-1 subscription whose messages are
acknowledged only once they are stored.

Why not paho for this: paho's network loop reads every packet with several ``recv`` calls (one
for the type byte, one per length byte, one for the body) and builds an ``MQTTMessage`` with its
callbacks for each; on the 2-core reference machine it tops out at 7–9k messages per second,
while Mosquitto itself carries about 60k QoS-1 messages per second to a reader that takes the
socket in large chunks (``dieuhanh bench ingest`` measures both ends). This client reads up to
256 KiB at a time and parses every complete packet in the buffer in one pass.

What it does, and only that: CONNECT with clean session off (the broker keeps our messages while
we are away), SUBSCRIBE with QoS 1, incoming PUBLISH with QoS 0 and 1, PUBACK when the caller says
a message is stored, PINGREQ when idle, reconnection with a growing delay, TLS when given a
context (``mqtts://``). Not publishing, QoS 2, MQTT 5 or wills. ``publish_packet`` is here for
the load generator of the benchmark.

All socket I/O happens on the network thread. ``ack`` (from any thread) queues the PUBACKs and
wakes that thread, so the socket never has two users. A message received on an earlier
connection is never acknowledged on a later one: the broker redelivers it (DUP) after the
reconnect, and storing it again changes nothing (observations are upserted by key).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from typing import NamedTuple

log = logging.getLogger(__name__)

# Packet types (high nibble of the first byte).
CONNACK, PUBLISH, PUBACK, SUBACK, PINGRESP = 2, 3, 4, 9, 13
_PINGREQ = b"\xc0\x00"
_DISCONNECT = b"\xe0\x00"
_CONNACK_REFUSED = {
    1: "unacceptable protocol version",
    2: "client identifier rejected",
    3: "server unavailable",
    4: "bad user name or password",
    5: "not authorised",
}


_CONNECTIONS = itertools.count(1)  # unique in the process, whichever Subscription


class MqttError(Exception):
    """The broker refused us or broke the protocol."""


class Message(NamedTuple):
    topic: bytes
    payload: bytes
    qos: int
    pid: int  # packet identifier (0 for QoS 0)
    dup: bool
    connection: int  # which connection brought it: acknowledged only on that one


def remaining_length(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | 0x80 if n else byte)
        if not n:
            return bytes(out)


def _utf8(value: bytes) -> bytes:
    return len(value).to_bytes(2, "big") + value


def connect_packet(
    client_id: str, *, keepalive: int, clean: bool, username: str | None = None, password: str | None = None
) -> bytes:
    flags = (
        (0x02 if clean else 0) | (0x80 if username is not None else 0) | (0x40 if password is not None else 0)
    )
    body = _utf8(b"MQTT") + bytes([4, flags]) + keepalive.to_bytes(2, "big") + _utf8(client_id.encode())
    if username is not None:
        body += _utf8(username.encode())
    if password is not None:
        body += _utf8(password.encode())
    return b"\x10" + remaining_length(len(body)) + body


def subscribe_packet(pid: int, topic: str, qos: int = 1) -> bytes:
    body = pid.to_bytes(2, "big") + _utf8(topic.encode()) + bytes([qos])
    return b"\x82" + remaining_length(len(body)) + body


def publish_packet(topic: bytes, payload: bytes, *, qos: int = 1, pid: int = 0, dup: bool = False) -> bytes:
    body = _utf8(topic) + (pid.to_bytes(2, "big") if qos else b"") + payload
    return bytes([0x30 | (0x08 if dup else 0) | (qos << 1)]) + remaining_length(len(body)) + body


def puback_packet(pid: int) -> bytes:
    return b"\x40\x02" + pid.to_bytes(2, "big")


def split_packets(buf: bytearray) -> tuple[int, list[tuple[int, int, int]]]:
    """The complete packets at the start of ``buf``: (bytes consumed, [(first byte, body start,
    body end)]). A packet cut by the end of the buffer waits for more bytes."""
    packets: list[tuple[int, int, int]] = []
    i, size = 0, len(buf)
    while i + 2 <= size:
        j, multiplier, length = i + 1, 1, 0
        while True:
            if j >= size:
                return i, packets
            byte = buf[j]
            length += (byte & 0x7F) * multiplier
            multiplier *= 128
            j += 1
            if not byte & 0x80:
                break
            if multiplier > 128**3:
                raise MqttError("malformed remaining length")
        if j + length > size:
            break
        packets.append((buf[i], j, j + length))
        i = j + length
    return i, packets


class Subscription:
    """A persistent QoS-1 subscription kept alive on its own thread.

    ``deliver`` receives the messages of each read (a list, in arrival order) on the network
    thread: it must not block. ``paused`` is asked before each read; while it says yes, the
    socket is not read, so the broker holds the backlog instead of our memory."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        client_id: str,
        topic: str,
        deliver: Callable[[list[Message]], None],
        username: str | None = None,
        password: str | None = None,
        keepalive: int = 30,
        paused: Callable[[], bool] = lambda: False,
        min_delay: float = 0.2,
        max_delay: float = 15.0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port, self.client_id, self.topic = host, port, client_id, topic
        self.username, self.password = username, password
        self.keepalive = keepalive
        self.deliver, self.paused = deliver, paused
        self.min_delay, self.max_delay = min_delay, max_delay
        self.tls = tls
        self.connects = 0
        self.connection = next(_CONNECTIONS)
        self.subscribed = threading.Event()
        self.on_subscribed: Callable[[], None] = lambda: None
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._outbox: list[bytes] = []
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dieuhanh-mqtt-network", daemon=True)

    # Any thread.
    def start(self) -> None:
        self._thread.start()

    def ack(self, messages: Iterable[Message]) -> int:
        """Queue the PUBACKs of ``messages`` (QoS 1, received on the current connection)."""
        with self._lock:
            current = self.connection
            data = b"".join(puback_packet(m.pid) for m in messages if m.qos == 1 and m.connection == current)
            if data:
                self._outbox.append(data)
        if data:
            self._poke()
        return len(data) // 4

    def stop(self, timeout: float = 10.0) -> None:
        """Send what is queued (acknowledgements), disconnect and end the thread."""
        self._stop.set()
        self._poke()
        self._thread.join(timeout)

    def _poke(self) -> None:
        with contextlib.suppress(OSError):  # BlockingIOError: already awake; OSError: closed
            self._wake_w.send(b"\0")

    # Network thread.
    def _run(self) -> None:
        delay = self.min_delay
        while not self._stop.is_set():
            try:
                self._session()
                delay = self.min_delay
            except (OSError, MqttError) as exc:
                if not self._stop.is_set():
                    log.warning("MQTT %s:%s: %s; reconnecting in %.1f s", self.host, self.port, exc, delay)
            finally:
                self._close()
            if self._stop.wait(delay):
                break
            delay = min(delay * 2, self.max_delay)
        self._wake_r.close()
        self._wake_w.close()

    def _close(self) -> None:
        with self._lock:
            self.connection = next(_CONNECTIONS)  # what came before can no longer be acknowledged
            self._outbox.clear()
            sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()

    def _session(self) -> None:
        sock = socket.create_connection((self.host, self.port), timeout=10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls is not None:  # the certificate and the host name are checked by the context
            try:
                sock = self.tls.wrap_socket(sock, server_hostname=self.host)
            except OSError:
                sock.close()
                raise
        with self._lock:
            self._sock = sock
            connection = self.connection
        sock.sendall(
            connect_packet(self.client_id, keepalive=self.keepalive, clean=False,
                           username=self.username, password=self.password)
        )  # fmt: skip
        buf = bytearray()
        last_sent = last_heard = time.monotonic()
        ping_sent = 0.0
        connected = live = False
        while True:
            with self._lock:
                out, self._outbox = self._outbox, []
            if out:  # the socket keeps create_connection's timeout: a stalled broker raises
                sock.sendall(b"".join(out))
                last_sent = time.monotonic()
            if self._stop.is_set():
                if connected:
                    sock.sendall(_DISCONNECT)
                return
            # Paused: not read, once the session is set up (CONNACK and SUBACK are always read).
            watch = [self._wake_r] if live and self.paused() else [sock, self._wake_r]
            ready, _, _ = select.select(watch, [], [], min(1.0, self.keepalive / 4))
            if self._wake_r in ready:
                try:
                    while self._wake_r.recv(4096):
                        pass
                except BlockingIOError:
                    pass
            now = time.monotonic()
            if sock in ready:
                data = sock.recv(262144)
                if not data:
                    raise MqttError("the broker closed the connection")
                if isinstance(sock, ssl.SSLSocket):  # a TLS read gives one record: take the rest too
                    while (more := sock.pending()) > 0:
                        data += sock.recv(more)
                buf += data
                last_heard = now
                ping_sent = 0.0
                used, packets = split_packets(buf)
                messages: list[Message] = []
                for first, start, end in packets:
                    kind = first >> 4
                    if kind == PUBLISH:
                        qos = (first >> 1) & 3
                        k = start + 2 + ((buf[start] << 8) | buf[start + 1])
                        topic = bytes(buf[start + 2 : k])
                        pid = 0
                        if qos:
                            pid = (buf[k] << 8) | buf[k + 1]
                            k += 2
                        messages.append(
                            Message(topic, bytes(buf[k:end]), qos, pid, bool(first & 8), connection)
                        )
                    elif kind == CONNACK:
                        code = buf[start + 1]
                        if code:
                            raise MqttError(f"connection refused: {_CONNACK_REFUSED.get(code, code)}")
                        connected = True
                        self.connects += 1
                        log.info("MQTT connected to %s:%s (session kept: %s)", self.host, self.port,
                                 bool(buf[start] & 1))  # fmt: skip
                        with self._lock:
                            self._outbox.append(subscribe_packet(1, self.topic, 1))
                    elif kind == SUBACK:
                        if buf[end - 1] == 0x80:
                            raise MqttError(f"subscription to {self.topic} refused")
                        live = True
                        log.info("MQTT subscribed to %s", self.topic)
                        self.subscribed.set()
                        self.on_subscribed()
                del buf[:used]
                if messages:
                    self.deliver(messages)
            elif sock in watch and now - last_heard > self.keepalive * 1.5 and (ping_sent or not connected):
                raise MqttError("no answer from the broker")
            if connected and not ping_sent and now - last_sent > self.keepalive / 2:
                with self._lock:
                    self._outbox.append(_PINGREQ)
                ping_sent = now
