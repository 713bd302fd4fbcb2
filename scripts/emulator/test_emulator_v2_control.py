"""v2 mode's control routes, faults, request log, tokens and command line.

In-process emulators (start_emulator(medusa_version=2)) for the control API and the pure token
rule; two tests spawn the command, bounded by PROCESS_WAIT_SECONDS, and always stop it.
"""

import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from medusa_auth_bridge.testing._emulator.jwt import decode_unverified  # noqa: E402
from emulator_testkit import Control, call  # noqa: E402
from medusa_auth_bridge.testing._emulator.v2_data import OLI_ID, SEED_PUBLISHABLE_KEY  # noqa: E402
from medusa_auth_bridge.testing._emulator.v2_tokens import auth_token  # noqa: E402
from medusa_emulator import start_emulator  # noqa: E402
from test_emulator_process import finish, first_line, spawn  # noqa: E402

OLI = {"email": "oli@test.dk", "password": "test"}


@pytest.fixture(scope="module")
def emulator():
    with start_emulator(medusa_version=2) as running:
        yield running


@pytest.fixture
def control(emulator):
    control = Control(emulator.url)
    control.reset()
    return control


def login(url, creds=OLI):
    return call(url, "POST", "/auth/customer/emailpass", json_body=creds)


def me(url, token, key=SEED_PUBLISHABLE_KEY):
    return call(url, "GET", "/store/customers/me",
                headers={"Authorization": "Bearer " + token, "x-publishable-api-key": key})


def test_the_auth_token_matches_a_jsonwebtoken_vector_for_the_same_claims():
    # HS256 over {"actor_id":"","actor_type":"customer","auth_identity_id":"authid_01JEXAMPLE...",
    # "app_metadata":{},"user_metadata":{},"iat":1735689600,"exp":1735776000}, secret supersecret.
    identity = {"id": "authid_01JEXAMPLE0000000000000000", "app_metadata": {}}
    token = auth_token(identity, "customer", "supersecret", 86400, 1735689600)
    assert token == (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhY3Rvcl9pZCI6IiIsImFjdG9yX3R5cGUiOiJjdXN0b21lciIsImF"
        "1dGhfaWRlbnRpdHlfaWQiOiJhdXRoaWRfMDFKRVhBTVBMRTAwMDAwMDAwMDAwMDAwMDAiLCJhcHBfbWV0YWRhdGEiOn"
        "t9LCJ1c2VyX21ldGFkYXRhIjp7fSwiaWF0IjoxNzM1Njg5NjAwLCJleHAiOjE3MzU3NzYwMDB9.wRUUqKL43EFGR9X7"
        "b-OXtK7J_cJLVoKx2ryMa5En5QE")


def test_a_fault_without_a_path_hits_auth_routes_too_and_requests_are_recorded(emulator, control):
    control.add_fault(status=503, body='{"message":"down"}', times=2)
    assert login(emulator.url).status == 503
    assert call(emulator.url, "GET", "/store/customers/me").status == 503
    assert login(emulator.url).status == 200
    assert call(emulator.url, "GET", "/health").status == 200
    recorded = [(r["method"], r["path"]) for r in control.requests()]
    assert recorded == [("POST", "/auth/customer/emailpass"), ("GET", "/store/customers/me"),
                        ("POST", "/auth/customer/emailpass"), ("GET", "/health")]


def test_a_drop_fault_on_one_route_leaves_the_others_alone(emulator, control):
    control.add_fault(method="POST", path="/auth/session", drop=True)
    token = login(emulator.url).json()["token"]
    with pytest.raises(Exception):
        call(emulator.url, "POST", "/auth/session", headers={"Authorization": "Bearer " + token})
    assert me(emulator.url, token).status == 200


def test_the_clock_can_be_read_moved_and_put_back(emulator, control):
    assert control.clock()["offset"] == 0
    assert control.clock(advance=90)["offset"] == 90
    assert control.clock(advance=-30)["offset"] == 60
    token = login(emulator.url).json()["token"]
    payload = decode_unverified(token)[1]
    assert payload["iat"] == pytest.approx(control.clock()["now"], abs=2)
    assert control.clock(offset=0)["offset"] == 0
    result = call(emulator.url, "POST", "/__emulator/clock", json_body={"advance": "1d"})
    assert result.status == 400 and "seconds" in result.json()["error"]


