"""How the desk draws its pages: one Jinja2 environment, made when the app is."""

from __future__ import annotations

import pytest

from tests.desk.test_desk_security import log_in


def test_pages_are_drawn_with_the_environment_made_at_start_up(client, monkeypatch):
    def no_new_environment(*args, **kwargs):
        pytest.fail("a Jinja2 environment was made while answering a request")

    monkeypatch.setattr("dutyflow.desk.deps.Environment", no_new_environment)
    log_in(client)
    for path in ("/login", "/queue", "/documents/2026-08-DW0002-ZB03", "/documents/nope"):
        assert client.get(path).status_code in (200, 404), path
