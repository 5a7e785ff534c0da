"""An isolated page's names and ports: the reader's on the way in and out, the engine's in
between (no engine needed)."""

from __future__ import annotations

import re

import pytest

from execdocs import translate


def test_a_mapped_name_is_as_long_as_the_readers_and_new():
    names = {translate.mapped_name("papertrade", set()) for _ in range(50)}
    assert all(len(name) == len("papertrade") and name.startswith("p") for name in names)
    assert "papertrade" not in names
    assert all(re.fullmatch(r"[a-z0-9]+", name) for name in names)
    assert len(translate.mapped_name("app", set())) >= 4  # too short to keep apart


def test_names_are_kept_for_the_whole_page(tmp_path):
    names = translate.Names(str(tmp_path / "names.json"))
    first = names.engine_name("papertrade")
    assert names.engine_name("papertrade") == first
    assert names.engine_name(first) == first  # an engine name passed back stays itself
    assert names.load() == {"papertrade": first}


@pytest.mark.parametrize("argument, expected", [
    ("papertrade", "pXXXXXXXXX"),
    ("papertrade_db-data", "pXXXXXXXXX_db-data"),
    ("papertrade-backend-1", "pXXXXXXXXX-backend-1"),
    ("label=com.docker.compose.project=papertrade", "label=com.docker.compose.project=pXXXXXXXXX"),
    ("name=papertrade", "name=pXXXXXXXXX"),
    ("papertrade/backend:dev", "papertrade/backend:dev"),  # an image, not the project
    ("/home/me/papertrade/docker", "/home/me/papertrade/docker"),  # a path
    ("papertrade-prod", "papertrade-prod"),  # another project, when it is known
    ("mypapertrade", "mypapertrade"),
])
def test_arguments_name_the_engines_project(argument, expected):
    names = {"papertrade": "pXXXXXXXXX", "papertrade-prod": "papertrade-prod"}
    assert translate.arguments_in([argument], names) == [expected]


def test_output_shows_the_readers_names_and_ports_with_columns_kept():
    translator = translate.OutputTranslator({"papertrade": "p1a2b3c4d5"},
                                            [{"host_ip": "127.0.0.1", "port": 8000,
                                              "host_port": 2345}])
    engine = (b"NAME                   PORTS\n"
              b"p1a2b3c4d5-backend-1   127.0.0.1:2345->8000/tcp\n")
    assert translator(engine) == (b"NAME                   PORTS\n"
                                  b"papertrade-backend-1   127.0.0.1:8000->8000/tcp\n")
    assert translator(b'"HostPort": "2345"') == b'"HostPort": "8000"'
    assert translator(b'published: "2345"') == b'published: "8000"'
    assert translator(b"Bind for 127.0.0.1:2345 failed") == b"Bind for 127.0.0.1:8000 failed"
    assert translator(b"[::1]:2345 and :::2345") == b"[::1]:8000 and :::8000"
    # The same digits elsewhere are left alone.
    assert translator(b"12345 rows, id 2345") == b"12345 rows, id 2345"


def test_a_publish_filter_names_the_host_port_standing_for_the_readers():
    ports = [{"host_ip": "127.0.0.1", "port": 5432, "host_port": 7217}]
    assert translate.arguments_in(["--filter", "publish=5432", "publish=80"], {}, ports) == [
        "--filter", "publish=7217", "publish=80"]


@pytest.mark.parametrize("argument, expected", [
    ("papertrade/backend:dev", "qk3j9xq2zm/backend:dev"),
    ("papertrade/backend", "qk3j9xq2zm/backend"),  # :latest
    ("papertrade/backend:prod", "papertrade/backend:prod"),  # not built by the page
    ("localhost:5000/papertrade/backend", "localhost:5000/papertrade/backend"),
    ("/srv/papertrade/backend:dev", "/srv/papertrade/backend:dev"),
    ("papertrade", "papertrade"),  # a word alone is a project, not an image
])
def test_an_image_the_page_built_is_the_pages(argument, expected):
    built = {"papertrade/backend:dev": "qk3j9xq2zm/backend:dev",
             "papertrade/backend:latest": "qk3j9xq2zm/backend:latest"}
    assert translate.arguments_in([argument], {}, (), built) == [expected]


def test_a_project_and_an_image_namespace_of_one_word_both_read_back():
    translator = translate.OutputTranslator({"papertrade": "pc5cf5fvce"}, [],
                                            {"papertrade": "ppsnhjxk76"})
    assert translator(b"pc5cf5fvce-backend-1 ppsnhjxk76/backend:dev") == (
        b"papertrade-backend-1 papertrade/backend:dev")


def test_images_in_a_registry_the_page_published_name_its_host_port():
    ports = [{"host_ip": "127.0.0.1", "port": 5000, "host_port": 5873}]
    assert translate.registry_ports("127.0.0.1:5000/papertrade/backend:2", ports) == \
        "127.0.0.1:5873/papertrade/backend:2"
    assert translate.registry_ports("    image: localhost:5000/x/y:1", ports) == \
        "    image: localhost:5873/x/y:1"
    for kept in ("127.0.0.1:6000/x:1", "registry.example.com:5000/x:1", "10.127.0.0.1:5000/x",
                 "http://127.0.0.1:5000"):
        assert translate.registry_ports(kept, ports) == kept
