"""`dieuhanh bench ingest`: how fast records get into the lake, next to baselines of the same run.

Two measurements, each in a scratch data directory (its own SQLite database and lake, the
province imported), so the operator's data is never touched:

- **file**: `dieuhanh ingest dossiers FILE` (a subprocess, as a user runs it, without the
  indicator refresh) on a generated CSV of ``rows`` dossiers, against a baseline process that
  reads the same file with ``pyarrow.csv.read_csv`` into typed columns and writes it with
  ``deltalake.write_deltalake`` (partitioned by month like the lake). Both timings are wall
  clock of a whole process; the baseline's own time without interpreter start-up is also given.
  The headline ratio is whole process against whole process. To show where the rest goes, the
  same command on a 1,000-row file gives our fixed cost (Python, Django and the packs set up,
  one small commit), and the ratio of what remains to the baseline's time in process.
- **mqtt**: ``messages`` observations, one per message, published with QoS 1 by a separate
  process (a lean load generator over a raw socket, so that it does not take the CPU the
  subscriber is measured on) through a private Mosquitto (unlimited queues, as docs/connect.md asks) to the
  `ObservationSubscriber` running in the measuring process; observations per second from the
  first publish until all are stored, and the count in the lake (zero loss), against writing
  the same rows with ``write_deltalake`` in batches of the subscriber's size.

The measuring and publishing processes are this module run as ``python -m``.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

PROVINCE = 68
_START_US = 1_751_328_000_000_000  # 2025-07-01T00:00:00Z: units of the 2025 reform exist from then
_SPAN_S = 480 * 86_400  # received over 16 months
_MQTT_START_US = 1_772_323_200_000_000  # 2026-03-01T00:00:00Z
_WINDOW = 20_000  # publishes a publisher may have unacknowledged
_PARAMETERS = ("pm25", "pm10", "co", "no2", "so2", "o3")
_DOSSIER_TYPES = {
    "record_id": pa.string(), "unit_code": pa.string(), "procedure_code": pa.string(), "channel": pa.string(),
    "received_at": pa.timestamp("us", tz="UTC"), "due_at": pa.timestamp("us", tz="UTC"),
    "finished_at": pa.timestamp("us", tz="UTC"), "status": pa.string(), "fee_required": pa.bool_(),
    "paid_online": pa.bool_(), "digitized": pa.bool_(), "e_result": pa.bool_(), "rating": pa.string(),
    "updated_at": pa.timestamp("us", tz="UTC"),
}  # fmt: skip


# --- data --------------------------------------------------------------------------------------
def ward_codes() -> list[str]:
    from vietnam_provinces import ProvinceCode, Ward

    return [f"{int(w.code):05d}" for w in Ward.iter_by_province(ProvinceCode(PROVINCE))]


def _pick(r: Any, *choices: tuple[float, str]) -> Any:
    """Labels by thresholds on uniform numbers ``r``: ``(0.8, "a"), (1.0, "b")``."""
    out = pa.scalar(choices[-1][1])
    for limit, label in reversed(choices[:-1]):
        out = pc.if_else(pc.less(r, limit), label, out)
    return out


def _local_seconds(us: Any) -> Any:
    """UTC microseconds → Vietnam local wall-clock time, naive, in seconds."""
    return pc.divide(pc.add(us, 7 * 3_600_000_000), 1_000_000).cast(pa.timestamp("s"))


def _local_text(us: Any) -> Any:
    """UTC microseconds → '2026-02-01T06:30:00+07:00' (a cast and two string kernels: fast)."""
    text = pc.replace_substring(_local_seconds(us).cast(pa.string()), " ", "T", max_replacements=1)
    return pc.binary_join_element_wise(text, "+07:00", "")


def dossier_table(rows: int, *, seed: int = 7) -> pa.Table:
    """``rows`` plausible dossiers as text, as a one-stop-shop system would export them."""
    n = rows
    i = pa.array(range(n), pa.int64())
    rnd = [pc.random(n, initializer=seed * 100 + k) for k in range(9)]
    codes = pa.array(ward_codes())
    procs = pa.array([f"{1 + k % 2}.{(k * 7919) % 1_000_000:06d}" for k in range(400)])
    received = pc.add(
        pc.multiply(pc.floor(pc.multiply(rnd[0], _SPAN_S)).cast(pa.int64()), 1_000_000), _START_US
    )
    due = pc.add(
        received, pc.multiply(pc.add(pc.floor(pc.multiply(rnd[1], 13)), 3).cast(pa.int64()), 86_400_000_000)
    )
    status = _pick(rnd[2], (0.8, "finished"), (0.93, "processing"), (0.97, "returned"), (1.0, "withdrawn"))
    done = pc.equal(status, "finished")
    late = pc.multiply(pc.floor(pc.multiply(rnd[3], 20 * 86_400)).cast(pa.int64()), 1_000_000)
    finished = pc.if_else(done, pc.add(received, late), pa.scalar(None, pa.int64()))
    online = pc.less(rnd[4], 0.45)
    fee = pc.less(rnd[5], 0.4)
    day = pc.replace_substring(
        pc.utf8_slice_codeunits(_local_seconds(received).cast(pa.date32()).cast(pa.string()), 2, 10), "-", ""
    )
    seq = pc.utf8_lpad(i.cast(pa.string()), 7, "0")
    office = pc.utf8_lpad(pc.remainder(i, 97).cast(pa.string()), 2, "0")
    record = pc.binary_join_element_wise("000.00.", office, ".H35-", day, "-", seq, "")
    finished_text = _local_text(finished)

    def flag(mask: Any) -> Any:
        return pc.if_else(mask, "true", "false")

    return pa.table(
        {
            "record_id": record,
            "unit_code": pc.take(codes, pc.remainder(i, len(codes))),
            "procedure_code": pc.take(procs, pc.remainder(i, len(procs))),
            "channel": pc.if_else(online, "online", _pick(rnd[6], (0.9, "direct"), (1.0, "postal"))),
            "received_at": _local_text(received),
            "due_at": _local_text(due),
            "finished_at": finished_text,
            "status": status,
            "fee_required": flag(fee),
            "paid_online": flag(pc.and_(fee, online)),
            "digitized": flag(pc.less(rnd[7], 0.68)),
            "e_result": flag(pc.and_(done, pc.less(rnd[8], 0.5))),
            "rating": pc.if_else(done, _pick(rnd[8], (0.8, "satisfied"), (1.0, "neutral")), ""),
            "updated_at": pc.coalesce(finished_text, _local_text(received)),
        }
    )


def write_dossiers_csv(path: Path, rows: int, *, seed: int = 7) -> None:
    import pyarrow.csv as pacsv

    table = dossier_table(rows, seed=seed)
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="none"))


def observation(i: int) -> dict[str, Any]:
    """The i-th observation of the MQTT benchmark: a distinct (station, parameter, time) each."""
    station = i % 20
    observed = (_MQTT_START_US // 1_000_000) + (i // (20 * len(_PARAMETERS))) * 60
    return {
        "station_code": f"LD{station:02d}",
        "unit_code": "24781",
        "parameter": _PARAMETERS[(i // 20) % len(_PARAMETERS)],
        "observed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(observed)),
        "value": round(5 + (i * 37 % 900) / 10, 1),
        "uom": "µg/m³",
    }


# --- processes ---------------------------------------------------------------------------------
def _cli(args: list[str], env: dict[str, str], timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(  # noqa: S603 - our own console script
        [sys.executable, "-m", "dieuhanh.cli", *args], env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"dieuhanh {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done


def _module(args: list[str], env: dict[str, str] | None = None, timeout: float = 3600) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - this module
        [sys.executable, "-m", "dieuhanh.ingest.bench", *args], env=env or dict(os.environ),
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"bench {args[0]} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def scratch_env(data_dir: Path, database: Path) -> dict[str, str]:
    skip = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DIEUHANH_DATA_DIR"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        {
            "DIEUHANH_DATA_DIR": str(data_dir),
            "DATABASE_URL": f"sqlite:///{database}",
            "DIEUHANH_SECRET_KEY": "bench-" + "k" * 40,
        }
    )
    return env


def _rate(rows: int, seconds: float) -> float:
    return round(rows / seconds) if seconds > 0 else 0.0


# --- file --------------------------------------------------------------------------------------
def baseline_file(csv: Path, target: Path) -> float:
    """Read ``csv`` into typed columns with pyarrow, add the month, write it with deltalake."""
    import pyarrow.csv as pacsv
    from deltalake import write_deltalake

    from dieuhanh.lake import local_month

    started = time.perf_counter()
    table = pacsv.read_csv(csv, convert_options=pacsv.ConvertOptions(column_types=_DOSSIER_TYPES))
    table = table.append_column("month", local_month(table.column("received_at")))
    write_deltalake(str(target), table, partition_by=["month"])
    return time.perf_counter() - started


def bench_file(rows: int, root: Path, database: Path, *, repeat: int = 1) -> dict[str, Any]:
    csv = root / f"dossiers-{rows}.csv"
    write_dossiers_csv(csv, rows)
    small = root / "dossiers-1000.csv"  # the fixed cost of a run: start-up, setup, one small commit
    write_dossiers_csv(small, min(rows, 1000))
    cli, base, inner, fixed = [], [], [], []
    accepted = 0
    for k in range(repeat):
        env = scratch_env(root / f"fixed-{k}", database)
        t0 = time.perf_counter()
        _cli(["ingest", "dossiers", str(small), "--json", "--no-compute"], env)
        fixed.append(time.perf_counter() - t0)
        shutil.rmtree(root / f"fixed-{k}" / "lake", ignore_errors=True)
        t0 = time.perf_counter()
        inner.append(_module(["baseline", str(csv), str(root / f"baseline-{k}")])["seconds"])
        base.append(time.perf_counter() - t0)
        env = scratch_env(root / f"data-{k}", database)
        t0 = time.perf_counter()
        done = _cli(["ingest", "dossiers", str(csv), "--json", "--no-compute"], env)
        cli.append(time.perf_counter() - t0)
        accepted = json.loads(done.stdout)["accepted"]
        shutil.rmtree(root / f"baseline-{k}", ignore_errors=True)
        shutil.rmtree(root / f"data-{k}" / "lake", ignore_errors=True)
    seconds, baseline = min(cli), min(base)
    startup, baseline_inner = min(fixed), min(inner)
    return {
        "rows": rows,
        "accepted": accepted,
        "seconds": round(seconds, 3),
        "rows_per_second": _rate(rows, seconds),
        "baseline_seconds": round(baseline, 3),
        "baseline_rows_per_second": _rate(rows, baseline),
        "baseline_seconds_in_process": round(min(inner), 3),
        "ratio": round(seconds / baseline, 2),
        "fixed_seconds": round(startup, 3),
        "ratio_without_fixed": round(max(seconds - startup, 0.0) / baseline_inner, 2),
    }


# --- MQTT --------------------------------------------------------------------------------------
class Broker:
    """A Mosquitto of our own: unlimited queues and in-flight window (docs/connect.md)."""

    def __init__(self, workdir: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.conf = workdir / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            "max_queued_messages 0\nmax_inflight_messages 0\nmax_queued_bytes 0\nlog_dest none\n"
            f"user {getpass.getuser()}\n",
            encoding="utf-8",
        )
        exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.proc = subprocess.Popen(  # noqa: S603
            [exe, "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("mosquitto did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def publish(port: int, first: int, count: int, per_message: int, name: str) -> dict[str, Any]:
    """Publish observations ``first`` … ``first + count - 1`` with QoS 1, ``per_message`` to a
    message (one JSON object, or a list), and wait for every acknowledgement.

    The load generator must not be what is measured: the packets are encoded before the clock
    starts, sent in pipelined runs over one socket, and a reader thread counts the broker's
    PUBACKs, keeping at most ``_WINDOW`` unacknowledged (packet ids are 16 bits)."""
    import threading

    from dieuhanh.ingest.mqttwire import PUBACK, connect_packet, publish_packet, split_packets

    topic = f"dieuhanh/observations/{name}".encode()
    packets = []
    for k, start in enumerate(range(first, first + count, per_message)):
        items = [observation(i) for i in range(start, min(start + per_message, first + count))]
        payload = json.dumps(items[0] if per_message == 1 else items).encode()
        packets.append(publish_packet(topic, payload, qos=1, pid=k % 65_535 + 1))
    sock = socket.create_connection(("127.0.0.1", port), timeout=300)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.sendall(connect_packet(name, keepalive=60, clean=True))
    acked = 0
    progress = threading.Condition()

    def read_acks() -> None:
        nonlocal acked
        buf = bytearray()
        while acked < len(packets):
            data = sock.recv(65_536)
            if not data:
                return
            buf += data
            used, got = split_packets(buf)
            del buf[:used]
            with progress:
                acked += sum(1 for first_byte, _, _ in got if first_byte >> 4 == PUBACK)
                progress.notify_all()

    reader = threading.Thread(target=read_acks, daemon=True)
    reader.start()
    started = time.time()
    sent = 0

    def room() -> bool:
        return sent - acked < _WINDOW

    while sent < len(packets):
        with progress:
            progress.wait_for(room, timeout=300)
            end = min(len(packets), sent + 500, acked + _WINDOW)
        sock.sendall(b"".join(packets[sent:end]))
        sent = end
    reader.join(300)
    acked_at = time.time()
    sock.sendall(b"\xe0\x00")  # DISCONNECT
    sock.close()
    return {
        "first": started,
        "acked": acked_at,
        "messages": len(packets),
        "unacknowledged": len(packets) - acked,
    }


def _publish_all(port: int, observations: int, per_message: int, publishers: int) -> dict[str, Any]:
    """``publishers`` processes (gateways) publishing their share at the same time."""
    share = -(-observations // publishers)
    procs = []
    for k in range(publishers):
        first, count = k * share, min(share, observations - k * share)
        args = ["publish", str(port), str(first), str(count), str(per_message), f"dieuhanh-bench-{k}"]
        procs.append(
            subprocess.Popen(  # noqa: S603 - this module
                [sys.executable, "-m", "dieuhanh.ingest.bench", *args], stdout=subprocess.PIPE, text=True
            )
        )
    outs = [json.loads(proc.communicate(timeout=900)[0].strip().splitlines()[-1]) for proc in procs]
    return {
        "first": min(o["first"] for o in outs),
        "acked": max(o["acked"] for o in outs),
        "messages": sum(o["messages"] for o in outs),
        "unacknowledged": sum(o["unacknowledged"] for o in outs),
    }


def baseline_mqtt(observations: int, batch_size: int, target: Path) -> float:
    """The same observations as typed rows, appended with deltalake in the subscriber's batches."""
    from deltalake import write_deltalake

    from dieuhanh.lake import local_month

    rows = [observation(i) for i in range(observations)]
    started = time.perf_counter()
    for start in range(0, observations, batch_size):
        part = pa.Table.from_pylist(rows[start : start + batch_size])
        observed = part.column("observed_at").cast(pa.timestamp("us", tz="UTC"))
        part = part.set_column(part.column_names.index("observed_at"), "observed_at", observed)
        part = part.append_column("month", local_month(observed))
        write_deltalake(str(target), part, mode="append", partition_by=["month"])
    return time.perf_counter() - started


