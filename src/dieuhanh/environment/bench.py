"""`dieuhanh bench aqi`: observations from the broker to stored VN_AQI, and publish → panel delay.

In a scratch data directory (its own SQLite database and lake, the province imported, ``stations``
stations registered), so the operator's data is never touched:

- **throughput**: ``stations`` × 6 pollutants × ``days`` days of hourly 1-hour means (the default
  100 × 6 × 30 = 432,000 observations), one QoS-1 message per station and hour (6 observations),
  published hour after hour by a separate process through a private Mosquitto to the
  `ObservationSubscriber` running in the measuring process. Each batch is validated against the
  station registry, upserted into the lake and acknowledged; the subscriber's derive thread
  meanwhile derives the hourly and daily VN_AQI of what was stored (every batch since its last
  pass at once) and upserts them into ``aqi_hourly``/``aqi_daily``; observations per second are
  counted from the first publish until the last batch is stored and its AQI derived.
- **baseline**, in the same run: the same hourly AQI computed in one vectorised NumPy pass over
  ``(stations, hours)`` arrays (`environment.aqi.vector`), no broker, no storage. The stored
  hourly AQI is compared with it value by value (``agree``).
- **panel delay**: then, ``samples`` times, one more station-hour is published and the live
  panel's fragment (`/moi-truong/truc-tiep/?v=VERSION`, what the sector page and the wall poll)
  is requested every 100 ms through Django's test client until it answers with new content. The
  delay a screen sees is this plus up to one polling interval (1 s).

The measuring and publishing processes are this module run as ``python -m``.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from dieuhanh.ingest.bench import Broker, _cli, _rate, scratch_env

POLLUTANTS = ("pm25", "pm10", "o3", "no2", "so2", "co")
_BASE = {"pm25": 22.0, "pm10": 38.0, "o3": 60.0, "no2": 25.0, "so2": 10.0, "co": 900.0}
_WINDOW = 30_000


def concentration(station: int, hour: int, k: int) -> float:
    """A deterministic 1-hour mean (µg/m³): daily cycle, a station factor and noise; rounded to 0.1."""
    p = POLLUTANTS[k]
    local = (hour + 7) % 24
    cycle = 1 + 0.4 * math.exp(-((local - 7) ** 2) / 6) + 0.5 * math.exp(-((local - 19) ** 2) / 8)
    if p == "o3":
        cycle = 0.5 + max(0.0, math.sin(math.pi * (local - 6) / 14)) if 6 <= local <= 20 else 0.45
    noise = ((station * 7919 + hour * 104_729 + k * 1_299_709) % 10_007) / 10_007
    factor = 0.6 + (station % 10) * 0.12
    return round(_BASE[p] * cycle * factor * (0.8 + 0.4 * noise), 1)


def station_code(i: int) -> str:
    return f"QT{i:03d}"


def _first_hour(days: int) -> int:
    """The first end-labelled hour number: ``days`` days before the current hour (none in the future)."""
    return int(time.time() // 3600) - days * 24


def _payload(station: int, hour: int) -> bytes:
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(hour * 3600))
    return json.dumps([
        {"station_code": station_code(station), "parameter": p, "observed_at": at,
         "value": concentration(station, hour, k), "uom": "µg/m³"}
        for k, p in enumerate(POLLUTANTS)
    ]).encode()  # fmt: skip


def publish(port: int, stations: int, first: int, hours: int, name: str) -> dict[str, Any]:
    """Publish every station's hours ``first`` … ``first + hours − 1``, hour by hour, QoS 1."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    payloads = [(s, _payload(s, h)) for h in range(first, first + hours) for s in range(stations)]
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=name)
    client.max_inflight_messages_set(0)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    started = time.time()
    infos: list[Any] = []
    for k, (s, p) in enumerate(payloads):
        if k >= _WINDOW:
            infos[k - _WINDOW].wait_for_publish(600)
        infos.append(client.publish(f"dieuhanh/observations/{station_code(s)}", p, qos=1))
    for info in infos:
        info.wait_for_publish(600)
    acked = time.time()
    client.disconnect()
    client.loop_stop()
    return {"first": started, "acked": acked, "messages": len(infos)}


