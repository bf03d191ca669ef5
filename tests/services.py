"""Real servers for tests: a throwaway PostgreSQL cluster and Debian's nginx, on 127.0.0.1.

Both come from Debian's packages (`.ci/run` installs them); `POSTGRES_MISSING` and
`NGINX_MISSING` say why one cannot run here, for a skip with a reason. Each instance lives in its
own temporary directory (data, sockets, logs, configuration), listens on a free loopback port and
is stopped and removed by `destroy()` / `stop()`. Used by tests/conftest.py's fixtures, the e2e
replica tests and bench/store_latency.py.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NGINX = Path("/usr/sbin/nginx")
NGINX_SITE = ROOT / "deploy" / "nginx-softmax.conf"
STARTUP_TIMEOUT = 60.0  # s: a cold start on a busy 2-core machine
_FIELD = re.compile(r'(\w+)=(?:"([^"]*)"|(\S+))')  # name=value or name="a value" in nginx's log


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process(process: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM (a server's clean shutdown), then SIGKILL if it is still there after `grace` s."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL's bin folder (/usr/lib/postgresql/<major>/bin)."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not found:
        return None
    return Path(max(found, key=lambda p: int(Path(p).parts[-3]))).parent


def _postgres_user() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        return None


POSTGRES_BIN = _postgres_bin()
POSTGRES_MISSING = (
    "PostgreSQL binaries not found in /usr/lib/postgresql/*/bin (apt-get install postgresql)"
    if POSTGRES_BIN is None
    else "running as root but there is no postgres user to run PostgreSQL as"
    if os.geteuid() == 0 and _postgres_user() is None
    else None
)
NGINX_MISSING = None if NGINX.exists() else f"{NGINX} is missing (apt-get install nginx)"


class PostgresCluster:
    """`initdb` + `pg_ctl start` in a temporary directory, listening on 127.0.0.1:`port`.

    As root, every PostgreSQL command runs as the `postgres` user (initdb refuses root).
    Trust authentication (loopback only), no fsync unless `durable` (tests), C locale.
    `stop()` and `start()` take the server away and bring it back with its data; `destroy()`
    stops it and removes everything.
    """

    def __init__(self, durable: bool = False) -> None:
        if POSTGRES_MISSING:
            raise RuntimeError(POSTGRES_MISSING)
        self.bin = POSTGRES_BIN
        self.durable = durable
        self.root = Path(tempfile.mkdtemp(prefix="softmax-pg-"))
        user = _postgres_user() if os.geteuid() == 0 else None
        self._as_user = ["runuser", "-u", "postgres", "--"] if user else []
        if user:
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C", "--no-sync")  # fmt: skip
        self.start()

    def __repr__(self) -> str:
        return f"PostgresCluster(port={self.port}, data={self.data})"

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of `database` on this cluster, through psycopg 3."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.root}"
            + ("" if self.durable else " -c fsync=off -c full_page_writes=off")
        )
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "60",
                  "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """`pg_ctl stop -m fast` (connections closed, clean) or `immediate` (like a crash)."""
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        status = subprocess.run(
            [*self._as_user, self.bin / "pg_ctl", "-D", self.data, "status"], capture_output=True
        )
        return status.returncode == 0

    def create_database(self) -> str:
        """A new empty database; returns its URL (one per test keeps tests apart)."""
        import psycopg

        name = f"test_{secrets.token_hex(6)}"
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def destroy(self) -> None:
        if self.data.exists() and self.running():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, program: str, *args: object) -> None:
        command = [*self._as_user, str(self.bin / program), *map(str, args)]
        run = subprocess.run(
            command, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"}
        )
        if run.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(
                f"{program} failed ({run.returncode}):\n{run.stdout}{run.stderr}\n{log}"
            )


def render_nginx_site(site: str, listen_port: int, replica_ports: list[int], log: Path) -> str:
    """deploy/nginx-softmax.conf as written, with its listen port, replica list and access log
    swapped for a test's: everything else (stickiness, websockets, timeouts) is tested as is."""
    servers = "".join(
        f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;\n" for port in replica_ports
    )
    site, upstreams = re.subn(
        r"(upstream softmax \{\n(?:.*\n)*?)((?:\s*server .*\n)+)", rf"\g<1>{servers}", site
    )
    site, listens = re.subn(r"listen 80;", f"listen 127.0.0.1:{listen_port};", site)
    site, logs = re.subn(r"access_log \S+ softmax;", f"access_log {log} softmax;", site)
    if (upstreams, listens, logs) != (1, 1, 1):
        raise ValueError(
            f"{NGINX_SITE.name} no longer has one upstream softmax block, one `listen 80;` and "
            "one `access_log ... softmax;`: update render_nginx_site"
        )
    return site


class NginxProxy:
    """Debian's nginx with deploy/nginx-softmax.conf in front of `replica_ports` on 127.0.0.1.

    Runs in the foreground (`daemon off`) with its own prefix, pid, logs and temp folders in a
    temporary directory; `access_log` names each request's replica (`replica=`) and sticky key.
    """

    def __init__(self, replica_ports: list[int]) -> None:
        if NGINX_MISSING:
            raise RuntimeError(NGINX_MISSING)
        self.root = Path(tempfile.mkdtemp(prefix="softmax-nginx-"))
        self.root.chmod(0o755)  # nginx's workers run as nobody when started by root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.access_log = self.root / "access.log"
        self.error_log = self.root / "error.log"
        site = render_nginx_site(NGINX_SITE.read_text(), self.port, replica_ports, self.access_log)
        (self.root / "softmax.conf").write_text(site)
        temp_paths = "".join(
            f"    {kind}_temp_path {self.root / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        config = self.root / "nginx.conf"
        config.write_text(
            f"daemon off;\npid {self.root / 'nginx.pid'};\nerror_log {self.error_log} info;\n"
            f"events {{ worker_connections 512; }}\n"
            f"http {{\n{temp_paths}    include {self.root / 'softmax.conf'};\n}}\n"
        )
        self.process = subprocess.Popen(
            [str(NGINX), "-p", str(self.root), "-c", str(config), "-e", str(self.error_log)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        self._wait_listening()

    def __repr__(self) -> str:
        return f"NginxProxy({self.url})"

    def _wait_listening(self, timeout: float = STARTUP_TIMEOUT) -> None:
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.process.returncode}:\n{self.errors()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx not listening after {timeout:.0f} s:\n{self.errors()}")

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str, dict]:
        """GET `path` through the proxy: (status, body, response headers)."""
        request = urllib.request.Request(self.url + path, headers=headers or {})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(errors="replace"), dict(response.headers)

    def requests(self) -> list[dict[str, str]]:
        """The access log so far, one dict per request: `request`, `status`, `key`, `time` and
        `replica`, the one that answered (nginx lists any it tried before: "a:1, b:2")."""
        entries = []
        for line in self.access_log.read_text().splitlines():
            _, request, fields = line.split('"', 2)
            entry = {name: quoted or bare for name, quoted, bare in _FIELD.findall(fields)}
            entry["replica"] = entry.get("replica", "").split(", ")[-1]
            entries.append({"request": request, **entry})
        return entries

    def errors(self) -> str:
        return self.error_log.read_text(errors="replace") if self.error_log.exists() else ""

    def stop(self) -> None:
        stop_process(self.process)
        shutil.rmtree(self.root, ignore_errors=True)
