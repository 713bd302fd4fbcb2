"""The control API under /__emulator/ and every fault switch that tests inject (issue 5, "Faults").

In-process: one emulator per module plus a second one where a redirect must land, reset before
every test, spoken to with http.client. Waits are bounded by the testkit's socket timeout.
"""

import http.client
import os
import socket
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from medusa_auth_bridge.testing._emulator.data import ALICE_ID, OLI_ID  # noqa: E402
from emulator_testkit import Control, call, connect, request  # noqa: E402
from medusa_emulator import start_emulator  # noqa: E402

OLI = {"email": "oli@test.dk", "password": "test"}


@pytest.fixture(scope="module")
def emulator():
    with start_emulator() as running:
        yield running


@pytest.fixture
def control(emulator):
    control = Control(emulator.url)
    control.reset()
    return control


# -- request log ------------------------------------------------------------------------------

def test_the_request_log_holds_every_request_in_order_with_raw_path_headers_and_body(emulator, control):
    call(emulator.url, "POST", "/store/auth", json_body=OLI, headers={"X-Trace": "1"})
    call(emulator.url, "GET", "/store/auth/a%40b.co?x=1")
    call(emulator.url, "GET", "/elsewhere")
    first, second, third = control.requests()
    assert (first["method"], first["path"]) == ("POST", "/store/auth")
    assert first["headers"]["content-type"] == "application/json" and first["headers"]["x-trace"] == "1"
    assert first["body"] == '{"email": "oli@test.dk", "password": "test"}'
    assert (second["method"], second["path"], second["body"]) == ("GET", "/store/auth/a%40b.co?x=1", "")
    assert third["path"] == "/elsewhere"
    assert first["received_at"] <= second["received_at"] <= third["received_at"]


def test_repeated_request_headers_are_recorded_joined_with_a_comma(emulator, control):
    connection = connect(emulator.url)
    connection.putrequest("GET", "/store/auth", skip_accept_encoding=True)
    connection.putheader("X-Repeat", "a")
    connection.putheader("X-Repeat", "b")
    connection.endheaders()
    connection.getresponse().read()
    connection.close()
    assert control.requests()[0]["headers"]["x-repeat"] == "a, b"


def test_control_requests_are_never_recorded_and_the_log_can_be_cleared(emulator, control):
    call(emulator.url, "GET", "/store/auth")
    control.faults()
    assert [r["path"] for r in control.requests()] == ["/store/auth"]
    control.clear_requests()
    assert control.requests() == []


# -- status faults ----------------------------------------------------------------------------

def test_a_status_fault_answers_n_times_then_normal_service_resumes(emulator, control):
    control.add_fault(method="POST", path="/store/auth", status=503, times=2,
                      headers={"Retry-After": "1"}, body="busy")
    for _ in range(2):
        result = call(emulator.url, "POST", "/store/auth", json_body=OLI)
        assert (result.status, result.body, result.header("Retry-After")) == (503, b"busy", "1")
        assert result.header("Content-Type") == "text/plain; charset=utf-8"
        assert result.header("Set-Cookie") is None
    assert call(emulator.url, "POST", "/store/auth", json_body=OLI).status == 200
    assert len(control.requests()) == 3  # faulted attempts are recorded too
    assert control.faults() == []


def test_a_json_status_fault_body_is_labelled_json(emulator, control):
    control.add_fault(status=409, body='{"type":"conflict","message":"x"}')
    result = call(emulator.url, "GET", "/store/auth")
    assert result.status == 409 and result.header("Content-Type") == "application/json; charset=utf-8"
    assert result.json() == {"type": "conflict", "message": "x"}


def test_a_fault_only_matches_its_method_and_exact_path(emulator, control):
    control.add_fault(method="GET", path="/store/auth", status=500)
    assert call(emulator.url, "POST", "/store/auth", json_body=OLI).status == 200
    assert call(emulator.url, "GET", "/store/auth/x@y.z").status == 200
    assert call(emulator.url, "GET", "/store/auth?q=1").status == 500


def test_a_fault_without_path_matches_any_store_path_but_not_others(emulator, control):
    control.add_fault(status=502, times=None)
    assert call(emulator.url, "GET", "/health").status == 200
    assert call(emulator.url, "POST", "/store/auth/token", json_body=OLI).status == 502
    assert call(emulator.url, "DELETE", "/store/auth").status == 502
    assert control.faults()[0]["remaining"] is None  # unlimited until cleared
    control.clear_faults()
    assert call(emulator.url, "DELETE", "/store/auth").status == 200


def test_faults_queue_in_the_order_they_were_added(emulator, control):
    control.add_fault(status=503)
    control.add_fault(status=409, headers={"Retry-After": "2"})
    statuses = [call(emulator.url, "GET", "/store/auth/x@y.z").status for _ in range(3)]
    assert statuses == [503, 409, 200]


def test_a_list_of_faults_is_queued_at_once_and_a_bad_one_queues_none(emulator, control):
    assert call(emulator.url, "POST", "/__emulator/faults", json_body=[{"status": 503}, {"drop": True}]).status == 200
    assert len(control.faults()) == 2
    control.clear_faults()
    bad = call(emulator.url, "POST", "/__emulator/faults", json_body=[{"status": 503}, {"explode": True}])
    assert bad.status == 400 and control.faults() == []


