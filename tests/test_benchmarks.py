"""Small pieces of the benchmark scripts that a mistake would silently skew."""

from pathlib import Path

import pytest

from benchmarks.ab_first_visit import parse_tree


def test_a_tree_spec_is_a_directory_and_its_servers_environment():
    assert parse_tree("/tmp/before") == (Path("/tmp/before"), {})
    assert parse_tree("/tmp/before@PYTHONPATH=/tmp/x;OPTLAB_TRIM=0") == (
        Path("/tmp/before"),
        {"PYTHONPATH": "/tmp/x", "OPTLAB_TRIM": "0"},
    )
    assert parse_tree("/tmp/b@URL=http://h/?a=1") == (Path("/tmp/b"), {"URL": "http://h/?a=1"})
    assert parse_tree(".")[0] == Path.cwd()


def test_a_malformed_environment_is_refused():
    with pytest.raises(ValueError, match="K=V"):
        parse_tree("/tmp/before@PYTHONPATH")
