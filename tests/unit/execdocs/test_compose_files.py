from pathlib import Path

from execdocs.compose_files import base_compose_file, is_compose_file


def test_compose_files_are_recognised_by_name_or_by_top_level_services():
    assert is_compose_file(Path("compose.override.yaml"), "x: 1")
    assert is_compose_file(Path("docker-compose.yml"), "")
    assert is_compose_file(Path("stack.yml"), "services:\n  web:\n    image: x\n")
    assert not is_compose_file(Path("config.yml"), "settings:\n  services: 3\n")
    assert not is_compose_file(Path("notes.txt"), "services: is a word here: [\n")


def test_an_override_is_merged_onto_the_file_compose_reads_beside_it(tmp_path):
    override = tmp_path / "compose.override.yaml"
    override.write_text("services: {}\n")
    assert base_compose_file(override) is None
    (tmp_path / "docker-compose.yml").write_text("services: {}\n")
    (tmp_path / "compose.yaml").write_text("services: {}\n")
    assert base_compose_file(override) == tmp_path / "compose.yaml"
    assert base_compose_file(tmp_path / "compose.yaml") == tmp_path / "docker-compose.yml"