def mqtt_worker(
    observations: int, batch_size: int, per_message: int, publishers: int, workdir: Path
) -> dict[str, Any]:
    """In a scratch environment (DIEUHANH_DATA_DIR): the subscriber in this process, the
    publishers in others, through a private broker."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    import django

    django.setup()
    from django.conf import settings

    from dieuhanh.ingest.mqtt import ObservationSubscriber
    from dieuhanh.ingest.services import source_default
    from dieuhanh.lake import Lake

    broker = Broker(workdir)
    sub = None
    try:
        source = source_default(code="cam-bien-mqtt", name="Cảm biến qua MQTT / sensors over MQTT")
        sub = ObservationSubscriber(url=f"mqtt://127.0.0.1:{broker.port}", source=source,
                                    client_id="dieuhanh-bench", batch_size=batch_size)  # fmt: skip
        sub.start()
        if not sub.stats.subscribed.wait(20):
            raise RuntimeError("the subscriber did not subscribe")
        sent = _publish_all(broker.port, observations, per_message, publishers)
        deadline = time.monotonic() + 900
        while sub.stats.received < sent["messages"] and time.monotonic() < deadline:
            time.sleep(0.01)
        stored_at = time.time()
        lake = Lake(settings.LAKE_DIR)
        count = int(lake.connect().execute("select count(*) from observations").fetchone()[0])  # type: ignore[index]
    finally:
        if sub is not None:
            sub.stop()
        broker.stop()
    seconds = stored_at - sent["first"]
    baseline = baseline_mqtt(observations, batch_size, workdir / "baseline")
    return {
        "observations": observations,
        "messages": sent["messages"],
        "per_message": per_message,
        "publishers": publishers,
        "batch_size": batch_size,
        "stored": count,
        "lost": observations - count,
        "unacknowledged_by_broker": sent["unacknowledged"],
        "seconds": round(seconds, 3),
        "observations_per_second": _rate(observations, seconds),
        "publish_seconds": round(sent["acked"] - sent["first"], 3),
        "baseline_seconds": round(baseline, 3),
        "baseline_rows_per_second": _rate(observations, baseline),
        "ratio": round(seconds / baseline, 2),
    }


def bench_ingest(
    rows: int,
    *,
    mqtt: int = 100_000,
    batch_size: int = 5000,
    per_message: int = 1,
    publishers: int = 1,
    repeat: int = 1,
) -> dict[str, Any]:
    """Both measurements (``mqtt=0`` skips the MQTT one); see the module docstring."""
    with tempfile.TemporaryDirectory(prefix="dieuhanh-bench-") as tmp:
        root = Path(tmp)
        database = root / "bench.sqlite3"
        env = scratch_env(root / "data", database)
        _cli(["migrate", "-v0"], env)
        _cli(["units", "import", "--province", str(PROVINCE)], env)
        result: dict[str, Any] = {"file": bench_file(rows, root, database, repeat=repeat)}
        if mqtt:
            work = root / "mqtt"
            work.mkdir()
            args = [str(mqtt), str(batch_size), str(per_message), str(publishers), str(work)]
            result["mqtt"] = _module(["mqtt", *args], env)
    return result


def render(result: dict[str, Any]) -> str:
    f = result["file"]
    lines = [
        f"file: {f['rows']:,} dossiers (CSV) → lake: {f['seconds']:.2f} s, {f['rows_per_second']:,.0f} rows/s; "
        f"baseline (pyarrow read_csv + deltalake) {f['baseline_seconds']:.2f} s "
        f"({f['baseline_seconds_in_process']:.2f} s in process), {f['baseline_rows_per_second']:,.0f} rows/s; "
        f"ratio {f['ratio']:.2f}×",
        f"      of which fixed (start-up, setup, a 1,000-row file) {f['fixed_seconds']:.2f} s; without it, "
        f"{f['ratio_without_fixed']:.2f}× the baseline's time in process",
    ]
    if "mqtt" in result:
        m = result["mqtt"]
        lines.append(
            f"mqtt: {m['observations']:,} observations in {m['messages']:,} QoS-1 messages from "
            f"{m['publishers']} publisher(s) → lake: {m['seconds']:.2f} s, "
            f"{m['observations_per_second']:,.0f} obs/s, lost {m['lost']}; baseline (deltalake, batches of "
            f"{m['batch_size']}) {m['baseline_seconds']:.2f} s, {m['baseline_rows_per_second']:,.0f} rows/s; "
            f"ratio {m['ratio']:.2f}×"
        )
    return "\n".join(lines)


# --- `dieuhanh bench ingest` (dispatched by core/management/commands/bench.py) ---------------------
def add_arguments(parser: Any) -> None:
    parser.add_argument("--rows", type=int, default=1_000_000, help="dossiers in the generated CSV")
    parser.add_argument("--mqtt", type=int, default=100_000, help="MQTT observations (0: skip)")
    parser.add_argument("--batch-size", type=int, default=5000, help="the MQTT subscriber's batch size")
    parser.add_argument("--per-message", type=int, default=1, help="MQTT observations per message")
    parser.add_argument("--publishers", type=int, default=1, help="MQTT publishing processes")
    parser.add_argument("--repeat", type=int, default=1, help="runs of the file measurement (best kept)")


def run(opts: dict[str, Any]) -> dict[str, Any]:
    return bench_ingest(
        opts["rows"], mqtt=opts["mqtt"], batch_size=opts["batch_size"], per_message=opts["per_message"],
        publishers=opts["publishers"], repeat=opts["repeat"],
    )  # fmt: skip


def main(argv: list[str]) -> None:
    what, args = argv[0], argv[1:]
    if what == "baseline":
        out: dict[str, Any] = {"seconds": baseline_file(Path(args[0]), Path(args[1]))}
    elif what == "publish":
        out = publish(int(args[0]), int(args[1]), int(args[2]), int(args[3]), args[4])
    elif what == "mqtt":
        out = mqtt_worker(int(args[0]), int(args[1]), int(args[2]), int(args[3]), Path(args[4]))
    else:
        raise SystemExit(f"unknown: {what}")
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
