"""The five store auth routes, answered as Medusa v1 answers them (medusajs/medusa v1.x, packages/medusa/src/api/routes/store/auth/).

In-process: one emulator per module (start_emulator), reset before every test, spoken to with
http.client. The control API and faults are in test_emulator_control.py, the pure helpers in
test_emulator_units.py, and the command-line process in test_emulator_process.py.
"""

import base64
import hashlib
import hmac
import os
import re
import sys
import time
from email.utils import parsedate_to_datetime
from urllib.parse import unquote

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from medusa_auth_bridge.testing._emulator.data import ALICE_ID, BOB_ID, OLI_ID  # noqa: E402
from medusa_auth_bridge.testing._emulator.jwt import decode_unverified, sign  # noqa: E402
from emulator_testkit import Control, call  # noqa: E402
from medusa_emulator import start_emulator  # noqa: E402

OLI = {"email": "oli@test.dk", "password": "test"}
ALICE = {"email": "alice@example.com", "password": "alice-password"}
BOB = {"email": "bob@example.com", "password": "bob-password"}
COOKIE_RE = re.compile(r"^connect\.sid=s%3A([A-Za-z0-9_-]{32})\.([A-Za-z0-9%]+); Path=/; "
                       r"Expires=([^;]+); HttpOnly$")


@pytest.fixture(scope="module")
def emulator():
    with start_emulator() as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(emulator):
    Control(emulator.url).reset()


def login(emulator, creds=OLI, headers=None):
    return call(emulator.url, "POST", "/store/auth", json_body=creds, headers=headers)


def token_for(emulator, creds=OLI):
    result = call(emulator.url, "POST", "/store/auth/token", json_body=creds)
    assert result.status == 200, result
    return result.json()["access_token"]


def get_session(emulator, headers):
    return call(emulator.url, "GET", "/store/auth", headers=headers)


# -- POST /store/auth (api/routes/store/auth/create-session.ts) --------------------------------

def test_login_with_the_fixture_password_returns_the_customer_with_orders_items_and_addresses(emulator):
    result = login(emulator)
    assert result.status == 200
    assert result.header("Content-Type") == "application/json; charset=utf-8"
    customer = result.json()["customer"]
    assert list(customer) == ["id", "created_at", "updated_at", "deleted_at", "email", "first_name",
                              "last_name", "billing_address_id", "phone", "has_account",
                              "metadata", "orders", "shipping_addresses"]
    assert customer["id"] == OLI_ID and customer["email"] == "oli@test.dk"
    assert (customer["first_name"], customer["last_name"], customer["has_account"]) == ("oli", "test", True)
    assert "password_hash" not in customer
    [order] = customer["orders"]
    assert order["object"] == "order" and order["customer_id"] == OLI_ID
    [item] = order["items"]
    assert item["order_id"] == order["id"] and item["quantity"] == 1
    [address] = customer["shipping_addresses"]
    assert address["customer_id"] == OLI_ID and address["country_code"] == "dk"


def test_login_sets_a_signed_connect_sid_cookie_that_expires_in_ten_hours(emulator):
    before = time.time()
    result = login(emulator)
    [set_cookie] = result.all("Set-Cookie")
    match = COOKIE_RE.match(set_cookie)
    assert match, set_cookie
    session_id, signature = match.group(1), unquote(match.group(2))
    mac = hmac.new(b"supersecret", session_id.encode(), hashlib.sha256).digest()
    assert signature == base64.b64encode(mac).decode().rstrip("=")
    expires = parsedate_to_datetime(match.group(3)).timestamp()
    assert before + 36000 - 2 <= expires <= time.time() + 36000 + 1


def test_login_matches_the_email_case_insensitively(emulator):
    assert login(emulator, {"email": "OLI@Test.DK", "password": "test"}).json()["customer"]["id"] == OLI_ID


@pytest.mark.parametrize("creds", [
    {"email": "oli@test.dk", "password": "wrong"},
    {"email": "nobody@test.dk", "password": "test"},
    {"email": "guest@test.dk", "password": "test"},
    {"email": "oli@test.dk", "password": 1234},
    {"email": "oli@test.dk", "password": True},
], ids=["wrong-password", "unknown-email", "guest-without-account", "number-password", "boolean-password"])
def test_failed_login_answers_401_text_unauthorized(emulator, creds):
    result = login(emulator, creds)
    assert (result.status, result.body) == (401, b"Unauthorized")
    assert result.header("Content-Type") == "text/plain; charset=utf-8"


def test_alice_and_bob_log_in_with_their_seeded_passwords(emulator):
    assert login(emulator, ALICE).json()["customer"]["id"] == ALICE_ID
    bob = login(emulator, BOB).json()["customer"]
    assert bob["id"] == BOB_ID and bob["orders"] == [] and bob["shipping_addresses"] == []


