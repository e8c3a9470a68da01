"""A private, throwaway CUPS scheduler for tests that print through the real `lp` command.

Tests must never touch the machine's /etc/cups or a system cupsd, so this starts its own cupsd with
its own cupsd.conf and cups-files.conf, every file and directory it writes under one folder, listening
only on 127.0.0.1 on a free port, with one raw queue (no PPD, no filters: the bytes given to `lp -o raw`
reach the device untouched). Clients reach it with `lp -h SERVER` or the env CUPS_SERVER=SERVER.

Needs Debian's `cups-daemon` (cupsd), `cups-client` (lp, lpadmin, lpstat) and `cups` (the socket
backend lives only in that package). As root, cupsd runs backends as the user `lp`, which must be able
to read the spooled job: the folder and all its parents must be traversable by `lp` (pytest's tmp_path
is not: /tmp/pytest-of-root is 0700), which is why the default folder is a fresh one under /tmp.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CUPSD = "/usr/sbin/cupsd"
SERVER_BIN = Path("/usr/lib/cups")
DATA_DIR = Path("/usr/share/cups")
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


class CupsUnavailable(RuntimeError):
    """CUPS (cupsd, lpadmin, or the socket backend) is not installed on this machine."""


@dataclass(frozen=True)
class CupsServer:
    """A running private scheduler: `server` is what `lp -h` and CUPS_SERVER take."""

    server: str
    queue: str
    folder: Path
    process: subprocess.Popen[bytes]

    @property
    def env(self) -> dict[str, str]:
        """The environment for client commands, so that none of them can reach a system cupsd."""
        return {**os.environ, "CUPS_SERVER": self.server}

    def error_log(self) -> str:
        """cupsd's own log, for failure messages."""
        path = self.folder / "log" / "error_log"
        return path.read_text(errors="replace") if path.exists() else ""


def missing_cups() -> str | None:
    """Why a private CUPS cannot run here, or None when it can: tests skip or fail with this."""
    for tool in (CUPSD, "lp", "lpadmin", "lpstat"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install cups-daemon cups-client cups)"
    if not (SERVER_BIN / "backend" / "socket").exists():
        return "the CUPS socket backend is not installed (apt-get install cups)"
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _accounts() -> tuple[str, str]:
    """User and group cupsd runs jobs as: `lp` as root (cupsd refuses root), else ourselves."""
    if os.geteuid() == 0:
        return "lp", "lp"
    import grp
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name, grp.getgrgid(os.getegid()).gr_name


def _unreachable_parent(folder: Path, user: str) -> Path | None:
    """The first parent of folder that user cannot pass through, if any: cupsd's children would fail
    with "Unable to open print file: Permission denied" and the job would be held, not printed."""
    import grp
    import pwd

    account = pwd.getpwnam(user)
    groups = {account.pw_gid} | {group.gr_gid for group in grp.getgrall() if user in group.gr_mem}
    for parent in folder.resolve().parents:
        mode = parent.stat()
        if mode.st_uid == account.pw_uid:
            allowed = mode.st_mode & 0o100
        elif mode.st_gid in groups:
            allowed = mode.st_mode & 0o010
        else:
            allowed = mode.st_mode & 0o001
        if not allowed:
            return parent
    return None


