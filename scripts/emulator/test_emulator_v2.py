"""The v2 mode's customer auth routes, answered as Medusa v2 (2.12) answers them.

In-process: one v2 emulator per module (start_emulator(medusa_version=2)), reset before every
test (which also puts its clock back), spoken to with http.client. Control routes, faults and
the command line in v2 mode are in test_emulator_v2_control.py.
"""

import os
import sys
from urllib.parse import parse_qs, urlsplit

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from medusa_auth_bridge.testing._emulator.jwt import decode_unverified  # noqa: E402
from emulator_testkit import Control, call  # noqa: E402
from medusa_auth_bridge.testing._emulator.v2_data import ALICE_ID, BOB_ID, GUEST_ID, OLI_ID, OLI_IDENTITY  # noqa: E402
from medusa_emulator import start_emulator  # noqa: E402

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


# -- POST /auth/customer/emailpass: login ------------------------------------------------------

def test_login_answers_a_token_whose_claims_name_the_customer_and_expire_in_a_day(emulator):
    token = login(emulator)
    header, payload = decode_unverified(token)
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert list(payload) == ["actor_id", "actor_type", "auth_identity_id", "app_metadata",
                             "user_metadata", "iat", "exp"]
    assert payload["actor_id"] == OLI_ID
    assert payload["actor_type"] == "customer"
    assert payload["auth_identity_id"] == OLI_IDENTITY
    assert payload["app_metadata"] == {"customer_id": OLI_ID}
    assert payload["user_metadata"] == {}
    assert payload["exp"] - payload["iat"] == DAY


def test_a_wrong_password_and_an_unknown_email_both_get_invalid_email_or_password(emulator):
    for creds in ({"email": "oli@test.dk", "password": "nope"},
                  {"email": "nobody@test.dk", "password": "test"},
                  {"email": "OLI@test.dk", "password": "test"}):  # v2 never lower-cases
        result = post(emulator, "/auth/customer/emailpass", creds)
        assert result.status == 401
        assert result.json() == {"type": "unauthorized", "message": "Invalid email or password"}


def test_the_password_is_checked_before_the_email(emulator):
    result = post(emulator, "/auth/customer/emailpass", {"email": 5})
    assert result.json() == {"type": "unauthorized", "message": "Password should be a string"}
    result = post(emulator, "/auth/customer/emailpass", {"password": "test"})
    assert (result.status, result.json()) == (
        401, {"type": "unauthorized", "message": "Email should be a string"})


def test_an_unknown_provider_is_refused_with_the_auth_modules_message(emulator):
    result = post(emulator, "/auth/customer/magic", OLI)
    assert result.status == 401
    assert result.json()["type"] == "unauthorized"
    assert result.json()["message"].startswith(
        "\nUnable to retrieve the auth provider with id: magic\n")


def test_a_get_on_the_refresh_path_falls_through_to_the_provider_route(emulator):
    result = call(emulator.url, "GET", "/auth/token/refresh")
    assert result.status == 401
    assert "auth provider with id: refresh" in result.json()["message"]


def test_login_and_register_need_no_publishable_key_and_set_no_cookie(emulator):
    result = post(emulator, "/auth/customer/emailpass", OLI)
    assert result.status == 200 and result.header("Set-Cookie") is None
    result = post(emulator, "/auth/customer/emailpass/register",
                  {"email": "new@example.com", "password": "pw"})
    assert result.status == 200 and result.header("Set-Cookie") is None


# -- register -> create -> login -----------------------------------------------------------------

def test_register_create_and_login_make_a_customer_that_can_read_itself(emulator):
    registered = post(emulator, "/auth/customer/emailpass/register",
                      {"email": "jane@example.com", "password": "jane-pw"})
    assert registered.status == 200
    registration = registered.json()["token"]
    assert claims(registration)["actor_id"] == ""
    assert claims(registration)["app_metadata"] == {}
    created = store(emulator, "POST", "/store/customers", registration,
                    {"email": "jane@example.com", "first_name": "Jane", "last_name": "Doe"})
    assert created.status == 200
    customer = created.json()["customer"]
    assert customer["email"] == "jane@example.com" and customer["has_account"] is True
    assert customer["first_name"] == "Jane" and customer["addresses"] == []
    assert customer["id"].startswith("cus_")
    token = login(emulator, {"email": "jane@example.com", "password": "jane-pw"})
    assert claims(token)["actor_id"] == customer["id"]
    me = store(emulator, "GET", "/store/customers/me", token)
    assert me.status == 200 and me.json()["customer"]["id"] == customer["id"]


