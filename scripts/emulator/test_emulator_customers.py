"""v1's /store/customers as far as the emulator covers it (medusajs/medusa v1.x,
packages/medusa/src/api/routes/store/customers/): the customer authentication in front of every
route but the three public POSTs, GET /me, and a 501 for the routes that exist but are not
emulated, so that a client calling them is never told they do not exist.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from medusa_auth_bridge.testing._emulator.data import OLI_ID  # noqa: E402
from emulator_testkit import Control, call  # noqa: E402
from medusa_emulator import start_emulator  # noqa: E402

OLI = {"email": "oli@test.dk", "password": "test"}


@pytest.fixture(scope="module")
def emulator():
    with start_emulator() as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(emulator):
    Control(emulator.url).reset()


def session_cookie(emulator):
    login = call(emulator.url, "POST", "/store/auth", json_body=OLI)
    assert login.status == 200, login
    return login.header("Set-Cookie").split(";", 1)[0]


@pytest.mark.parametrize("method,path", [
    ("GET", "/store/customers/me"), ("POST", "/store/customers/me"), ("GET", "/store/customers/me/orders"),
    ("GET", "/store/customers/anything"),
])
def test_every_customer_route_but_the_public_posts_needs_a_customer_first(emulator, method, path):
    result = call(emulator.url, method, path, json_body={} if method == "POST" else None)
    assert (result.status, result.text, result.header("Content-Type")) == (401, "Unauthorized", None)


def test_me_with_the_login_cookie_is_the_customer_with_addresses_and_no_orders(emulator):
    result = call(emulator.url, "GET", "/store/customers/me", headers={"Cookie": session_cookie(emulator)})
    assert result.status == 200, result
    customer = result.json()["customer"]
    assert (customer["id"], customer["email"], customer["has_account"]) == (OLI_ID, "oli@test.dk", True)
    assert [address["city"] for address in customer["shipping_addresses"]] == ["Copenhagen"]
    assert customer["billing_address"] is None
    assert "orders" not in customer


def test_me_with_a_bearer_token_is_the_same_customer(emulator):
    token = call(emulator.url, "POST", "/store/auth/token", json_body=OLI).json()["access_token"]
    result = call(emulator.url, "GET", "/store/customers/me", headers={"Authorization": "Bearer " + token})
    assert result.status == 200, result
    assert result.json()["customer"]["id"] == OLI_ID


@pytest.mark.parametrize("method,path,authenticated", [
    ("POST", "/store/customers", False), ("POST", "/store/customers/password-token", False),
    ("POST", "/store/customers/me", True), ("DELETE", "/store/customers/me/addresses/addr_1", True),
])
def test_routes_v1_has_but_the_emulator_does_not_answer_501_not_emulated(emulator, method, path, authenticated):
    headers = {"Cookie": session_cookie(emulator)} if authenticated else None
    result = call(emulator.url, method, path, json_body={"email": "new@example.com"}, headers=headers)
    assert result.status == 501, result
    assert result.json() == {"type": "not_emulated", "message": "%s %s exists in Medusa v1 but is not emulated" % (method, path)}


def test_an_authenticated_call_to_a_customer_route_v1_lacks_is_express_404(emulator):
    result = call(emulator.url, "GET", "/store/customers/anything", headers={"Cookie": session_cookie(emulator)})
    assert result.status == 404
    assert "<pre>Cannot GET /store/customers/anything</pre>" in result.text