@pytest.mark.parametrize("body,message", [
    ({}, "email must be an email, password should not be empty"),
    ({"email": "a@b.co", "password": "x", "remember": True}, "property remember should not exist"),
    ({"z": 1, "email": "nope", "a": 2}, "property z should not exist, property a should not exist, "
                                         "email must be an email, password should not be empty"),
    ({"email": "oli@test.dk", "password": ""}, "password should not be empty"),
    ({"email": "oli@test.dk", "password": None}, "password should not be empty"),
    ({"email": ["oli@test.dk"], "password": "test"}, "email must be an email"),
    ({"email": "oli@test", "password": "test"}, "email must be an email"),
    ([], "an unknown value was passed to the validate function"),
])
def test_invalid_login_bodies_get_class_validator_messages_in_order(emulator, body, message):
    for path in ("/store/auth", "/store/auth/token"):
        result = call(emulator.url, "POST", path, json_body=body)
        assert result.status == 400
        assert result.header("Content-Type") == "application/json; charset=utf-8"
        assert result.json() == {"type": "invalid_data", "message": message}


def test_a_body_that_is_not_declared_json_is_not_parsed_and_fails_validation(emulator):
    result = call(emulator.url, "POST", "/store/auth", body='{"email":"oli@test.dk","password":"test"}',
                  headers={"Content-Type": "text/plain"})
    assert result.status == 400
    assert result.json()["message"] == "email must be an email, password should not be empty"


def test_malformed_json_gets_express_html_400_with_the_stack_outside_production(emulator):
    result = call(emulator.url, "POST", "/store/auth", body='{"email":',
                  headers={"Content-Type": "application/json"})
    assert result.status == 400
    assert result.header("Content-Type") == "text/html; charset=utf-8"
    assert result.text.startswith("<!DOCTYPE html>")
    assert "<pre>SyntaxError: Unexpected end of JSON input<br>" in result.text
    assert result.header("Vary") is None  # raised before the /store router's cors


# -- POST /store/auth/token (api/routes/store/auth/get-token.ts) -------------------------------

def test_token_is_hs256_with_medusa_claims_in_key_order(emulator):
    before = int(time.time())
    token = token_for(emulator)
    header, payload = decode_unverified(token)
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert list(payload) == ["customer_id", "domain", "iat", "exp"]
    assert payload["customer_id"] == OLI_ID and payload["domain"] == "store"
    assert before <= payload["iat"] <= time.time() and payload["exp"] - payload["iat"] == 2592000
    signing_input, signature = token.rsplit(".", 1)
    mac = hmac.new(b"supersecret", signing_input.encode(), hashlib.sha256).digest()
    assert signature == base64.urlsafe_b64encode(mac).decode().rstrip("=")


def test_token_body_is_only_the_access_token(emulator):
    result = call(emulator.url, "POST", "/store/auth/token", json_body=ALICE)
    assert list(result.json()) == ["access_token"]


def test_token_with_wrong_password_is_401_text(emulator):
    result = call(emulator.url, "POST", "/store/auth/token", json_body={"email": "oli@test.dk", "password": "x"})
    assert (result.status, result.body, result.header("Content-Type")) == (
        401, b"Unauthorized", "text/plain; charset=utf-8")


def test_token_route_without_jwt_secret_answers_404_before_validating():
    with start_emulator(jwt_secret="") as bare:
        result = call(bare.url, "POST", "/store/auth/token", json_body={"bad": 1})
    assert result.status == 404
    assert result.json() == {"type": "not_found", "message": "Please configure jwt_secret in your environment"}


def test_token_route_leaves_an_existing_session_cookie_alone(emulator):
    cookie = login(emulator).cookie()
    result = call(emulator.url, "POST", "/store/auth/token", json_body=ALICE, headers={"Cookie": cookie})
    assert result.status == 200 and result.header("Set-Cookie") is None
    assert get_session(emulator, {"Cookie": cookie}).json()["customer"]["id"] == OLI_ID


# -- GET /store/auth (api/routes/store/auth/get-session.ts; loaders/passport.ts) ---------------

def test_get_session_with_the_login_cookie_returns_the_customer_and_no_new_cookie(emulator):
    cookie = login(emulator).cookie()
    result = get_session(emulator, {"Cookie": cookie})
    assert result.status == 200 and result.json()["customer"]["id"] == OLI_ID
    assert result.header("Set-Cookie") is None


def test_get_session_without_auth_is_401_unauthorized_without_content_type(emulator):
    result = get_session(emulator, {})
    assert (result.status, result.body) == (401, b"Unauthorized")
    assert result.header("Content-Type") is None and result.header("WWW-Authenticate") is None
    assert result.header("Content-Length") == "12"


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_get_session_accepts_a_bearer_token_with_any_scheme_case(emulator, scheme):
    token = token_for(emulator, ALICE)
    result = get_session(emulator, {"Authorization": "%s %s" % (scheme, token)})
    assert result.status == 200 and result.json()["customer"]["id"] == ALICE_ID