def test_the_registration_token_is_refused_everywhere_but_create_and_refresh(emulator):
    registration = post(emulator, "/auth/customer/emailpass/register",
                        {"email": "jane@example.com", "password": "jane-pw"}).json()["token"]
    me = store(emulator, "GET", "/store/customers/me", registration)
    assert (me.status, me.json()) == (401, BARE_401)
    session = post(emulator, "/auth/session", **bearer(registration))
    assert (session.status, session.json()) == (401, BARE_401)
    refreshed = post(emulator, "/auth/token/refresh", **bearer(registration))
    assert refreshed.status == 200 and claims(refreshed.json()["token"])["actor_id"] == ""


def test_registering_a_linked_email_is_refused_and_an_unlinked_one_is_claimed_again(emulator):
    result = post(emulator, "/auth/customer/emailpass/register", OLI)
    assert (result.status, result.json()) == (
        401, {"type": "unauthorized", "message": "Identity with email already exists"})
    result = post(emulator, "/auth/customer/emailpass/register",
                  {"email": "pending@example.com", "password": "another"})
    assert result.status == 200
    assert login(emulator, {"email": "pending@example.com", "password": "another"})


def test_logging_in_before_the_customer_exists_gives_an_actorless_token(emulator):
    token = login(emulator, {"email": "pending@example.com", "password": "pending-password"})
    assert claims(token)["actor_id"] == "" and claims(token)["app_metadata"] == {}


def test_social_providers_do_not_register(emulator):
    result = post(emulator, "/auth/customer/google/register", {})
    assert result.json() == {"type": "unauthorized", "message": "Google does not support "
                             "registration. Use method `authenticate` instead."}


# -- POST /store/customers ----------------------------------------------------------------------

def test_the_publishable_key_is_checked_before_authentication(emulator):
    result = store(emulator, "POST", "/store/customers", body={"email": "a@b.co"}, key=False)
    assert result.status == 400
    assert result.json() == {"type": "not_allowed", "message": "Publishable API key required in "
                             "the request header: x-publishable-api-key. You can manage your keys "
                             "in settings in the dashboard."}
    result = call(emulator.url, "GET", "/store/customers/me",
                  headers={"x-publishable-api-key": "pk_unknown"})
    assert (result.status, result.json()) == (400, {
        "type": "not_allowed",
        "message": "A valid publishable key is required to proceed with the request"})


def test_creating_a_customer_without_a_token_gets_the_bare_401(emulator):
    result = store(emulator, "POST", "/store/customers", body={"email": "a@b.co"})
    assert (result.status, result.json()) == (401, BARE_401)


def test_create_refuses_a_password_field_and_reports_issues_in_schema_order(emulator):
    registration = post(emulator, "/auth/customer/emailpass/register",
                        {"email": "jane@example.com", "password": "pw"}).json()["token"]
    result = store(emulator, "POST", "/store/customers", registration,
                   {"email": "jane@example.com", "password": "pw"})
    assert (result.status, result.json()) == (400, {
        "type": "invalid_data", "message": "Invalid request: Unrecognized fields: 'password'"})
    result = store(emulator, "POST", "/store/customers", registration,
                   {"email": "not-an-email", "phone": 5, "zip": 1})
    assert result.json()["message"] == ("Invalid request: Invalid email; Expected type: 'string' "
                                        "for field 'phone', got: 'number'; Unrecognized fields: "
                                        "'zip'")


def test_create_with_a_customer_token_is_already_authenticated(emulator):
    result = store(emulator, "POST", "/store/customers", login(emulator), {"email": "x@y.co"})
    assert (result.status, result.json()) == (400, {
        "type": "invalid_data", "message": "Request already authenticated as a customer."})


def test_create_needs_an_email_and_refuses_a_registered_one_but_not_a_guests(emulator):
    registration = post(emulator, "/auth/customer/emailpass/register",
                        {"email": "guest@test.dk", "password": "pw"}).json()["token"]
    result = store(emulator, "POST", "/store/customers", registration, {"first_name": "G"})
    assert result.json() == {"type": "invalid_data",
                             "message": "Email is required to create a customer"}
    result = store(emulator, "POST", "/store/customers", registration, {"email": "oli@test.dk"})
    assert (result.status, result.json()) == (422, {
        "code": "invalid_request_error", "type": "duplicate_error",
        "message": "Customer with this email already has an account"})
    result = store(emulator, "POST", "/store/customers", registration, {"email": "guest@test.dk"})
    assert result.status == 200
    assert result.json()["customer"]["id"] != GUEST_ID


