"""The lean MQTT client behind `dieuhanh mqtt`: packet framing against the examples of the MQTT
3.1.1 specification, and acknowledgement semantics against a real Mosquitto."""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from dieuhanh.ingest.mqttwire import (
    PUBLISH,
    Message,
    MqttError,
    Subscription,
    publish_packet,
    remaining_length,
    split_packets,
)
from tests.services import Broker

# MQTT 3.1.1 (OASIS standard), §2.2.3, Table 2.4 "Size of Remaining Length field".
SPEC_LENGTHS = [
    (0, b"\x00"), (127, b"\x7f"), (128, b"\x80\x01"), (16_383, b"\xff\x7f"), (16_384, b"\x80\x80\x01"),
    (2_097_151, b"\xff\xff\x7f"), (2_097_152, b"\x80\x80\x80\x01"), (268_435_455, b"\xff\xff\xff\x7f"),
]  # fmt: skip


@pytest.mark.parametrize(("length", "encoded"), SPEC_LENGTHS)
def test_remaining_length_follows_the_specification(length: int, encoded: bytes) -> None:
    assert remaining_length(length) == encoded
    # And it is read back: a packet of that body length, framed, is seen whole only at its end.
    if length <= 16_384:
        packet = b"\x30" + encoded + b"x" * length
        assert split_packets(bytearray(packet)) == (len(packet), [(0x30, 1 + len(encoded), len(packet))])
        assert split_packets(bytearray(packet[:-1] if length else packet[:1])) == (0, [])


def test_packets_cut_anywhere_are_parsed_once_complete() -> None:
    big = b"v" * 300  # a two-byte remaining length
    stream = (
        b"".join(
            publish_packet(b"dieuhanh/observations/DL01", p, qos=1, pid=k + 1)
            for k, p in enumerate([b"{}", big, b"[1, 2]"])
        )
        + b"\xd0\x00"
    )  # PINGRESP
    for cut in range(len(stream) + 1):
        buf = bytearray(stream[:cut])
        used, first = split_packets(buf)
        del buf[:used]
        buf += stream[cut:]
        used2, rest = split_packets(buf)
        assert used + used2 == len(stream)
        kinds = [f >> 4 for f, _, _ in first + rest]
        assert kinds == [PUBLISH, PUBLISH, PUBLISH, 13], cut


def test_a_malformed_length_is_refused() -> None:
    with pytest.raises(MqttError):
        split_packets(bytearray(b"\x30\xff\xff\xff\xff\x01"))


def _publish(broker: Broker, payloads: list[bytes]) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="test-wire-pub")
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    for info in [client.publish("dieuhanh/observations/w", p, qos=1) for p in payloads]:
        info.wait_for_publish(30)
    client.disconnect()
    client.loop_stop()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    def deliver(self, messages: list[Message]) -> None:
        with self.lock:
            self.messages.extend(messages)

    def wait(self, count: int, seconds: float = 30) -> list[Message]:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.messages)


def _subscription(broker: Broker, inbox: Inbox, paused: Callable[[], bool] = lambda: False) -> Subscription:
    sub = Subscription(host="127.0.0.1", port=broker.port, client_id="test-wire", topic="dieuhanh/observations/#",
                       deliver=inbox.deliver, paused=paused, keepalive=5)  # fmt: skip
    sub.start()
    assert sub.subscribed.wait(20)
    return sub


def test_only_acknowledged_messages_are_forgotten_by_the_broker(broker: Broker) -> None:
    first = Inbox()
    sub = _subscription(broker, first)
    _publish(broker, [f'{{"n": {n}}}'.encode() for n in range(10)])
    got = first.wait(10)
    assert [m.payload for m in got] == [f'{{"n": {n}}}'.encode() for n in range(10)]
    assert all(m.qos == 1 and not m.dup for m in got)
    assert sub.ack(got[:6]) == 6  # stored: 0–5; 6–9 were not
    time.sleep(0.5)
    sub.stop()

    # The same client id again: the session was kept, and only the unacknowledged come back.
    again = Inbox()
    sub = _subscription(broker, again)
    try:
        back = again.wait(4)
        time.sleep(0.5)
        assert sorted(m.payload for m in again.messages) == [f'{{"n": {n}}}'.encode() for n in range(6, 10)]
        assert all(m.dup for m in back)
        assert sub.ack(got) == 0  # received on an earlier connection: never acknowledged on this one
    finally:
        sub.stop()


def test_while_paused_nothing_is_read_and_the_broker_keeps_the_backlog(broker: Broker) -> None:
    hold = threading.Event()
    hold.set()
    inbox = Inbox()
    sub = _subscription(broker, inbox, paused=hold.is_set)
    try:
        _publish(broker, [b"{}"] * 20)
        time.sleep(1)
        assert inbox.messages == []
        hold.clear()
        assert len(inbox.wait(20)) == 20
    finally:
        sub.stop()