def baseline(stations: int, first: int, hours: int) -> tuple[float, Any]:
    """The same hourly AQI in one vectorised pass; (seconds, AQI array (stations, hours))."""
    import numpy as np

    from dieuhanh.environment.aqi.vector import hourly_aqi_arrays

    values = {
        p: np.array([[concentration(s, first + h, k) for h in range(hours)] for s in range(stations)])
        for k, p in enumerate(POLLUTANTS)
    }
    started = time.perf_counter()
    result = hourly_aqi_arrays(values)
    return time.perf_counter() - started, result.aqi.tolist()


def worker(stations: int, days: int, samples: int, batch_size: int, workdir: Path) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from dieuhanh.accounts.models import Role, User
    from dieuhanh.environment.models import Station
    from dieuhanh.ingest.mqtt import ObservationSubscriber
    from dieuhanh.ingest.services import source_default
    from dieuhanh.lake import Lake
    from dieuhanh.orgunits.models import OrgUnit

    hours = days * 24
    first = _first_hour(days)
    wards = list(
        OrgUnit.objects.filter(kind__in=["ward", "commune"]).order_by("code").values_list("pk", flat=True)
    )
    Station.objects.bulk_create([
        Station(code=station_code(i), name=f"Trạm {i}", unit_id=wards[i % len(wards)], parameters=list(POLLUTANTS))
        for i in range(stations)
    ])  # fmt: skip
    broker = Broker(workdir)
    sub = None
    delays: list[float] = []
    try:
        source = source_default(code="cam-bien-mqtt", name="Cảm biến qua MQTT / sensors over MQTT")
        sub = ObservationSubscriber(url=f"mqtt://127.0.0.1:{broker.port}", source=source,
                                    client_id="dieuhanh-bench-aqi", batch_size=batch_size, max_wait=0.2)  # fmt: skip
        sub.start()
        if not sub.stats.subscribed.wait(20):
            raise RuntimeError("the subscriber did not subscribe")
        proc = subprocess.run(  # noqa: S603 - this module
            [sys.executable, "-m", "dieuhanh.environment.bench", "publish", str(broker.port), str(stations),
             str(first), str(hours - 1), "dieuhanh-bench-aqi-pub"],
            capture_output=True, text=True, timeout=3600, check=True,
        )  # fmt: skip
        sent = json.loads(proc.stdout.strip().splitlines()[-1])
        deadline = time.monotonic() + 3600
        while (sub.stats.received < sent["messages"] or not sub.settled()) and time.monotonic() < deadline:
            time.sleep(0.01)
        stored_at = time.time()
        # Publish → panel: one more station-hour at a time, the fragment polled every 100 ms.
        user = User.objects.create(username="bench", role=Role.VIEWER,
                                   unit=OrgUnit.objects.get(code="68"))  # fmt: skip
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        gateway = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="dieuhanh-bench-aqi-gw")
        gateway.connect("127.0.0.1", broker.port)
        gateway.loop_start()
        last = first + hours - 1
        for k in range(min(samples, stations)):  # a new station-hour each time
            page = client.get("/moi-truong/truc-tiep/", HTTP_HX_REQUEST="true")  # as htmx polls it
            version = page.content.decode().split('data-version="')[1].split('"')[0]
            s = k % stations
            t0 = time.perf_counter()
            gateway.publish(f"dieuhanh/observations/{station_code(s)}", _payload(s, last), qos=1)
            while client.get(f"/moi-truong/truc-tiep/?v={version}").status_code == 204:
                if time.perf_counter() - t0 > 60:
                    raise RuntimeError("the panel did not change within 60 s")
                time.sleep(0.1)
            delays.append(time.perf_counter() - t0)
        gateway.disconnect()
        gateway.loop_stop()
    finally:
        if sub is not None:
            sub.stop()
        broker.stop()
    lake = Lake(settings.LAKE_DIR)
    con = lake.connect()
    stored = {(r[0], int(r[1])): r[2] for r in con.execute(
        "select station_code, epoch(hour_end) // 3600, aqi from aqi_hourly").fetchall()}  # fmt: skip
    observations = int(con.execute("select count(*) from observations").fetchone()[0])  # type: ignore[index]
    seconds = stored_at - sent["first"]
    base_seconds, base = baseline(stations, first, hours - 1)
    agree = compared = 0
    for s in range(stations):
        for h in range(hours - 1):
            want = base[s][h]
            got = stored.get((station_code(s), first + h))
            if math.isnan(want) and got is None:
                continue
            compared += 1
            agree += int(got is not None and not math.isnan(want) and got == float(want))
    expected = stations * 6 * (hours - 1)
    return {
        "stations": stations, "days": days, "observations": expected, "messages": sent["messages"],
        "stored_observations": observations, "lost": expected + 6 * len(delays) - observations,
        "aqi_hours_stored": sum(1 for v in stored.values() if v is not None),
        "seconds": round(seconds, 3), "observations_per_second": _rate(expected, seconds),
        "publish_seconds": round(sent["acked"] - sent["first"], 3),
        "baseline_seconds": round(base_seconds, 4), "baseline_observations_per_second": _rate(expected, base_seconds),
        "ratio": round(seconds / base_seconds, 1) if base_seconds else None,
        "agree": agree, "compared": compared,
        "panel_delay_seconds": {"median": round(statistics.median(delays), 3), "max": round(max(delays), 3),
                                "samples": len(delays), "poll_interval": 1},
    }  # fmt: skip