# -- POST /auth/token/refresh ---------------------------------------------------------------------

def test_refresh_after_create_carries_the_new_customer(emulator):
    registration = post(emulator, "/auth/customer/emailpass/register",
                        {"email": "jane@example.com", "password": "pw"}).json()["token"]
    customer = store(emulator, "POST", "/store/customers", registration,
                     {"email": "jane@example.com"}).json()["customer"]
    refreshed = post(emulator, "/auth/token/refresh", **bearer(registration))
    assert refreshed.status == 200
    assert claims(refreshed.json()["token"])["actor_id"] == customer["id"]
    me = store(emulator, "GET", "/store/customers/me", refreshed.json()["token"])
    assert me.json()["customer"]["email"] == "jane@example.com"


def test_refresh_needs_an_unexpired_bearer_token_and_ignores_the_session(emulator, control):
    token = login(emulator)
    cookie = post(emulator, "/auth/session", **bearer(token)).cookie()
    result = call(emulator.url, "POST", "/auth/token/refresh", headers={"Cookie": cookie})
    assert (result.status, result.json()) == (401, BARE_401)
    control.clock(advance=DAY)
    result = post(emulator, "/auth/token/refresh", **bearer(token))
    assert (result.status, result.json()) == (401, BARE_401)


# -- sessions ------------------------------------------------------------------------------------

def test_only_post_auth_session_sets_the_cookie_and_it_answers_the_claims(emulator):
    token = login(emulator)
    result = post(emulator, "/auth/session", **bearer(token))
    assert result.status == 200
    assert result.json() == {"user": claims(token)}
    cookie = result.header("Set-Cookie")
    assert cookie.startswith("connect.sid=s%3A") and "; Path=/; Expires=" in cookie
    assert cookie.endswith("; HttpOnly")
    me = store(emulator, "GET", "/store/customers/me", cookie=result.cookie())
    assert me.status == 200 and me.json()["customer"]["id"] == OLI_ID
    assert me.header("Set-Cookie") is None


def test_logout_needs_the_cookie_and_ends_the_session(emulator):
    token = login(emulator)
    cookie = post(emulator, "/auth/session", **bearer(token)).cookie()
    result = call(emulator.url, "DELETE", "/auth/session", headers=bearer(token))
    assert (result.status, result.json()) == (401, BARE_401)
    result = call(emulator.url, "DELETE", "/auth/session", headers={"Cookie": cookie})
    assert (result.status, result.json()) == (200, {"success": True})
    assert result.header("Set-Cookie") is None
    me = store(emulator, "GET", "/store/customers/me", cookie=cookie)
    assert (me.status, me.json()) == (401, BARE_401)
    # A JWT is not revoked by logging out.
    assert store(emulator, "GET", "/store/customers/me", token).status == 200


def test_a_session_outlives_the_token_it_was_made_from(emulator, control):
    token = control.jwt(actor_id=OLI_ID, auth_identity_id=OLI_IDENTITY, expires_in=60)
    cookie = post(emulator, "/auth/session", **bearer(token)).cookie()
    control.clock(advance=120)
    assert store(emulator, "GET", "/store/customers/me", token).status == 401
    assert store(emulator, "GET", "/store/customers/me", cookie=cookie).status == 200
    control.clock(advance=10 * 3600)
    assert store(emulator, "GET", "/store/customers/me", cookie=cookie).status == 401


# -- expiry ---------------------------------------------------------------------------------------

def test_a_token_expires_when_the_clock_reaches_its_exp(emulator, control):
    token = login(emulator)
    control.clock(advance=DAY - 5)
    assert store(emulator, "GET", "/store/customers/me", token).status == 200
    control.clock(advance=5)
    result = store(emulator, "GET", "/store/customers/me", token)
    assert (result.status, result.json()) == (401, BARE_401)
    assert claims(login(emulator))["iat"] >= claims(token)["exp"]


# -- reset -> update -> login -------------------------------------------------------------------

