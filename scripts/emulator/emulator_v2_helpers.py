"""Fixtures and one-line calls shared by the v2-mode route tests (test_emulator_v2*.py).

A module-scoped v2 emulator (start_emulator(medusa_version=2)), reset before every test (which
also puts its clock back); requests go through http.client (emulator_testkit.call).
"""

import pytest

from emulator_testkit import Control, call
from medusa_auth_bridge.testing._emulator.jwt import decode_unverified
from medusa_emulator import start_emulator

OLI = {"email": "oli@test.dk", "password": "test"}
ALICE = {"email": "alice@example.com", "password": "alice-password"}
BOB = {"email": "bob@example.com", "password": "bob-password"}
BARE_401 = {"message": "Unauthorized"}
DAY = 24 * 3600


@pytest.fixture(scope="module")
def emulator():
    with start_emulator(medusa_version=2) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(emulator):
    Control(emulator.url).reset()


@pytest.fixture
def control(emulator):
    return Control(emulator.url)


def post(emulator, path, body=None, **headers):
    return call(emulator.url, "POST", path, json_body=body, headers=headers)


def store(emulator, method, path, token=None, body=None, key=True, cookie=None):
    """A /store request with the seeded publishable key (unless ``key`` is False)."""
    headers = {}
    if key:
        headers["x-publishable-api-key"] = emulator.publishable_key
    if token:
        headers["Authorization"] = "Bearer " + token
    if cookie:
        headers["Cookie"] = cookie
    return call(emulator.url, method, path, json_body=body, headers=headers)


def login(emulator, creds=OLI):
    result = post(emulator, "/auth/customer/emailpass", creds)
    assert result.status == 200, result
    return result.json()["token"]


def claims(token):
    return decode_unverified(token)[1]


def bearer(token):
    return {"Authorization": "Bearer " + token}
