"""The benchmark's figures reach pages only from the file `make bench` writes."""

from __future__ import annotations

import pytest

from execdocs import bench as execdocs_bench
from papertrade_docs.macros.bench import BenchError, bench_figure, bench_measured_on, load_bench


def test_the_bench_writes_what_the_macros_read(tmp_path, capsys):
    target = tmp_path / "data" / "bench.json"
    assert execdocs_bench.main(["--commands", "6", "--rounds", "1", "--json", str(target)]) == 0
    data = load_bench(target)
    assert data["commands"] == 6 and data["rounds"] == 1
    assert bench_figure(data, "ratio_median_wall") == f"{data['ratio_median_wall']:.2f}"
    assert bench_figure(data, "startup_ms").endswith(" ms")
    assert "6 console commands, 1 alternating rounds" in bench_measured_on(data)
    assert not list(target.parent.glob("*.partial"))


def test_an_unknown_figure_names_what_exists_and_the_remedy():
    known = r"no figure 'speed' \(known: ratio_best_wall\); run `make bench`"
    with pytest.raises(BenchError, match=known):
        bench_figure({"ratio_best_wall": 1.0, "measured": {}}, "speed")


def test_a_missing_or_broken_file_says_to_run_the_bench(tmp_path):
    with pytest.raises(BenchError, match="is missing: run `make bench`"):
        load_bench(tmp_path / "bench.json")
    (tmp_path / "bench.json").write_text("{")
    with pytest.raises(BenchError, match="not valid JSON"):
        load_bench(tmp_path / "bench.json")