def test_reset_update_and_login_with_the_new_password(emulator, control):
    result = post(emulator, "/auth/customer/emailpass/reset-password",
                  {"identifier": "oli@test.dk"})
    assert (result.status, result.text) == (201, "Created")
    assert result.header("Content-Type") == "text/plain; charset=utf-8"
    reset = control.reset_token("oli@test.dk")
    payload = claims(reset)
    assert list(payload) == ["entity_id", "provider", "actor_type", "iat", "exp"]
    assert payload["exp"] - payload["iat"] == 15 * 60
    result = post(emulator, "/auth/customer/emailpass/update", {"password": "n3w"},
                  **bearer(reset))
    assert (result.status, result.json()) == (200, {"success": True})
    assert post(emulator, "/auth/customer/emailpass", OLI).status == 401
    assert login(emulator, {"email": "oli@test.dk", "password": "n3w"})


def test_reset_answers_201_for_an_unknown_identifier_and_emits_nothing(emulator, control):
    result = post(emulator, "/auth/customer/emailpass/reset-password",
                  {"identifier": "nobody@example.com"})
    assert (result.status, result.text) == (201, "Created")
    assert control.events() == []


def test_reset_validates_its_body_strictly(emulator):
    result = post(emulator, "/auth/customer/emailpass/reset-password", {})
    assert (result.status, result.json()) == (400, {
        "type": "invalid_data", "message": "Invalid request: Field 'identifier' is required"})
    result = post(emulator, "/auth/customer/emailpass/reset-password",
                  {"identifier": "oli@test.dk", "email": "oli@test.dk"})
    assert result.json()["message"] == "Invalid request: Unrecognized fields: 'email'"


def test_update_refuses_missing_login_and_expired_tokens_as_invalid(emulator, control):
    invalid = {"type": "unauthorized", "message": "Invalid token"}
    result = post(emulator, "/auth/customer/emailpass/update", {"password": "x"})
    assert (result.status, result.json()) == (401, invalid)
    result = post(emulator, "/auth/customer/emailpass/update", {"password": "x"},
                  **bearer(login(emulator)))
    assert result.json() == invalid
    post(emulator, "/auth/customer/emailpass/reset-password", {"identifier": "oli@test.dk"})
    reset = control.reset_token("oli@test.dk")
    result = post(emulator, "/auth/customer/emailpass/update", {}, **bearer(reset))
    assert (result.status, result.json()) == (401, {"type": "unauthorized",
                                                    "message": "Unauthorized"})
    control.clock(advance=15 * 60)
    result = post(emulator, "/auth/customer/emailpass/update", {"password": "x"}, **bearer(reset))
    assert result.json() == invalid


# -- OAuth stub -----------------------------------------------------------------------------------

def start_oauth(emulator, provider="google", body=None):
    result = post(emulator, "/auth/customer/" + provider, body or {})
    assert result.status == 200, result
    location = result.json()["location"]
    return location, parse_qs(urlsplit(location).query)


def test_the_oauth_start_answers_a_location_with_a_state(emulator):
    location, query = start_oauth(emulator)
    assert location.startswith("https://accounts.google.com/o/oauth2/v2/auth?redirect_uri=")
    assert query["response_type"] == ["code"] and query["scope"] == ["email profile openid"]
    assert len(query["state"][0]) == 64
    assert query["redirect_uri"] == ["http://localhost:8000/auth/customer/google/callback"]
    _, query = start_oauth(emulator, "github", {"callback_url": "http://shop.test/cb"})
    assert query["redirect_uri"] == ["http://shop.test/cb"] and "scope" not in query


def test_a_first_social_login_gives_an_actorless_token_that_can_create_the_customer(emulator):
    _, query = start_oauth(emulator)
    result = call(emulator.url, "GET", "/auth/customer/google/callback?code=google-code-new"
                  "&state=" + query["state"][0])
    assert result.status == 200
    token = result.json()["token"]
    assert claims(token)["actor_id"] == ""
    assert claims(token)["user_metadata"]["email"] == "new.google@example.com"
    customer = store(emulator, "POST", "/store/customers", token,
                     {"email": "new.google@example.com"}).json()["customer"]
    refreshed = post(emulator, "/auth/token/refresh", **bearer(token)).json()["token"]
    assert claims(refreshed)["actor_id"] == customer["id"]
    assert claims(refreshed)["user_metadata"] == {}


def test_a_linked_social_identity_logs_the_customer_in(emulator):
    _, query = start_oauth(emulator)
    result = post(emulator, "/auth/customer/google/callback?state=" + query["state"][0],
                  {"code": "google-code-alice"})
    assert claims(result.json()["token"])["actor_id"] == ALICE_ID


