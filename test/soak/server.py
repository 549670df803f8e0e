"""The demo process a soak scenario runs against: started on a free port with the settings
the scenario names, observed through /proc (descriptors, RSS, CPU), stopped with SIGTERM.
"""

import os
import resource
import signal
import socket
import subprocess
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Demo:
    """Owns one demo process. settings: {"header_timeout": 2000, ...} -> --set flags."""

    def __init__(self, binary, log_path, threads=1, settings=None, nofile=None, env=None, core=None):
        self.port = free_port()
        args = [binary, "--host", "127.0.0.1", "--port", str(self.port), "--threads", str(threads), "--quiet", "1"]
        for name, value in (settings or {}).items():
            args += ["--set", f"{name}={value}"]
        self.log = open(log_path, "ab")
        def before_exec():   # in the child: its descriptor limit and its core
            if nofile is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
            if core is not None:
                os.sched_setaffinity(0, {core})

        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=before_exec,
                                     env={**os.environ, **(env or {})})
        self.pid = self.proc.pid
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the demo exited during start-up (status {self.proc.returncode})")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the demo did not accept within 30 s")

    def fds(self):
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def rss_kib(self):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def cpu_seconds(self):
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def settle_fds(self, target, budget=10.0):
        """Waits until the descriptor count is at most `target`; returns the last count."""
        deadline = time.monotonic() + budget
        count = self.fds()
        while count > target and time.monotonic() < deadline:
            time.sleep(0.1)
            count = self.fds()
        return count

    def stop(self, timeout=15.0):
        """SIGTERM, then the exit status (None if it had to be killed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.log.close()
                return None
        self.log.close()
        return self.proc.returncode