def test_authorization_is_read_as_the_first_two_non_space_runs(emulator):
    token = token_for(emulator)
    assert get_session(emulator, {"Authorization": "Bearer \t %s trailing" % token}).status == 200
    assert get_session(emulator, {"Authorization": "Basic Bearer %s" % token}).status == 401
    assert get_session(emulator, {"Authorization": "Bearer%s" % token}).status == 401


def forged(emulator, payload, secret="supersecret", alg="HS256"):
    return get_session(emulator, {"Authorization": "Bearer " + sign(payload, secret, alg)})


def test_bearer_tokens_that_jsonwebtoken_rejects_leave_the_request_anonymous(emulator):
    now = int(time.time())
    good = {"customer_id": OLI_ID, "domain": "store", "iat": now, "exp": now + 60}
    assert forged(emulator, good).status == 200
    assert forged(emulator, good, alg="HS512").status == 200
    assert forged(emulator, dict(good, exp=now)).status == 401            # exp reached: expired
    assert forged(emulator, dict(good, exp=str(now + 60))).status == 401  # non-numeric exp
    assert forged(emulator, dict(good, nbf=now + 60)).status == 401       # not active yet
    assert forged(emulator, good, secret="other").status == 401
    assert forged(emulator, dict(good, domain="admin")).status == 401
    assert forged(emulator, {"domain": "store", "exp": now + 60}).status == 401
    assert forged(emulator, dict(good, customer_id="")).status == 401
    unsigned = sign(good, "x").rsplit(".", 1)[0] + "."
    assert get_session(emulator, {"Authorization": "Bearer " + unsigned}).status == 401
    assert get_session(emulator, {"Authorization": "Bearer not.a.jwt"}).status == 401


def test_a_valid_session_wins_over_a_bearer_token(emulator):
    cookie = login(emulator, ALICE).cookie()
    token = token_for(emulator, BOB)
    result = get_session(emulator, {"Cookie": cookie, "Authorization": "Bearer " + token})
    assert result.json()["customer"]["id"] == ALICE_ID


def test_a_deleted_customer_gets_404_not_found_through_session_and_token(emulator):
    cookie = login(emulator, ALICE).cookie()
    token = token_for(emulator, ALICE)
    Control(emulator.url).delete_customer(ALICE_ID)
    expected = {"type": "not_found", "message": "Customer with id: %s was not found" % ALICE_ID}
    for headers in ({"Cookie": cookie}, {"Authorization": "Bearer " + token}):
        result = get_session(emulator, headers)
        assert result.status == 404 and result.json() == expected


def test_a_token_for_an_unknown_numeric_customer_id_reports_it_as_javascript_would(emulator):
    now = int(time.time())
    result = forged(emulator, {"customer_id": 5, "domain": "store", "exp": now + 60})
    assert result.json()["message"] == "Customer with id: 5 was not found"


# -- DELETE /store/auth (api/routes/store/auth/delete-session.ts) ------------------------------

def test_logout_answers_200_text_ok_without_a_cookie_and_destroys_the_session(emulator):
    cookie = login(emulator).cookie()
    result = call(emulator.url, "DELETE", "/store/auth", headers={"Cookie": cookie})
    assert (result.status, result.body) == (200, b"OK")
    assert result.header("Content-Type") == "text/plain; charset=utf-8"
    assert result.header("Set-Cookie") is None
    after = get_session(emulator, {"Cookie": cookie})
    assert after.status == 401 and after.cookie() != cookie  # stale cookie -> new anonymous one


def test_logout_without_any_session_still_answers_ok_and_sets_no_cookie(emulator):
    result = call(emulator.url, "DELETE", "/store/auth", body="{}", headers={"Content-Type": "application/json"})
    assert (result.status, result.body, result.header("Set-Cookie")) == (200, b"OK", None)


def test_a_bearer_token_stays_valid_after_logout(emulator):
    token = token_for(emulator)
    auth = {"Authorization": "Bearer " + token}
    assert call(emulator.url, "DELETE", "/store/auth", headers=auth).status == 200
    assert get_session(emulator, auth).json()["customer"]["id"] == OLI_ID


# -- GET /store/auth/:email (api/routes/store/auth/exists.ts) ----------------------------------

@pytest.mark.parametrize("segment,exists", [
    ("oli@test.dk", True), ("OLI%40TEST.DK", True), ("alice%40example.com/", True),
    ("guest@test.dk", False), ("nobody@test.dk", False), ("token", False),
])
def test_exists_reports_registered_customers_only(emulator, segment, exists):
    result = call(emulator.url, "GET", "/store/auth/" + segment)
    assert result.status == 200 and result.json() == {"exists": exists}


