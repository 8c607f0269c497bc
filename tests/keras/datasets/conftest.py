"""Fixtures for the dataset loaders: isolated caches and a local HTTP server (the files: dataset_files.py).

Every test here runs with DEEPGRAD_HOME, KERAS_HOME and HOME in a temporary
folder, no system folder, no retry delay, and every mirror pointing at a
closed port on 127.0.0.1: nothing reaches the internet or the real caches.
"""
import http.server
import threading
from types import SimpleNamespace

import pytest
from dataset_files import closed_port_url

from deepgrad.keras.datasets import cifar10, cifar100, fashion_mnist, fetch, imdb, mnist


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Temporary caches and home; mirrors at a closed port; no proxy; no retry delay."""
    dirs = SimpleNamespace(
        deepgrad=tmp_path / "deepgrad_home", keras=tmp_path / "keras_home", home=tmp_path / "home",
        system=tmp_path / "system", work=tmp_path / "work",
    )
    for folder in vars(dirs).values():
        folder.mkdir()
    monkeypatch.setenv("DEEPGRAD_HOME", str(dirs.deepgrad))
    monkeypatch.setenv("KERAS_HOME", str(dirs.keras))
    monkeypatch.setenv("HOME", str(dirs.home))
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(fetch, "SYSTEM_DIRS", [dirs.system])
    monkeypatch.setattr(fetch, "RETRY_DELAY", 0)
    monkeypatch.setattr(fetch, "TIMEOUT", 5)
    for module in (mnist, fashion_mnist, cifar10, cifar100, imdb):
        monkeypatch.setattr(module, "MIRRORS", {name: [closed_port_url(name)] for name in module.MIRRORS})
    monkeypatch.chdir(dirs.work)
    return dirs


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.hits.append(self.path)
        responses = self.server.routes.get(self.path)
        if not responses:
            self.send_error(404)
            return
        status, body, length = responses.pop(0) if len(responses) > 1 else responses[0]
        self.send_response(status)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class LocalServer:
    """An HTTP server on 127.0.0.1 in a thread. serve(path, body, ...) queues responses for a path;
    the last one queued repeats. `hits` lists the paths requested."""

    def __init__(self):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.routes, self.httpd.hits = {}, []
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def hits(self):
        return self.httpd.hits

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{path.lstrip('/')}"

    def serve(self, path, body, status=200, length=None):
        """Queue a response; `length` declares another Content-Length than len(body) (a truncated body)."""
        self.httpd.routes.setdefault("/" + path.lstrip("/"), []).append((status, body, length))

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = LocalServer()
    yield s
    s.close()
