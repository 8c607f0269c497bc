"""keras.utils.get_file: verified download, cache reuse, force_download, hash detection, safe extraction."""
import io
import tarfile
import zipfile
from pathlib import Path

import pytest
from dataset_files import closed_port_url, md5, sha256, tar_gz

from deepgrad.keras.datasets import fetch
from deepgrad.keras.utils import get_file
from deepgrad.keras.utils.file_utils import extract_archive

BODY = b"deepgrad " * 1000


def test_download_verify_and_cache(isolated, server):
    server.serve("files/data.bin", BODY)
    path = get_file("data.bin", origin=server.url("files/data.bin"), file_hash=sha256(BODY))
    assert path == str(isolated.deepgrad / "datasets" / "data.bin")
    assert Path(path).read_bytes() == BODY
    assert sorted(p.name for p in (isolated.deepgrad / "datasets").iterdir()) == ["data.bin"]
    server.close()
    assert get_file("data.bin", origin=server.url("files/data.bin"), file_hash=sha256(BODY)) == path
    assert server.hits == ["/files/data.bin"], "the cached copy is reused without the network"


def test_fname_defaults_to_the_url_name_and_cache_dir_is_honoured(isolated, server):
    server.serve("a/b/weights.h5", BODY)
    path = get_file(origin=server.url("a/b/weights.h5"), cache_dir=isolated.work, cache_subdir="models")
    assert path == str(isolated.work / "models" / "weights.h5")


def test_force_download_fetches_again(isolated, server):
    server.serve("data.bin", b"old")
    server.serve("data.bin", BODY)
    path = get_file("data.bin", origin=server.url("data.bin"))
    assert Path(path).read_bytes() == b"old"
    assert Path(get_file("data.bin", origin=server.url("data.bin"))).read_bytes() == b"old"
    assert Path(get_file("data.bin", origin=server.url("data.bin"), force_download=True)).read_bytes() == BODY
    assert len(server.hits) == 2


@pytest.mark.parametrize("digest, algorithm", [(md5, "md5"), (sha256, "sha256")])
def test_md5_and_sha256_are_told_apart_by_length(isolated, server, digest, algorithm):
    server.serve("data.bin", BODY)
    get_file("data.bin", origin=server.url("data.bin"), file_hash=digest(BODY))
    wrong = "0" * len(digest(BODY))
    with pytest.raises(FileNotFoundError, match=f"corrupt or truncated: its {algorithm} is {digest(BODY)}"):
        get_file("other.bin", origin=server.url("data.bin"), file_hash=wrong)
    assert sorted(p.name for p in (isolated.deepgrad / "datasets").iterdir()) == ["data.bin"]


def test_md5_hash_argument_and_explicit_algorithm(isolated, server):
    server.serve("data.bin", BODY)
    get_file("data.bin", origin=server.url("data.bin"), md5_hash=md5(BODY))
    get_file("data.bin", origin=server.url("data.bin"), file_hash=md5(BODY), hash_algorithm="md5")
    assert len(server.hits) == 1


def test_cached_copy_with_a_wrong_hash_is_downloaded_again(isolated, server):
    (isolated.deepgrad / "datasets").mkdir()
    (isolated.deepgrad / "datasets" / "data.bin").write_bytes(b"stale")
    server.serve("data.bin", BODY)
    with pytest.warns(UserWarning, match="data.bin is corrupt or truncated.*downloading it again"):
        path = get_file("data.bin", origin=server.url("data.bin"), file_hash=sha256(BODY))
    assert Path(path).read_bytes() == BODY


def test_unreachable_origin_raises_file_not_found(isolated):
    with pytest.raises(fetch.DownloadError, match="Connection refused"):
        get_file("x.bin", origin=closed_port_url("x.bin"))
    with pytest.raises(ValueError, match="origin"):
        get_file("x.bin")
    with pytest.raises(ValueError, match="Received: fname='a/x.bin'"):
        get_file("a/x.bin", origin=closed_port_url("x.bin"))


def test_extract_tar_as_keras_names_it(isolated, server):
    body = tar_gz(isolated.work / "pack.tar.gz", {"pack/a.txt": b"A", "pack/sub/b.txt": b"BB"})
    server.serve("pack.tar.gz", body)
    folder = get_file("pack", origin=server.url("pack.tar.gz"), extract=True, file_hash=md5(body))
    assert folder == str(isolated.deepgrad / "datasets" / "pack")
    assert (Path(folder) / "pack" / "sub" / "b.txt").read_bytes() == b"BB"
    assert (isolated.deepgrad / "datasets" / "pack_archive").read_bytes() == body
    folder = get_file("pack.tar.gz", origin=server.url("pack.tar.gz"), extract=True)
    assert folder == str(isolated.deepgrad / "datasets" / "pack_extracted")
    assert (Path(folder) / "pack" / "a.txt").read_bytes() == b"A"


def test_extract_zip(isolated, server):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("z/readme.txt", "zip")
    server.serve("z.zip", buffer.getvalue())
    folder = get_file("z", origin=server.url("z.zip"), extract=True)
    assert (Path(folder) / "z" / "readme.txt").read_text() == "zip"


@pytest.mark.parametrize("name", ["../evil", "/abs/evil", "ok/../../evil"])
def test_safe_extract_refuses_members_outside_the_target(isolated, name):
    tar_gz(isolated.work / "bad.tar.gz", {"fine.txt": b"x", name: b"evil"})
    with pytest.raises(ValueError, match=f"refusing to extract the member '{name}'"):
        extract_archive(isolated.work / "bad.tar.gz", isolated.work / "out")
    assert sorted(p.name for p in isolated.work.iterdir()) == ["bad.tar.gz"], "nothing extracted, no temp left"


def test_safe_extract_refuses_links_out_and_zip_climbing(isolated):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        link = tarfile.TarInfo("pack/link")
        link.type, link.linkname = tarfile.SYMTYPE, "../../etc/passwd"
        archive.addfile(link)
    (isolated.work / "link.tar").write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match="link to '../../etc/passwd' outside the target"):
        extract_archive(isolated.work / "link.tar", isolated.work / "out")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.txt", "evil")
    (isolated.work / "bad.zip").write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match="'../evil.txt': path with '..'"):
        extract_archive(isolated.work / "bad.zip", isolated.work / "out")
    assert not (isolated.work / "out").exists() and not (isolated.work.parent / "evil.txt").exists()


def test_extract_archive_on_a_plain_file_says_false(isolated):
    (isolated.work / "plain.txt").write_text("not an archive")
    assert extract_archive(isolated.work / "plain.txt", isolated.work / "out") is False
    assert extract_archive(isolated.work / "plain.txt", isolated.work / "out", archive_format=None) is False
    with pytest.raises(ValueError, match="Received: 'rar'"):
        extract_archive(isolated.work / "plain.txt", isolated.work / "out", archive_format="rar")