def test_exists_keeps_a_plus_sign_and_decodes_percent_2b(emulator):
    Control(emulator.url).create_customer("a+b@test.dk", "pw")
    assert call(emulator.url, "GET", "/store/auth/a+b@test.dk").json() == {"exists": True}
    assert call(emulator.url, "GET", "/store/auth/a%2Bb%40test.dk").json() == {"exists": True}
    assert call(emulator.url, "GET", "/store/auth/a%20b@test.dk").json() == {"exists": False}


@pytest.mark.parametrize("method", ["GET", "DELETE", "PUT"])
def test_a_malformed_percent_escape_in_the_email_is_a_500_unknown_error(emulator, method):
    result = call(emulator.url, method, "/store/auth/%E0%A4%A")
    assert result.status == 500
    assert result.json() == {"code": "unknown_error", "type": "unknown_error",
                             "message": "An unknown error occurred."}


# -- routing and Express behaviour (loaders/express.ts, api/routes/store/) ---------------------

def test_routes_are_case_insensitive_and_tolerate_a_trailing_slash_and_a_query(emulator):
    assert call(emulator.url, "POST", "/STORE/Auth/", json_body=OLI).status == 200
    assert call(emulator.url, "POST", "/store/AUTH/TOKEN/", json_body=OLI).status == 200
    assert call(emulator.url, "GET", "/store/auth?expand=x").status == 401


@pytest.mark.parametrize("method,path", [
    ("PUT", "/store/auth"), ("PATCH", "/store/auth/token"), ("POST", "/store/auth/other"),
    ("GET", "/store/auth/a/b"), ("GET", "/store/products"), ("GET", "/nowhere"), ("GET", "/storefront"),
])
def test_unknown_routes_get_express_404_html(emulator, method, path):
    result = call(emulator.url, method, path)
    assert result.status == 404
    assert result.header("Content-Type") == "text/html; charset=utf-8"
    assert result.header("Content-Security-Policy") == "default-src 'none'"
    assert "<pre>Cannot %s %s</pre>" % (method, path) in result.text


def test_every_response_to_a_cookieless_request_carries_a_fresh_session_cookie(emulator):
    cookies = set()
    for method, path in (("GET", "/store/auth"), ("PUT", "/store/auth"), ("GET", "/health"),
                         ("GET", "/store/auth/oli@test.dk"), ("POST", "/store/auth")):
        cookie = call(emulator.url, method, path).cookie()
        assert cookie and cookie.startswith("connect.sid=s%3A")
        cookies.add(cookie)
    assert len(cookies) == 5


def test_a_request_with_a_valid_cookie_gets_no_set_cookie_until_the_session_changes(emulator):
    anonymous = call(emulator.url, "GET", "/store/auth").cookie()
    assert call(emulator.url, "GET", "/store/auth/x@y.z", headers={"Cookie": anonymous}).header("Set-Cookie") is None
    relogin = login(emulator, headers={"Cookie": anonymous})
    assert relogin.cookie() == anonymous  # same id, not regenerated, re-sent because data changed
    assert login(emulator, headers={"Cookie": anonymous}).header("Set-Cookie") is None  # unchanged
    assert login(emulator, ALICE, headers={"Cookie": anonymous}).cookie() == anonymous


def test_a_badly_signed_or_unsigned_cookie_is_ignored(emulator):
    session_id = login(emulator).cookie().split("%3A", 1)[1].split(".", 1)[0]
    for value in ("s%3A" + session_id + ".forged", session_id, "s%3A" + session_id):
        result = get_session(emulator, {"Cookie": "connect.sid=" + value})
        assert result.status == 401 and session_id not in result.cookie()


def test_a_cookie_signed_with_another_secret_is_ignored():
    with start_emulator(cookie_secret="one") as one, start_emulator(cookie_secret="two") as two:
        cookie = login(one).cookie()
        assert get_session(one, {"Cookie": cookie}).status == 200
        assert get_session(two, {"Cookie": cookie}).status == 401


def test_production_cookies_are_secure_and_only_set_over_https_or_a_forwarded_https(emulator):
    with start_emulator(production=True) as prod:
        plain = login(prod)
        assert plain.status == 200 and plain.header("Set-Cookie") is None
        forwarded = login(prod, headers={"X-Forwarded-Proto": "https, http"})
        assert forwarded.header("Set-Cookie").endswith("; HttpOnly; Secure; SameSite=None")
        assert get_session(prod, {"Cookie": forwarded.cookie()}).status == 200
        page = call(prod.url, "POST", "/store/auth", body="{", headers={"Content-Type": "application/json"})
        assert "<pre>Bad Request</pre>" in page.text


def test_health_answers_ok(emulator):
    result = call(emulator.url, "GET", "/health")
    assert (result.status, result.body) == (200, b"OK")
