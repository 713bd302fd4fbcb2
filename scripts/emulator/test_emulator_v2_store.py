"""v2 mode's /store routes as Medusa v2 (2.12) answers them: the publishable key, creating,
reading and updating the customer, and Express's plumbing around them
(medusajs/medusa packages/medusa/src/api/store/customers/).

In-process, through the shared v2 emulator of emulator_v2_helpers (reset before every test).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emulator_testkit import call  # noqa: E402
from emulator_v2_helpers import (ALICE, BARE_401, BOB, bearer, claims, control,  # noqa: E402,F401
                                 emulator, fresh, login, post, store)
from medusa_auth_bridge.testing._emulator.v2_data import (  # noqa: E402
    ALICE_ID, BOB_ID, GUEST_ID, OLI_ID)


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


def test_cors_reflects_auth_cors_on_auth_and_store_cors_on_store(emulator):
    preflight = {"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}
    result = call(emulator.url, "OPTIONS", "/auth/customer/emailpass", headers=preflight)
    assert result.status == 204
    assert result.header("Access-Control-Allow-Origin") == "http://localhost:5173"
    assert result.header("Access-Control-Allow-Credentials") == "true"
    result = call(emulator.url, "OPTIONS", "/store/customers/me", headers=preflight)
    assert result.status == 204 and result.header("Access-Control-Allow-Origin") is None
    result = store(emulator, "GET", "/store/customers/me", login(emulator))
    assert result.header("Access-Control-Allow-Origin") is None
    result = call(emulator.url, "GET", "/store/customers/me",
                  headers={"Origin": "http://localhost:8000", **bearer(login(emulator)),
                           "x-publishable-api-key": emulator.publishable_key})
    assert result.header("Access-Control-Allow-Origin") == "http://localhost:8000"
