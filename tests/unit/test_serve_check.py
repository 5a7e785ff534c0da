import socket

from papertrade_docs.serve_check import address_in_use, main


def test_a_taken_port_is_refused_in_one_line(capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert address_in_use("127.0.0.1", port)
        assert main(["serve_check", f"127.0.0.1:{port}"]) == 1
    message = capsys.readouterr().err
    assert message.count("\n") == 1
    assert "already in use" in message and "SERVE_ADDR" in message


def test_a_free_port_is_accepted():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert main(["serve_check", f"127.0.0.1:{port}"]) == 0
