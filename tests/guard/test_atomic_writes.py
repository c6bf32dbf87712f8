"""An interrupted or failing write leaves the previous file intact and no temporary file behind."""

from __future__ import annotations

import errno

import pytest

from conflictkg.guard import files as atomic
from conflictkg.cli import main
from conflictkg.errors import InputError

PREVIOUS = b"the previous export\n"
GOOD = "tests/fixtures/bad-input/good.ttl"


@pytest.fixture
def previous(tmp_path):
    target = tmp_path / "graph.ttl"
    target.write_bytes(PREVIOUS)
    return target


def _half_then(exception: BaseException):
    def writer(out):
        out.write(b"half of the new content")
        raise exception

    return writer


def test_ctrl_c_inside_the_writer(previous):
    with pytest.raises(KeyboardInterrupt):
        atomic.write_atomic(previous, _half_then(KeyboardInterrupt()))
    assert previous.read_bytes() == PREVIOUS
    assert [p.name for p in previous.parent.iterdir()] == ["graph.ttl"]


def test_disk_full_inside_the_writer(previous):
    with pytest.raises(InputError, match="No space left on device; the file was not changed"):
        atomic.write_atomic(previous, _half_then(OSError(errno.ENOSPC, "No space left on device")))
    assert previous.read_bytes() == PREVIOUS
    assert [p.name for p in previous.parent.iterdir()] == ["graph.ttl"]


def test_a_new_file_is_not_created_when_the_write_fails(tmp_path):
    target = tmp_path / "new.ttl"
    with pytest.raises(KeyboardInterrupt):
        atomic.write_atomic(target, _half_then(KeyboardInterrupt()))
    assert list(tmp_path.iterdir()) == []


def test_a_complete_write_replaces_the_file_and_keeps_its_mode(previous):
    previous.chmod(0o640)
    atomic.write_bytes_atomic(previous, [b"new ", b"content\n"])
    assert previous.read_bytes() == b"new content\n"
    assert previous.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in previous.parent.iterdir()] == ["graph.ttl"]


@pytest.mark.parametrize(
    ("exception", "status", "message"),
    [
        (KeyboardInterrupt(), 130, "interrupted; no output file was changed"),
        (OSError(errno.ENOSPC, "No space left on device"), 2, "No space left on device"),
    ],
    ids=["ctrl-c", "disk-full"],
)
def test_export_interrupted_in_the_writer(previous, monkeypatch, capsys, exception, status, message):
    real_write = atomic._write_chunks

    def failing(out, chunks):
        real_write(out, chunks[: len(chunks) // 2])  # half the bytes reach the temporary file
        raise exception

    monkeypatch.setattr(atomic, "_write_chunks", failing)
    assert main(["export", "--data", GOOD, "-o", str(previous)]) == status
    assert message in capsys.readouterr().err
    assert previous.read_bytes() == PREVIOUS
    assert [p.name for p in previous.parent.iterdir()] == ["graph.ttl"]


def test_export_interrupted_while_serialising(previous, monkeypatch, capsys):
    import conflictkg.graph.serialize

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(conflictkg.graph.serialize, "serialize", interrupted)
    assert main(["export", "--data", GOOD, "-o", str(previous)]) == 130
    assert previous.read_bytes() == PREVIOUS
    assert [p.name for p in previous.parent.iterdir()] == ["graph.ttl"]