def test_reset_puts_the_clock_back_and_forgets_events(emulator, control):
    control.clock(advance=1000)
    call(emulator.url, "POST", "/auth/customer/emailpass/reset-password",
         json_body={"identifier": "oli@test.dk"})
    assert len(control.events("auth.password_reset")) == 1
    control.reset()
    assert control.clock()["offset"] == 0 and control.events() == []


def test_a_control_customer_with_a_password_can_log_in_at_once(emulator, control):
    created = control.create_customer("kim@example.com", "pw", first_name="Kim")
    token = login(emulator.url, {"email": "kim@example.com", "password": "pw"}).json()["token"]
    assert decode_unverified(token)[1]["actor_id"] == created["id"]
    assert me(emulator.url, token).json()["customer"]["first_name"] == "Kim"
    listed = {c["email"]: c for c in control.customers()}
    assert listed["kim@example.com"]["has_password"] is True
    assert listed["guest@test.dk"]["has_password"] is False
    duplicate = call(emulator.url, "POST", "/__emulator/customers",
                     json_body={"email": "kim@example.com"})
    assert duplicate.status == 422


def test_identities_are_listed_without_password_hashes(emulator, control):
    identities = control.identities()
    emails = {pi["entity_id"] for i in identities for pi in i["provider_identities"]}
    assert {"oli@test.dk", "pending@example.com", "google-sub-1002"} <= emails
    assert "password" not in json.dumps(identities)


def test_a_revoked_or_added_publishable_key_is_honoured(emulator, control):
    token = login(emulator.url).json()["token"]
    extra = control.add_publishable_key(title="second")["token"]
    assert extra.startswith("pk_") and me(emulator.url, token, extra).status == 200
    control.revoke_publishable_key(extra)
    assert me(emulator.url, token, extra).status == 400
    assert me(emulator.url, token).status == 200


def test_an_added_oauth_code_logs_that_profile_in(emulator, control):
    control.add_oauth_code("github", "gh-42", {"id": 42, "email": "octo@example.com",
                                               "name": "Octo"})
    location = call(emulator.url, "POST", "/auth/customer/github").json()["location"]
    state = location.rsplit("state=", 1)[1]
    result = call(emulator.url, "GET", "/auth/customer/github/callback?code=gh-42&state=" + state)
    payload = decode_unverified(result.json()["token"])[1]
    assert payload["user_metadata"]["email"] == "octo@example.com" and payload["actor_id"] == ""


def test_a_control_jwt_can_be_made_for_a_customer_and_already_expired(emulator, control):
    assert me(emulator.url, control.jwt(actor_id=OLI_ID)).status == 200
    assert me(emulator.url, control.jwt(actor_id=OLI_ID, expires_in=-1)).status == 401
    assert me(emulator.url, control.jwt(actor_id=OLI_ID, actor_type="user")).status == 401


def test_config_reports_the_version_and_the_publishable_key(emulator, control):
    config = call(emulator.url, "GET", "/__emulator/config").json()
    assert config["medusa_version"] == 2 and config["publishable_key"] == SEED_PUBLISHABLE_KEY
    assert config["jwt_expires_in"] == 86400


def test_the_command_announces_version_and_key_and_takes_a_key_and_lifetime():
    proc = spawn("--medusa-version", "2", "--publishable-key", "pk_test", "--jwt-expires-in",
                 "60", "--quiet")
    try:
        announced = json.loads(first_line(proc))
        assert list(announced) == ["url", "port", "medusa_version", "publishable_key"]
        assert announced["medusa_version"] == 2 and announced["publishable_key"] == "pk_test"
        token = login(announced["url"]).json()["token"]
        payload = decode_unverified(token)[1]
        assert payload["exp"] - payload["iat"] == 60
        assert me(announced["url"], token, "pk_test").status == 200
    finally:
        proc.terminate()
        status, rest, err = finish(proc)
    assert (status, rest, err) == (0, b"", b"")


def test_the_command_refuses_an_unknown_version():
    proc = spawn("--medusa-version", "3", stdin=subprocess.DEVNULL)
    status, out, err = finish(proc)
    assert status == 2 and out == b"" and b"--medusa-version" in err