@pytest.mark.parametrize("spec", [
    {}, {"status": "503"}, {"status": 503, "drop": True}, {"status": 503, "times": 0},
    {"huge_bytes": -1}, {"redirect": 5}, {"delay_ms": "soon"}, {"status": 503, "colour": "red"},
    {"status": 503, "method": 3},
])
def test_an_unusable_fault_spec_is_refused_with_400(emulator, control, spec):
    result = call(emulator.url, "POST", "/__emulator/faults", json_body=spec)
    assert result.status == 400 and "error" in result.json()
    assert control.faults() == []


# -- connection-level faults ------------------------------------------------------------------

def test_a_delay_fault_answers_normally_after_the_delay(emulator, control):
    control.add_fault(path="/store/auth/token", delay_ms=300)
    started = time.monotonic()
    result = call(emulator.url, "POST", "/store/auth/token", json_body=OLI)
    assert time.monotonic() - started >= 0.3
    assert result.status == 200 and "access_token" in result.json()


def test_a_delay_can_precede_another_action(emulator, control):
    control.add_fault(delay_ms=200, status=504)
    started = time.monotonic()
    assert call(emulator.url, "GET", "/store/auth").status == 504
    assert time.monotonic() - started >= 0.2


def raw_exchange(port, request_bytes):
    """Send raw bytes; return how the connection ended ("FIN" or "RST") and what arrived."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(request_bytes)
    received = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return "FIN", received
            received += chunk
    except ConnectionResetError:
        return "RST", received
    finally:
        sock.close()


def test_a_drop_fault_closes_the_connection_without_an_answer(emulator, control):
    control.add_fault(drop=True)
    assert raw_exchange(emulator.port, b"GET /store/auth HTTP/1.1\r\nHost: x\r\n\r\n") == ("FIN", b"")
    control.add_fault(drop=True)
    with pytest.raises(http.client.RemoteDisconnected):
        call(emulator.url, "GET", "/store/auth")
    assert call(emulator.url, "GET", "/store/auth").status == 401


def test_a_drop_reset_fault_resets_the_connection_without_an_answer(emulator, control):
    control.add_fault(drop="reset")
    assert raw_exchange(emulator.port, b"GET /store/auth HTTP/1.1\r\nHost: x\r\n\r\n") == ("RST", b"")


def test_reset_mid_body_sends_headers_and_half_the_body_then_resets(emulator, control):
    control.add_fault(path="/store/auth", method="POST", reset_mid_body=True)
    body = b'{"email":"oli@test.dk","password":"test"}'
    ending, received = raw_exchange(emulator.port, (
        b"POST /store/auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)))
    assert ending == "RST"
    head, _, partial = received.partition(b"\r\n\r\n")
    length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    assert head.startswith(b"HTTP/1.1 200 OK") and 0 < len(partial) == length // 2
    assert partial.startswith(b'{"customer":{"id":"cus_01HG3WQ4Q9ZJ6A8S1V0M3K7N2B"')
    assert control.sessions(), "the request was really handled (the login created a session)"


def test_reset_mid_body_is_seen_by_http_clients_as_an_error(emulator, control):
    control.add_fault(reset_mid_body=True)
    with pytest.raises((http.client.IncompleteRead, ConnectionResetError)):
        call(emulator.url, "GET", "/store/auth/oli@test.dk")


def test_a_garbage_fault_answers_200_with_a_body_that_is_not_json(emulator, control):
    control.add_fault(garbage=True)
    result = call(emulator.url, "GET", "/store/auth")
    assert result.status == 200 and result.header("Content-Type") == "application/json; charset=utf-8"
    with pytest.raises(ValueError):
        result.json()


def test_a_huge_fault_streams_exactly_that_many_bytes(emulator, control):
    size = 5 * 1024 * 1024
    control.add_fault(huge_bytes=size)
    result = call(emulator.url, "POST", "/store/auth", json_body=OLI)
    assert result.status == 200 and result.header("Content-Length") == str(size)
    assert len(result.body) == size and result.json()["customer"]["id"] == "cus_huge"


def test_a_client_abandoning_a_huge_body_leaves_the_emulator_serving(emulator, control):
    control.add_fault(huge_bytes=100 * 1024 * 1024)
    connection = connect(emulator.url)
    connection.request("GET", "/store/auth")
    response = connection.getresponse()
    assert response.getheader("Content-Length") == str(100 * 1024 * 1024)
    assert len(response.read(1024 * 1024)) == 1024 * 1024
    connection.close()
    assert call(emulator.url, "GET", "/store/auth").status == 401


def test_a_redirect_fault_points_at_another_emulator_which_records_what_follows_it(emulator, control):
    with start_emulator() as other:
        target = other.url + "/landing"
        control.add_fault(redirect=target)
        result = call(emulator.url, "GET", "/store/auth", headers={"Cookie": "connect.sid=secret"})
        assert result.status == 302 and result.header("Location") == target
        assert result.text == "Found. Redirecting to " + target
        call(other.url, "GET", "/landing")
        [landed] = Control(other.url).requests()
        assert landed["path"] == "/landing" and "cookie" not in landed["headers"]


def test_a_redirect_fault_may_use_another_status(emulator, control):
    control.add_fault(redirect="http://127.0.0.1:9/x", status=307)
    assert call(emulator.url, "POST", "/store/auth", json_body=OLI).status == 307


# -- state control ----------------------------------------------------------------------------

def test_reset_restores_seeds_and_forgets_faults_requests_and_sessions(emulator, control):
    cookie = call(emulator.url, "POST", "/store/auth", json_body=OLI).cookie()
    control.delete_customer(ALICE_ID)
    control.add_fault(status=503)
    control.reset()
    assert control.faults() == [] and control.requests() == [] and control.sessions() == {}
    assert call(emulator.url, "GET", "/store/auth", headers={"Cookie": cookie}).status == 401
    assert ALICE_ID in [c["id"] for c in control.customers()]


def test_seeded_customers_are_listed_with_the_guest_without_password(emulator, control):
    by_email = {c["email"]: c for c in control.customers()}
    assert set(by_email) == {"oli@test.dk", "alice@example.com", "bob@example.com", "guest@test.dk"}
    assert by_email["guest@test.dk"]["has_account"] is False
    assert by_email["guest@test.dk"]["has_password"] is False
    assert by_email["oli@test.dk"]["id"] == OLI_ID


def test_a_created_customer_can_log_in_with_a_lowercased_email(emulator, control):
    customer = control.create_customer("New.Person@Example.com", "pw-123", first_name="New")
    assert customer["email"] == "new.person@example.com" and customer["id"].startswith("cus_")
    assert customer["first_name"] == "New" and customer["orders"] == []
    login = call(emulator.url, "POST", "/store/auth", json_body={"email": "new.person@example.com", "password": "pw-123"})
    assert login.json()["customer"]["id"] == customer["id"]


def test_a_created_guest_cannot_log_in_and_does_not_exist(emulator, control):
    control.create_customer("walkin@test.dk", "pw", has_account=False)
    assert call(emulator.url, "POST", "/store/auth", json_body={"email": "walkin@test.dk", "password": "pw"}).status == 401
    assert call(emulator.url, "GET", "/store/auth/walkin@test.dk").json() == {"exists": False}


def test_creating_a_second_account_for_an_email_is_a_422_duplicate(emulator, control):
    result = call(emulator.url, "POST", "/__emulator/customers", json_body={"email": "OLI@test.dk", "password": "x"})
    assert result.status == 422 and result.json()["type"] == "duplicate_error"
    bad = call(emulator.url, "POST", "/__emulator/customers", json_body={"password": "x"})
    assert bad.status == 400


def test_deleting_a_customer_reports_it_and_an_unknown_id_is_404(emulator, control):
    assert control.delete_customer(OLI_ID) == {"id": OLI_ID, "object": "customer", "deleted": True}
    assert call(emulator.url, "DELETE", "/__emulator/customers/" + OLI_ID).status == 404
    assert call(emulator.url, "GET", "/store/auth/oli@test.dk").json() == {"exists": False}


def test_minted_tokens_follow_the_requested_claims(emulator, control):
    def session_status(token):
        return call(emulator.url, "GET", "/store/auth", headers={"Authorization": "Bearer " + token}).status
    assert session_status(control.jwt(customer_id=OLI_ID)) == 200
    assert session_status(control.jwt(customer_id=OLI_ID, expires_in=-1)) == 401
    assert session_status(control.jwt(customer_id=OLI_ID, domain="admin")) == 401
    assert session_status(control.jwt(customer_id=OLI_ID, secret="elsewhere")) == 401
    assert session_status(control.jwt(payload={"customer_id": OLI_ID, "domain": "store"})) == 200


def test_the_session_store_is_visible_and_logout_removes_the_session(emulator, control):
    cookie = call(emulator.url, "POST", "/store/auth", json_body=OLI).cookie()
    assert list(control.sessions().values()) == [{"customer_id": OLI_ID}]
    call(emulator.url, "DELETE", "/store/auth", headers={"Cookie": cookie})
    assert control.sessions() == {}


def test_config_reports_the_url_and_secrets(emulator, control):
    config = call(emulator.url, "GET", "/__emulator/config").json()
    assert config == {"url": emulator.url, "production": False, "cookie_secret": "supersecret",
                      "jwt_secret": "supersecret"}


def test_unknown_control_routes_and_non_json_bodies_are_refused(emulator, control):
    assert call(emulator.url, "GET", "/__emulator/nothing").status == 404
    result = call(emulator.url, "POST", "/__emulator/faults", body="{nope")
    assert result.status == 400 and result.json()["error"].startswith("body is not JSON")


def test_stop_closes_open_keep_alive_connections_and_refuses_new_ones():
    running = start_emulator()
    connection = connect(running.url)
    assert request(connection, "GET", "/store/auth").status == 401
    running.stop()
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        request(connection, "GET", "/store/auth")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", running.port), timeout=5)