def bench_aqi(stations: int, days: int, samples: int = 5, batch_size: int = 5000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="dieuhanh-bench-aqi-") as tmp:
        root = Path(tmp)
        env = scratch_env(root / "data", root / "bench.sqlite3")
        env["DIEUHANH_HTTPS"] = "0"
        _cli(["migrate", "-v0"], env)
        _cli(["units", "import", "--province", "68"], env)
        work = root / "mqtt"
        work.mkdir()
        done = subprocess.run(  # noqa: S603 - this module
            [sys.executable, "-m", "dieuhanh.environment.bench", "worker", str(stations), str(days), str(samples),
             str(batch_size), str(work)],
            env=env, capture_output=True, text=True, timeout=7200, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"bench aqi failed: {done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def render(r: dict[str, Any]) -> str:
    d = r["panel_delay_seconds"]
    return (
        f"aqi: {r['stations']} stations × 6 pollutants × {r['days']} days = {r['observations']:,} observations "
        f"in {r['messages']:,} QoS-1 messages → lake + hourly/daily VN_AQI stored: {r['seconds']:.2f} s, "
        f"{r['observations_per_second']:,.0f} obs/s ({r['aqi_hours_stored']:,} AQI hours)\n"
        f"baseline (the same hourly AQI in one NumPy pass, nothing stored): {r['baseline_seconds']:.3f} s, "
        f"{r['baseline_observations_per_second']:,.0f} obs/s; ratio {r['ratio']}×; stored = baseline for "
        f"{r['agree']:,} of {r['compared']:,} station-hours\n"
        f"publish → live panel changed: median {d['median']:.3f} s, max {d['max']:.3f} s over {d['samples']} "
        f"samples (a screen adds up to its {d['poll_interval']} s polling interval)"
    )


# --- `dieuhanh bench aqi` (dispatched by core/management/commands/bench.py) ---------------------
def add_arguments(parser: Any) -> None:
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--samples", type=int, default=5, help="publish → panel measurements")
    parser.add_argument(
        "--batch-size", type=int, default=5000, help="the MQTT subscriber's batch size (messages)"
    )


def run(opts: dict[str, Any]) -> dict[str, Any]:
    return bench_aqi(opts["stations"], opts["days"], opts["samples"], opts["batch_size"])


def main(argv: list[str]) -> None:
    what, args = argv[0], argv[1:]
    if what == "publish":
        out = publish(int(args[0]), int(args[1]), int(args[2]), int(args[3]), args[4])
    elif what == "worker":
        out = worker(int(args[0]), int(args[1]), int(args[2]), int(args[3]), Path(args[4]))
    else:
        raise SystemExit(f"unknown: {what}")
    sys.stdout.write(json.dumps(out, default=str) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
