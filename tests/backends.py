"""Real team backends on loopback for the tests: a PostgreSQL server and an S3-compatible store.

Each context manager starts its server in a temporary directory on a free loopback port, yields how
to reach it, and at exit stops it and removes everything; no process outlives the `with` block.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_USER = "postgres"  # Debian's postgresql package creates this system user
REGION = "us-east-1"


class BackendUnavailable(RuntimeError):
    """A server could not be installed or started."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes] | None, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise BackendUnavailable(f"{what} exited with {proc.returncode} before listening on {port}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise BackendUnavailable(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


# --- PostgreSQL ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Postgres:
    url: str  # postgres://user:password@127.0.0.1:port/db?sslmode=disable
    host: str
    port: int
    user: str
    password: str
    database: str
    data_dir: Path

    def psql(self, sql: str) -> str:
        """Run one statement with psql and return its unaligned output (for inspecting the backend)."""
        env = {**os.environ, "PGPASSWORD": self.password}
        args = ["psql", "-h", self.host, "-p", str(self.port), "-U", self.user, "-d", self.database]
        return subprocess.run([*args, "-At", "-c", sql], env=env, capture_output=True, text=True, check=True).stdout


def _pg_bindir() -> Path:
    """PostgreSQL's programs, installed by scripts/install-postgres if missing."""
    done = subprocess.run([ROOT / "scripts" / "install-postgres"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackendUnavailable(f"scripts/install-postgres failed:\n{done.stderr[-2000:]}")
    return Path(done.stdout.strip().splitlines()[-1])


def _as_user(user: str) -> dict[str, object]:
    """subprocess arguments that run a command as `user` (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam(user)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


@contextmanager
def postgres_server(database: str = "pulumi") -> Iterator[Postgres]:
    """A fresh PostgreSQL cluster in a temporary data directory, on a random loopback port."""
    bindir = _pg_bindir()
    user = pwd.getpwuid(os.geteuid()).pw_name if os.geteuid() != 0 else PG_USER
    password = secrets.token_urlsafe(18)
    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix="agentkube-pg-"))
    data, sock = tmp / "data", tmp / "run"
    sock.mkdir()
    pwfile = tmp / "pw"
    pwfile.write_text(password + "\n")
    as_user = _as_user(user)
    if as_user:
        os.chmod(tmp, 0o700)
        for p in (tmp, sock, pwfile):
            os.chown(p, int(as_user["user"]), int(as_user["group"]))  # type: ignore[call-overload]
    started = False
    try:
        run = {"check": True, "capture_output": True, "text": True, **as_user}
        subprocess.run(  # type: ignore[call-overload]
            [bindir / "initdb", "-D", data, "-U", user, "--pwfile", pwfile, "-A", "scram-sha-256", "-E", "UTF8"],
            **run,
        )
        pwfile.unlink()
        opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off"
        subprocess.run(  # type: ignore[call-overload]
            [bindir / "pg_ctl", "-D", data, "-l", tmp / "log", "-o", opts, "-w", "-t", "60", "start"], **run
        )
        started = True
        env = {**os.environ, "PGPASSWORD": password}
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                user,
                "-d",
                "postgres",
                "-c",
                f"CREATE DATABASE {database}",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        url = f"postgres://{user}:{password}@127.0.0.1:{port}/{database}?sslmode=disable"
        yield Postgres(url, "127.0.0.1", port, user, password, database, data)
    finally:
        if started and data.exists():
            subprocess.run(  # type: ignore[call-overload]
                [bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"], capture_output=True, **as_user
            )
        shutil.rmtree(tmp, ignore_errors=True)


def start_postgres(pg: Postgres) -> None:
    """Start a stopped server again on its port and data directory (the backend comes back)."""
    bindir = _pg_bindir()
    user = pg.user if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    tmp = pg.data_dir.parent
    opts = f"-c listen_addresses=127.0.0.1 -p {pg.port} -k {tmp / 'run'} -c fsync=off"
    subprocess.run(  # type: ignore[call-overload]
        [bindir / "pg_ctl", "-D", pg.data_dir, "-l", tmp / "log", "-o", opts, "-w", "-t", "60", "start"],
        capture_output=True,
        check=True,
        **_as_user(user),
    )


def stop_postgres(pg: Postgres) -> None:
    """Stop the server now (a fault test: the backend goes away); the context manager copes."""
    bindir = _pg_bindir()
    user = pg.user if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    subprocess.run(  # type: ignore[call-overload]
        [bindir / "pg_ctl", "-D", pg.data_dir, "-m", "immediate", "-w", "stop"],
        capture_output=True,
        check=True,
        **_as_user(user),
    )


# --- S3-compatible object store (versitygw) ---------------------------------------------------------


@dataclass
class ObjectStore:
    endpoint: str  # 127.0.0.1:port
    bucket: str
    access_key: str
    secret_key: str
    root: Path  # the posix backend's directory: one subdirectory per bucket
    proc: subprocess.Popen[bytes] | None = field(repr=False)

    @property
    def env(self) -> dict[str, str]:
        """What pulumi (gocloud's S3 driver) needs to reach the store."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_REGION": REGION,
        }

    @property
    def url(self) -> str:
        """The backend URL for `pulumi login`."""
        # plain HTTP on loopback: without disable_https the S3 client speaks TLS and fails
        return f"s3://{self.bucket}?endpoint={self.endpoint}&s3ForcePathStyle=true&disable_https=true&region={REGION}"

    def keys(self) -> list[str]:
        """Every object key in the bucket, read from the posix backend's directory."""
        base = self.root / self.bucket
        return sorted(str(p.relative_to(base)) for p in base.rglob("*") if p.is_file())


def objectstore_binary() -> Path:
    tools = os.environ.get("AGENTKUBE_OBJECTSTORE_TOOLS")
    if not tools:
        done = subprocess.run([ROOT / "scripts" / "install-objectstore"], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BackendUnavailable(f"scripts/install-objectstore failed:\n{done.stderr[-2000:]}")
        tools = done.stdout.strip().splitlines()[-1]
    return Path(tools) / "versitygw"


def s3_request(store: ObjectStore, method: str, path: str, body: bytes = b"") -> int:
    """One SigV4-signed request to the store (stdlib only); returns the HTTP status."""
    now = datetime.datetime.now(datetime.UTC)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    payload = hashlib.sha256(body).hexdigest()
    headers = {"host": store.endpoint, "x-amz-content-sha256": payload, "x-amz-date": amz_date}
    signed = ";".join(sorted(headers))
    canonical = "\n".join([method, path, "", *(f"{k}:{headers[k]}" for k in sorted(headers)), "", signed, payload])
    scope = f"{day}/{REGION}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + store.secret_key).encode()
    for part in (day, REGION, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    auth = f"AWS4-HMAC-SHA256 Credential={store.access_key}/{scope}, SignedHeaders={signed}, Signature={signature}"
    req = urllib.request.Request(
        f"http://{store.endpoint}{path}",
        data=body or None,
        method=method,
        headers={**{k: v for k, v in headers.items() if k != "host"}, "Authorization": auth},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


@contextmanager
def object_store(bucket: str = "pulumi-state") -> Iterator[ObjectStore]:
    """versitygw's posix backend in a temporary directory on a random loopback port, one bucket made."""
    tmp = Path(tempfile.mkdtemp(prefix="agentkube-s3-"))
    root = tmp / "data"
    root.mkdir()
    access, secret = "agentkube" + secrets.token_hex(4), secrets.token_urlsafe(24)
    store = ObjectStore(f"127.0.0.1:{free_port()}", bucket, access, secret, root, None)
    try:
        start_store(store)
        status = s3_request(store, "PUT", f"/{bucket}")
        if status != 200:
            raise BackendUnavailable(f"creating bucket {bucket} failed: HTTP {status}; see {tmp / 'log'}")
        yield store
    finally:
        kill_store(store)
        shutil.rmtree(tmp, ignore_errors=True)


def start_store(store: ObjectStore) -> None:
    """Run versitygw on the store's port and directory (again, after `kill_store`: the backend comes back)."""
    env = {**os.environ, "ROOT_ACCESS_KEY": store.access_key, "ROOT_SECRET_KEY": store.secret_key}
    with (store.root.parent / "log").open("ab") as log:
        store.proc = subprocess.Popen(
            [objectstore_binary(), "--port", store.endpoint, "posix", store.root],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _wait_port(int(store.endpoint.rsplit(":", 1)[1]), store.proc, "versitygw")


def kill_store(store: ObjectStore) -> None:
    """SIGKILL the store and its process group (a fault test, and the context manager's exit)."""
    if store.proc is None:
        return
    if store.proc.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(store.proc.pid, signal.SIGKILL)
    store.proc.wait(timeout=10)


# --- either, for tests that run the same steps on each ------------------------------------------------


@dataclass(frozen=True)
class TeamBackend:
    """A running team backend as a test sees it: how pulumi reaches it, what must never be printed, and
    how to take it away and bring it back."""

    name: str
    url: str
    env: dict[str, str]  # PULUMI_BACKEND_URL and the credentials pulumi reads
    address: str  # 127.0.0.1:PORT, which a failure must name
    secrets: tuple[str, ...]
    stop: Callable[[], None]
    start: Callable[[], None]


@contextmanager
def team_backend(name: str) -> Iterator[TeamBackend]:
    """`postgres` or `s3`, fresh, stopped at the end."""
    if name == "postgres":
        with postgres_server() as pg:
            yield TeamBackend(
                name,
                pg.url,
                {"PULUMI_BACKEND_URL": pg.url},
                f"127.0.0.1:{pg.port}",
                (pg.password,),
                lambda: stop_postgres(pg),
                lambda: start_postgres(pg),
            )
    else:
        with object_store() as s3:
            yield TeamBackend(
                name,
                s3.url,
                {"PULUMI_BACKEND_URL": s3.url, **s3.env},
                s3.endpoint,
                (s3.secret_key,),
                lambda: kill_store(s3),
                lambda: start_store(s3),
            )
