"""``serve``: the site is served, and an edit to a note shows without restarting."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

from conftest import CONFIG, PROJECT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, wanted: str, seconds: float) -> str:
    deadline, text = time.monotonic() + seconds, ""
    while time.monotonic() < deadline:
        try:
            text = urllib.request.urlopen(url, timeout=5).read().decode()
            if wanted in text:
                return text
        except OSError:
            pass
        time.sleep(0.3)
    return text


def test_serve_rebuilds_after_an_edit(minimal_book):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "builder", "serve", "--root", str(minimal_book), "--config",
                               str(CONFIG), "--dev-addr", f"127.0.0.1:{port}"], cwd=PROJECT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/actors/russia/"
        assert "Russia signed a treaty" in fetch(url, "Russia signed a treaty", 60)
        note = minimal_book / "content" / "actors" / "russia.md"
        note.write_text(note.read_text().replace("Russia signed a treaty", "Russia has signed a treaty"),
                        encoding="utf-8")
        assert "Russia has signed a treaty" in fetch(url, "Russia has signed a treaty", 30)
        assert not (minimal_book / "content" / "actors" / "russia.md.tmp").exists()
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "regenerated in" in output
