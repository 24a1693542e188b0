"""What one catalog API request costs the web process, in CPU time and (under valgrind) in instructions.

``catalog_api.py`` times requests over HTTP; on a shared two-core machine those timings move by 1.5-2x
within minutes, more than most changes are worth. This runs the same scenarios in-process, through
Django's WSGI handler (no HTTP server, no client), against a catalog ``catalog_api.py --keep`` left
behind, and prints the web process's CPU per request. With ``--instructions`` it runs itself under
valgrind's callgrind and prints instructions per request instead: the same code gives the same count
however busy the machine is, so two commits can be compared on any day. PostgreSQL's own work is not in
either figure (its planning and execution show in ``catalog_api.py --explain``).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import catalog_api as api  # noqa: E402
import catalog_ingest as ingest  # noqa: E402

# callgrind writes a dump each time this C function is entered: a call marks where a scenario's timed
# requests begin and end (``zlib.crc32`` is a symbol of libz that nothing in a request calls).
MARK = "crc32"


def mark() -> None:
    zlib.crc32(b"")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=api.DEFAULT_DATABASE, help="A database catalog_api.py kept.")
    parser.add_argument("--entities", type=int, default=10_000, help="The --entities it was loaded with.")
    parser.add_argument("--policy", choices=("default", "rule"), default="default")
    parser.add_argument("--requests", type=int, default=200, help="Requests per scenario.")
    parser.add_argument("--warmup", type=int, default=20, help="Untimed requests before each scenario.")
    parser.add_argument(
        "--instructions", action="store_true", help="Count instructions under valgrind's callgrind."
    )
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.instructions:
        counted(args, argv or sys.argv[1:])
        return
    costs = measure(args)
    print(f"{args.policy} policy, {args.requests} requests a scenario, in-process (CPU ms per request):")
    for name, cpu in costs.items():
        print(f"  {name:34} {cpu:8.3f}")
    if args.json:
        args.json.write_text(json.dumps({"policy": args.policy, "cpu_ms": costs}, indent=2))


def measure(args: argparse.Namespace) -> dict[str, float]:
    """CPU ms per request of each scenario; calls ``mark()`` around each scenario's timed requests."""
    ingest.setup_django(f"postgres://postgres@127.0.0.1:5432/{args.database}")
    from django.contrib.auth import get_user_model
    from django.core.handlers.wsgi import WSGIHandler

    from permissions.models import PolicyRule
    from tokens.models import ApiToken

    layout = ingest.Layout(args.entities)
    user = get_user_model().objects.get(username="bench-reader")
    if args.policy == "rule":
        if not PolicyRule.objects.filter(name__startswith=api.BENCH_RULE_PREFIX).exists():
            api.rule_based_policy({"subject": "user", "value": user.username, "owns": []})
    else:
        api.default_policy()
    _row, token = ApiToken.issue(user.username, user=user, name="request_cost benchmark")
    app = WSGIHandler()
    owner_key, _found = api.pick_owner_key(token, layout)
    scenarios = api.build_scenarios(layout, owner_key)
    first = next(s for s in scenarios if s.name.startswith("by-query first"))
    status, body = call(app, token, first.call(0))
    api.with_cursor(scenarios, json.loads(body)["pageInfo"]["nextCursor"])

    costs: dict[str, float] = {}
    for scenario in scenarios:
        requests_ = [scenario.call(i) for i in range(args.warmup + args.requests)]
        for request in requests_[: args.warmup]:
            status, body = call(app, token, request)
            if status != 200:
                raise RuntimeError(f"{scenario.name}: {status} {body[:300]!r}")
        mark()
        started = time.process_time()
        for request in requests_[args.warmup :]:
            call(app, token, request)
        costs[scenario.name] = (time.process_time() - started) / args.requests * 1000
        mark()
    return costs


def call(app: Any, token: str, request: api.Call) -> tuple[int, bytes]:
    path, _, query = request.path.partition("?")
    body = b"" if request.body is None else json.dumps(request.body).encode()
    environ = {
        "REQUEST_METHOD": request.method,
        "PATH_INFO": api.API + path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    started: list[str] = []
    response = app(environ, lambda status, headers, exc_info=None: started.append(status))
    try:
        content = b"".join(response)
    finally:
        response.close()
    return int(started[0].split()[0]), content


def counted(args: argparse.Namespace, argv: list[str]) -> None:
    """Run this script under callgrind, dumping at every ``mark()``, and read each scenario's count."""
    out = Path(tempfile.mkdtemp(prefix="greenroom-request-cost-")) / "callgrind.out"
    inner = [a for a in argv if a != "--instructions" and not a.startswith("--json")]
    if args.json:
        inner = [a for a in inner if a != str(args.json)]
    command = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={out}",
        f"--dump-before={MARK}",
        sys.executable,
        str(Path(__file__).resolve()),
        *inner,
    ]
    print(f"running under callgrind (about 30x slower): {' '.join(command[4:])}", flush=True)
    result = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    names = re.findall(r"^  (.+?)\s+[\d.]+$", result.stdout, flags=re.MULTILINE)
    dumps = sorted(out.parent.glob("callgrind.out.*"), key=lambda p: int(p.suffix[1:]))
    if len(dumps) != 2 * len(names):
        raise SystemExit(f"expected {2 * len(names)} dumps, found {len(dumps)}: something else called {MARK}")
    totals = [_summary(p) for p in dumps]
    # Dump k ends just before the k-th mark: scenario i's requests run between marks 2i+1 and 2i+2.
    figures = {name: totals[2 * i + 1] / args.requests for i, name in enumerate(names)}
    print(f"{args.policy} policy, {args.requests} requests a scenario (instructions per request):")
    for name, count in figures.items():
        print(f"  {name:34} {count:12,.0f}")
    if args.json:
        args.json.write_text(json.dumps({"policy": args.policy, "instructions": figures}, indent=2))


def _summary(path: Path) -> int:
    match = re.search(r"^summary: (\d+)", path.read_text(errors="replace"), flags=re.MULTILINE)
    return int(match.group(1)) if match else 0


if __name__ == "__main__":
    main()