def _write_config(folder: Path, port: int) -> tuple[Path, Path]:
    """cups-files.conf and cupsd.conf that keep every path under folder and need no authentication."""
    user, group = _accounts()
    for name in ("conf", "spool", "spool/tmp", "cache", "state", "log"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    files = folder / "conf" / "cups-files.conf"
    files.write_text(
        "\n".join(
            [
                f"ServerRoot {folder / 'conf'}",
                f"ServerBin {SERVER_BIN}",
                f"DataDir {DATA_DIR}",
                f"DocumentRoot {DATA_DIR / 'doc-root'}",
                f"RequestRoot {folder / 'spool'}",
                f"TempDir {folder / 'spool' / 'tmp'}",
                f"CacheDir {folder / 'cache'}",
                f"StateDir {folder / 'state'}",
                f"ServerKeychain {folder / 'conf' / 'ssl'}",
                f"AccessLog {folder / 'log' / 'access_log'}",
                f"ErrorLog {folder / 'log' / 'error_log'}",
                f"PageLog {folder / 'log' / 'page_log'}",
                f"Printcap {folder / 'state' / 'printcap'}",
                f"User {user}",
                f"Group {group}",
                # Nobody administers this scheduler but the test; no lpadmin group needed.
                "SystemGroup root",
                "FileDevice No",
                "Sandboxing Relaxed",
                "CreateSelfSignedCerts No",
                "",
            ]
        )
    )
    conf = folder / "conf" / "cupsd.conf"
    conf.write_text(
        "\n".join(
            [
                "LogLevel info",
                "MaxLogSize 0",
                f"Listen 127.0.0.1:{port}",
                "Browsing No",
                "BrowseLocalProtocols none",
                "DefaultShared No",
                "WebInterface No",
                "HostNameLookups Off",
                "DefaultEncryption Never",
                "DefaultAuthType None",
                # Jobs leave no history: a finished test leaves nothing to clean but the folder.
                "PreserveJobHistory No",
                "PreserveJobFiles No",
                "<Location />",
                "  Order allow,deny",
                "  Allow from 127.0.0.1",
                "</Location>",
                "<Policy default>",
                "  <Limit All>",
                "    Order allow,deny",
                "    Allow from 127.0.0.1",
                "  </Limit>",
                "</Policy>",
                "",
            ]
        )
    )
    return conf, files


def _run(args: list[str], server: str) -> subprocess.CompletedProcess[str]:
    """A CUPS client command against the private scheduler only."""
    return subprocess.run(
        args, env={**os.environ, "CUPS_SERVER": server}, capture_output=True, text=True, timeout=30
    )


def _admin(args: list[str], server: str) -> subprocess.CompletedProcess[str]:
    """An administration command, tried again while the scheduler cannot take the connection.

    A scheduler that has just answered `lpstat -r` can still refuse the next connection for a
    moment while it finishes starting (seen once on a clean CI run: "Unable to connect to server:
    Bad file descriptor"); any other refusal is the answer."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        done = _run(args, server)
        if done.returncode == 0 or "Unable to connect" not in done.stderr or time.monotonic() > deadline:
            return done
        time.sleep(0.1)


def _wait_until_up(process: subprocess.Popen[bytes], server: str, folder: Path) -> None:
    """Polls `lpstat -r` until the scheduler answers; fails at once if cupsd died."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (folder / "log" / "error_log").read_text(errors="replace") if folder.exists() else ""
            raise RuntimeError(f"cupsd exited with {process.returncode} while starting:\n{log[-4000:]}")
        if _run(["lpstat", "-h", server, "-r"], server).returncode == 0:
            return
        time.sleep(0.05)
    raise RuntimeError(f"cupsd did not answer on {server} within {START_TIMEOUT} s")


def _children(pid: int) -> list[int]:
    """Process ids whose parent is pid: cupsd puts each filter and backend in a group of its own."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # Fields after the ")" that ends the command name: state, ppid, ...
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (cupsd then stops its running jobs' backends itself); SIGKILL for it and them if stuck."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            stuck = _children(process.pid)
            process.kill()
            process.wait(STOP_TIMEOUT)
            for pid in stuck:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def private_cups(device_uri: str, folder: Path | None = None, queue: str = "probe") -> Iterator[CupsServer]:
    """Starts a private cupsd with one enabled raw queue for device_uri; stops it on exit.

    Without folder, uses a fresh directory under /tmp (reachable by the user `lp`) and removes it
    afterwards. A given folder is kept (its logs help a failing test) and, as root, must be
    traversable by `lp`.
    """
    reason = missing_cups()
    if reason:
        raise CupsUnavailable(reason)
    with contextlib.ExitStack() as stack:
        if folder is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tracestation-cups-")))
        folder.mkdir(parents=True, exist_ok=True)
        user = _accounts()[0]
        blocked = _unreachable_parent(folder, user)
        if blocked is not None:
            raise RuntimeError(f"{blocked} is not traversable by {user}, who reads the spooled jobs")
        # mkdtemp makes 0700; cupsd's `lp` children must pass through to the spool.
        folder.chmod(0o711)
        port = free_port()
        server = f"127.0.0.1:{port}"
        conf, files = _write_config(folder, port)
        stderr = stack.enter_context((folder / "log" / "cupsd.stderr").open("wb"))
        process = subprocess.Popen(
            [CUPSD, "-f", "-c", str(conf), "-s", str(files)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
        stack.callback(_stop, process)
        _wait_until_up(process, server, folder)
        # No -m: a queue without a PPD is a raw queue (CUPS 2.4 deprecates `-m raw` but accepts it).
        added = _admin(["lpadmin", "-h", server, "-p", queue, "-E", "-v", device_uri], server)
        if added.returncode != 0:
            raise RuntimeError(f"lpadmin failed: {added.stderr.strip()}")
        yield CupsServer(server=server, queue=queue, folder=folder, process=process)
