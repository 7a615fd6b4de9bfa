"""`make run` takes its Prefect port from TANGGAP_PREFECT_PORT and says so when a port is taken."""

import socket

import pytest

from tanggap import demo


def test_the_prefect_port_is_a_setting_with_4200_as_default(monkeypatch):
    monkeypatch.delenv("TANGGAP_PREFECT_PORT", raising=False)
    assert demo.prefect_port() == 4200
    monkeypatch.setenv("TANGGAP_PREFECT_PORT", "4321")
    assert demo.prefect_port() == 4321


def test_a_port_that_is_not_a_number_is_refused_in_indonesian(monkeypatch):
    monkeypatch.setenv("TANGGAP_PREFECT_PORT", "empat")
    with pytest.raises(SystemExit, match="harus nomor port"):
        demo.prefect_port()


def test_a_busy_prefect_port_stops_the_demo_with_the_setting_to_change():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert not demo.port_is_free(port)
        with pytest.raises(SystemExit, match=rf"(?s)Port {port} untuk server Prefect sudah dipakai.*TANGGAP_PREFECT_PORT="):
            demo.refuse_busy_ports(port)
    assert demo.port_is_free(port)
