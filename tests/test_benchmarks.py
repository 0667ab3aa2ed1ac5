"""Small pieces of the benchmark scripts that a mistake would silently skew."""

from pathlib import Path

import pytest

from benchmarks.ab_first_visit import parse_tree


def test_a_tree_spec_is_a_directory_and_its_servers_environment():
    before = Path("/tmp/before").resolve()
    assert parse_tree("/tmp/before") == (before, {})
    assert parse_tree("/tmp/before@PYTHONPATH=/tmp/x;OPTLAB_TRIM=0") == (
        before,
        {"PYTHONPATH": "/tmp/x", "OPTLAB_TRIM": "0"},
    )
    assert parse_tree("/tmp/before@URL=http://h/?a=1@x") == (before, {"URL": "http://h/?a=1@x"})
    assert parse_tree(".")[0] == Path.cwd().resolve()


def test_a_malformed_environment_is_refused():
    with pytest.raises(ValueError, match="K=V"):
        parse_tree("/tmp/before@PYTHONPATH")
