"""The loading rule's download half and the restricted unpickler: fetch.py and safe_pickle.py."""
import io
import os
import pickle
import socket
import urllib.error

import numpy as np
import pytest
from dataset_files import closed_port_url, md5, sha256

from deepgrad.keras.datasets import fetch, safe_pickle

BODY = bytes(range(256)) * 40  # 10,240 bytes


def listing(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_good_checksum_lands_under_its_final_name(server, isolated, capsys):
    server.serve("f.bin", BODY)
    dest = isolated.deepgrad / "datasets" / "f.bin"
    check = lambda tmp: fetch.verify_file(tmp, sha256(BODY))  # noqa: E731
    assert fetch.download([server.url("f.bin")], dest, check) is None
    assert listing(dest.parent) == ["f.bin"]
    assert md5(dest.read_bytes()) == md5(BODY)
    err = capsys.readouterr().err
    assert "f.bin" in err and "10.2 kB/10.2 kB (100%)" in err
    assert 2 <= err.count("\n") <= 5, "not a terminal: a few lines, not one per chunk"


def test_check_value_is_returned(server, isolated):
    server.serve("f.bin", BODY)
    value = fetch.download([server.url("f.bin")], isolated.deepgrad / "f.bin", lambda tmp: tmp.stat().st_size)
    assert value == 10240


def test_bad_checksum_leaves_nothing_not_even_the_temporary_file(server, isolated):
    server.serve("f.bin", BODY)
    dest = isolated.deepgrad / "datasets" / "f.bin"
    with pytest.raises(fetch.DownloadError) as e:
        fetch.download([server.url("f.bin")], dest, lambda tmp: fetch.verify_file(tmp, "0" * 32))
    assert "corrupt or truncated" in str(e.value) and md5(BODY) in str(e.value) and "0" * 32 in str(e.value)
    assert isinstance(e.value, FileNotFoundError)
    assert listing(dest.parent) == []
    assert server.hits == ["/f.bin"], "a checksum mismatch is not retried"


def test_truncated_body_is_retried_then_fails_leaving_nothing(server, isolated):
    server.serve("f.bin", BODY[:1000], length=len(BODY))
    dest = isolated.deepgrad / "f.bin"
    with pytest.raises(fetch.DownloadError, match="1000 of 10240 bytes"):
        fetch.download([server.url("f.bin")], dest)
    assert listing(isolated.deepgrad) == []
    assert len(server.hits) == fetch.RETRIES == 3


def test_http_500_is_retried_and_then_succeeds(server, isolated):
    server.serve("f.bin", b"busy", status=500)
    server.serve("f.bin", b"busy", status=503)
    server.serve("f.bin", BODY)
    dest = isolated.deepgrad / "f.bin"
    fetch.download([server.url("f.bin")], dest, lambda tmp: fetch.verify_file(tmp, md5(BODY)))
    assert dest.read_bytes() == BODY
    assert server.hits == ["/f.bin"] * 3


def test_404_moves_on_to_the_next_mirror_at_once(server, isolated):
    server.serve("second/f.bin", BODY)
    dest = isolated.deepgrad / "f.bin"
    fetch.download([server.url("first/f.bin"), server.url("second/f.bin")], dest)
    assert dest.read_bytes() == BODY
    assert server.hits == ["/first/f.bin", "/second/f.bin"]


def test_every_mirror_failing_lists_each_url_and_reason(server, isolated):
    closed = closed_port_url("f.bin")
    with pytest.raises(fetch.DownloadError) as e:
        fetch.download([server.url("missing"), closed], isolated.deepgrad / "f.bin")
    text = str(e.value)
    assert f"{server.url('missing')}: HTTP 404" in text
    assert f"{closed}: " in text and "Connection refused" in text and "tried 3 times" in text
    assert [url for url, _ in e.value.failures] == [server.url("missing"), closed]


def test_progress_on_a_terminal_rewrites_one_line():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = fetch.Progress("Downloading x", 2_000_000, stream=stream)
    for done in range(0, 2_000_001, 100_000):
        progress.update(done)
    progress.close(2_000_000)
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.count("\r") == 22
    assert text.endswith("\rDownloading x: 2.0 MB/2.0 MB (100%)\n")


def test_progress_elsewhere_prints_five_lines_at_most():
    stream = io.StringIO()
    progress = fetch.Progress("Downloading x", 1000, stream=stream)
    for done in range(0, 1001, 10):
        progress.update(done)
    progress.close(1000)
    assert stream.getvalue().splitlines() == [
        "Downloading x: 0 B/1.0 kB (0%)", "Downloading x: 250 B/1.0 kB (25%)", "Downloading x: 500 B/1.0 kB (50%)",
        "Downloading x: 750 B/1.0 kB (75%)", "Downloading x: 1.0 kB/1.0 kB (100%)",
    ]


def test_hash_algorithm_is_detected_from_the_length():
    assert fetch.hash_algorithm("a" * 64) == "sha256"
    assert fetch.hash_algorithm("a" * 32) == "md5"
    assert fetch.hash_algorithm("a" * 64, "md5") == "md5"
    with pytest.raises(ValueError, match="Received: hash_algorithm='sha1'"):
        fetch.hash_algorithm("a" * 40, "sha1")


def test_cache_folders_follow_the_environment(isolated, monkeypatch):
    assert fetch.deepgrad_cache() == isolated.deepgrad / "datasets"
    assert fetch.keras_cache() == isolated.keras / "datasets"
    monkeypatch.delenv("DEEPGRAD_HOME")
    monkeypatch.delenv("KERAS_HOME")
    assert fetch.deepgrad_cache() == isolated.home / ".deepgrad" / "datasets"
    assert fetch.keras_cache() == isolated.home / ".keras" / "datasets"
    assert fetch.system_dirs("imdb") == [isolated.system / "imdb"]


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_restricted_unpickler_refuses_os_system_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    data = pickle.dumps({b"data": _Evil(marker)}, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match=r"refusing to load the global (posix|os|nt)\.system"):
        safe_pickle.loads(data, encoding="bytes")
    assert not marker.exists()
    pickle.loads(data)  # the same bytes do run code through plain pickle: the test pickle is live
    assert marker.exists()


def test_load_npz_refuses_an_object_array_that_runs_code(tmp_path):
    marker = tmp_path / "pwned"
    evil = np.empty(1, dtype=object)
    evil[0] = _Evil(marker)
    np.savez(tmp_path / "evil.npz", x_train=evil)
    with pytest.raises(pickle.UnpicklingError, match="system"):
        safe_pickle.load_npz((tmp_path / "evil.npz").read_bytes())
    assert not marker.exists()


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_restricted_unpickler_reads_numpy_arrays_in_every_protocol(protocol):
    batch = {b"data": np.arange(12, dtype=np.uint8).reshape(3, 4), b"labels": [1, 2, 3], b"name": b"\xffbatch",
             b"f": np.array([1.5, -2.0], dtype=">f4")}
    out = safe_pickle.loads(pickle.dumps(batch, protocol=protocol), encoding="bytes")
    assert out[b"data"].dtype == np.uint8 and out[b"data"].sum() == 66 and out[b"data"].shape == (3, 4)
    assert out[b"labels"] == [1, 2, 3] and out[b"name"] == b"\xffbatch"
    assert out[b"f"].tolist() == [1.5, -2.0]


def test_codecs_stand_in_only_encodes_latin1():
    with pytest.raises(pickle.UnpicklingError, match="latin-1"):
        safe_pickle.ALLOWED[("_codecs", "encode")]("x", "rot13")
    assert safe_pickle.ALLOWED[("_codecs", "encode")]("\xff", "latin1") == b"\xff"


def test_load_npz_reads_numeric_and_object_arrays(tmp_path):
    ragged = np.empty(2, dtype=object)
    ragged[0], ragged[1] = [1, 2, 3], [4]
    np.savez(tmp_path / "a.npz", ragged=ragged, numbers=np.arange(5, dtype=np.int16))
    out = safe_pickle.load_npz((tmp_path / "a.npz").read_bytes())
    assert out["ragged"].dtype == object and out["ragged"].tolist() == [[1, 2, 3], [4]]
    assert out["numbers"].dtype == np.int16 and out["numbers"].sum() == 10
    with pytest.raises(ValueError, match="not-npz is not an .npz archive"):
        safe_pickle.load_npz(b"hello", "not-npz")


def test_explicit_path_that_does_not_exist_is_named(isolated):
    with pytest.raises(fetch.DatasetNotFoundError, match="path='nowhere/x.npz' does not exist"):
        fetch.explicit_path("nowhere/x.npz", "mnist")
    with pytest.raises(fetch.DatasetNotFoundError, match=f"x.npz' does not exist \\(nor in {isolated.deepgrad}"):
        fetch.explicit_path("x.npz", "mnist")
    assert fetch.explicit_path("mnist.npz", "mnist", default_names=("mnist.npz",)) is None
    (isolated.keras / "datasets").mkdir()
    (isolated.keras / "datasets" / "x.npz").write_bytes(b"")
    assert fetch.explicit_path("x.npz", "mnist") == isolated.keras / "datasets" / "x.npz"


def test_unknown_host_is_not_retried(isolated, monkeypatch):
    calls = []

    def unresolvable(url, tmp):
        calls.append(url)
        raise urllib.error.URLError(socket.gaierror(socket.EAI_NONAME, "Name or service not known"))

    monkeypatch.setattr(fetch, "_fetch_once", unresolvable)
    with pytest.raises(fetch.DownloadError, match="http://a.example/f: .*Name or service not known\n"):
        fetch.download(["http://a.example/f", "http://b.example/f"], isolated.deepgrad / "f")
    assert calls == ["http://a.example/f", "http://b.example/f"]
