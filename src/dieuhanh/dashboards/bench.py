"""IOC pages under load: Granian serving the demo province, 20 clients on loopback.

Starts the production server (`dieuhanh serve`, Granian) on a free port over the current data
directory (run `dieuhanh demo --no-serve` first), signs in a temporary account, then drives the
overview, a sector page and an indicator page with N concurrent keep-alive clients for S seconds
each; the baseline, measured in the same run against the same server, is `/healthz` (no
database, no template): the ratio says what a page costs above the server's floor.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Any
from urllib.parse import urlencode

PAGES = {
    "baseline /healthz": "/healthz",
    "overview": "/",
    "sector (hành chính công)": "/linh-vuc/hanh-chinh-cong/",
    "indicator dvc.online_share": "/chi-so/dvc.online_share/",
}


def add_arguments(parser: Any) -> None:
    parser.add_argument("--seconds", type=float, default=30.0, help="load duration per page (default 30)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="Granian workers (default 2)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _login(port: int, username: str, password: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/dang-nhap/")
    response = conn.getresponse()
    body = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert csrf_cookie and token, "no CSRF token on the sign-in page"
    form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)})
    conn.request("POST", "/dang-nhap/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_cookie.group(1)}",
        "Referer": f"http://127.0.0.1:{port}/dang-nhap/"})  # fmt: skip
    response = conn.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
    assert session, f"sign-in failed ({response.status})"
    return f"sessionid={session.group(1)}"


def _load(port: int, path: str, cookie: str, clients: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")
        )

    return {"path": path, "requests": len(latencies), "errors": errors, "rps": len(latencies) / elapsed,
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "mean_ms": statistics.fmean(latencies) * 1000 if latencies else float("nan")}  # fmt: skip


def run(opts: dict[str, Any]) -> dict[str, Any]:
    from dieuhanh.accounts.models import Role, User
    from dieuhanh.orgunits.models import OrgUnit

    province = OrgUnit.objects.filter(parent__isnull=True, valid_to__isnull=True).order_by("code").first()
    if province is None:
        from dieuhanh.core.errors import UserError

        raise UserError("bench.no_demo", "Chưa có dữ liệu: chạy `dieuhanh demo --no-serve` trước.",
                        "No data: run `dieuhanh demo --no-serve` first.")  # fmt: skip
    username, password = f"bench-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    user = User(username=username, unit=province, role=Role.VIEWER)
    user.set_password(password)
    user.save()
    port = _free_port()
    env = dict(os.environ, DIEUHANH_HTTPS="0", DJANGO_SETTINGS_MODULE="dieuhanh.settings")
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "dieuhanh.cli", "serve", "--port", str(port), "--workers", str(opts["workers"])],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        cookie = _login(port, username, password)
        results = {}
        for name, path in PAGES.items():
            _load(port, path, cookie, 2, 1.0)  # warm the workers and caches
            results[name] = _load(port, path, cookie, opts["clients"], opts["seconds"])
        base = results["baseline /healthz"]
        for r in results.values():
            r["p95_vs_baseline"] = r["p95_ms"] / base["p95_ms"] if base["p95_ms"] else None
            r["rps_vs_baseline"] = r["rps"] / base["rps"] if base["rps"] else None
        return {"server": f"granian, {opts['workers']} workers", "clients": opts["clients"],
                "seconds_per_page": opts["seconds"], "pages": results, "aim_p95_ms": 100}  # fmt: skip
    finally:
        server.terminate()
        server.wait(30)
        User.objects.filter(pk=user.pk).delete()


def render(result: dict[str, Any]) -> str:
    head = f"bench web: {result['server']}, {result['clients']} clients, {result['seconds_per_page']:.0f} s per page"
    columns = (
        f"{'page':<30} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'p95 ×base':>10}"
    )
    lines = [head, columns]
    for name, r in result["pages"].items():
        ratio = f"{r['p95_vs_baseline']:.1f}×" if r.get("p95_vs_baseline") else "-"
        lines.append(f"{name:<30} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['p99_ms']:>8.1f} "
                     f"{r['errors']:>7} {ratio:>10}")  # fmt: skip
    lines.append(f"aim: p95 under {result['aim_p95_ms']} ms")
    return "\n".join(lines)