def test_user_name_and_password_are_sent_and_a_refusal_is_explained(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secured = Broker(tmp_path)
    passwords = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwords), "tram-dl", "mật-khẩu đúng"], check=True)
    secured.conf.write_text(
        secured.conf.read_text(encoding="utf-8").replace(
            "allow_anonymous true", f"allow_anonymous false\npassword_file {passwords}"
        ),
        encoding="utf-8",
    )
    secured.start()
    inbox = Inbox()
    try:
        wrong = Subscription(host="127.0.0.1", port=secured.port, client_id="test-wire-wrong", topic="t/#",
                             deliver=inbox.deliver, username="tram-dl", password="sai")  # fmt: skip
        with caplog.at_level(logging.WARNING, logger="dieuhanh.ingest.mqttwire"):
            wrong.start()
            assert not wrong.subscribed.wait(2)
            wrong.stop()
        assert "connection refused" in caplog.text
        right = Subscription(host="127.0.0.1", port=secured.port, client_id="test-wire-right", topic="t/#",
                             deliver=inbox.deliver, username="tram-dl", password="mật-khẩu đúng")  # fmt: skip
        right.start()
        try:
            assert right.subscribed.wait(20)
        finally:
            right.stop()
    finally:
        secured.stop()


def _certificates(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A throwaway authority and a certificate for localhost it signed (OpenSSL 3's command line)."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    ca_key, ca, key, csr, cert = (
        tmp_path / n for n in ("ca.key", "ca.crt", "server.key", "server.csr", "server.crt")
    )
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca), "-days", "2",
            "-subj", "/CN=dieuhanh test authority")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost")  # fmt: skip
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial", "-out",
            str(cert), "-days", "2", "-copy_extensions", "copy")  # fmt: skip
    return ca, cert, key


def test_mqtts_checks_the_broker_certificate_and_carries_messages(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import ssl

    ca, cert, key = _certificates(tmp_path)
    secured = Broker(tmp_path)
    secured.conf.write_text(
        secured.conf.read_text(encoding="utf-8").replace(
            f"listener {secured.port} 127.0.0.1",
            f"listener {secured.port} 127.0.0.1\ncafile {ca}\ncertfile {cert}\nkeyfile {key}",
        ),
        encoding="utf-8",
    )
    secured.start()
    inbox = Inbox()
    try:
        untrusted = Subscription(host="localhost", port=secured.port, client_id="test-wire-tls-no", topic="t/#",
                                 deliver=inbox.deliver, tls=ssl.create_default_context())  # fmt: skip
        with caplog.at_level(logging.WARNING, logger="dieuhanh.ingest.mqttwire"):
            untrusted.start()
            assert not untrusted.subscribed.wait(2)  # the system does not trust our throwaway authority
            untrusted.stop()
        assert "CERTIFICATE_VERIFY_FAILED" in caplog.text
        trusted = Subscription(host="localhost", port=secured.port, client_id="test-wire-tls", topic="t/#",
                               deliver=inbox.deliver, tls=ssl.create_default_context(cafile=str(ca)))  # fmt: skip
        trusted.start()
        try:
            assert trusted.subscribed.wait(20)
            gateway = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="test-wire-tls-pub")
            gateway.tls_set(ca_certs=str(ca))
            gateway.connect("localhost", secured.port)
            gateway.loop_start()
            big = b"x" * 40_000  # several TLS records in one message
            for info in [gateway.publish("t/a", p, qos=1) for p in [b"{}", big, b"[]"] * 50]:
                info.wait_for_publish(30)
            gateway.disconnect()
            gateway.loop_stop()
            got = inbox.wait(150)
            assert [m.payload for m in got] == [b"{}", big, b"[]"] * 50
            assert trusted.ack(got) == 150
        finally:
            trusted.stop()
    finally:
        secured.stop()


@pytest.mark.django_db
def test_the_subscriber_reads_mqtts_addresses_and_refuses_others(tmp_path: Path, province: object) -> None:
    import ssl

    from dieuhanh.core.errors import UserError
    from dieuhanh.ingest.mqtt import ObservationSubscriber
    from dieuhanh.ingest.services import source_default

    source = source_default(code="cam-bien-mqtt", name="MQTT")
    ca, _, _ = _certificates(tmp_path)
    sub = ObservationSubscriber(
        url="mqtts://tram:bi-mat@broker.lamdong.gov.vn", source=source, ca_file=str(ca)
    )
    wire = sub.subscription
    assert (wire.host, wire.port, wire.username, wire.password) == (
        "broker.lamdong.gov.vn",
        8883,
        "tram",
        "bi-mat",
    )
    assert isinstance(wire.tls, ssl.SSLContext) and wire.tls.verify_mode == ssl.CERT_REQUIRED
    assert ObservationSubscriber(url="mqtt://127.0.0.1", source=source).subscription.tls is None
    with pytest.raises(UserError) as exc:
        ObservationSubscriber(url="http://127.0.0.1:1883", source=source)
    assert exc.value.code == "mqtt.url" and "mqtts://" in exc.value.message_vi