def test_the_callback_needs_a_code_a_live_state_and_a_verified_email(emulator, control):
    _, query = start_oauth(emulator)
    state = query["state"][0]
    cases = (("", "No code provided"),
             ("?code=google-code-new", "No state provided, or session expired"),
             ("?code=nope&state=" + state, "Could not exchange token, 400, Bad Request"),
             ("?code=google-code-unverified&state=" + state,
              "Email not verified, cannot proceed with authentication"),
             ("?error=access_denied&error_description=Denied&error_uri=http://e",
              "Denied, read more at: http://e"))
    for suffix, message in cases:
        result = call(emulator.url, "GET", "/auth/customer/google/callback" + suffix)
        assert (result.status, result.json()) == (401, {"type": "unauthorized",
                                                        "message": message})
    control.clock(advance=1200)
    result = call(emulator.url, "GET", "/auth/customer/google/callback?code=google-code-new"
                  "&state=" + state)
    assert result.json()["message"] == "No state provided, or session expired"


# -- /store/customers/me -------------------------------------------------------------------------

def test_fields_select_replace_add_and_remove_columns(emulator):
    token = login(emulator)

    def customer(fields):
        result = store(emulator, "GET", "/store/customers/me?fields=" + fields, token)
        assert result.status == 200, result
        return result.json()["customer"]

    assert customer("email") == {"id": OLI_ID, "email": "oli@test.dk"}
    assert "addresses" not in customer("%2Bmetadata,-addresses")
    assert customer("-addresses")["email"] == "oli@test.dk"
    assert customer("*orders")["orders"] == [] and "addresses" in customer("*orders")
    assert customer("addresses.city")["addresses"] == [
        {"id": "cuaddr_01HG3X1B2C3D4E5F6G7H8J9K0M", "city": "Copenhagen"}]
    result = store(emulator, "GET", "/store/customers/me?fields=password,email", token)
    assert (result.status, result.json()) == (400, {
        "type": "invalid_data", "message": "Requested fields [password] are not valid"})
    result = store(emulator, "GET", "/store/customers/me?expand=orders", token)
    assert result.json()["message"] == "Invalid request: Unrecognized fields: 'expand'"


def test_update_changes_the_allowed_fields_and_refuses_the_email(emulator):
    token = login(emulator)
    result = store(emulator, "POST", "/store/customers/me", token,
                   {"first_name": "Oliver", "metadata": {"tier": "gold"}})
    assert result.status == 200
    updated = result.json()["customer"]
    assert updated["first_name"] == "Oliver" and updated["metadata"] == {"tier": "gold"}
    assert updated["updated_at"] != updated["created_at"]
    result = store(emulator, "POST", "/store/customers/me", token, {"email": "x@y.co"})
    assert (result.status, result.json()) == (400, {
        "type": "invalid_data", "message": "Invalid request: Unrecognized fields: 'email'"})


def test_two_customers_stay_apart(emulator):
    alice, bob = login(emulator, ALICE), login(emulator, BOB)
    assert store(emulator, "GET", "/store/customers/me", alice).json()["customer"]["id"] == ALICE_ID
    assert store(emulator, "GET", "/store/customers/me", bob).json()["customer"]["id"] == BOB_ID


def test_a_deleted_customer_is_not_found(emulator, control):
    token = login(emulator)
    control.delete_customer(OLI_ID)
    result = store(emulator, "GET", "/store/customers/me", token)
    assert (result.status, result.json()) == (404, {
        "type": "not_found", "message": "Customer with id: %s was not found" % OLI_ID})


# -- plumbing ------------------------------------------------------------------------------------

def test_a_malformed_json_body_is_a_400_with_message_and_type(emulator):
    result = call(emulator.url, "POST", "/auth/customer/emailpass", body="{nope",
                  headers={"Content-Type": "application/json"})
    assert result.status == 400
    assert result.json()["type"] == "invalid_data" and "JSON" in result.json()["message"]


def test_unknown_routes_get_expresss_404_but_store_ones_need_the_key_first(emulator):
    result = call(emulator.url, "GET", "/auth/customer")
    assert result.status == 404 and "Cannot GET /auth/customer" in result.text
    assert store(emulator, "GET", "/store/products", key=False).status == 400
    assert store(emulator, "GET", "/store/products").status == 404
    assert call(emulator.url, "GET", "/store/auth").status == 400  # v1's route is gone


def test_a_form_encoded_login_works_as_express_urlencoded_parses_it(emulator):
    result = call(emulator.url, "POST", "/auth/customer/emailpass",
                  body="email=oli%40test.dk&password=test",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert result.status == 200 and claims(result.json()["token"])["actor_id"] == OLI_ID
