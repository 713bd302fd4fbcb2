"""The emulator's pure pieces against the reference's rules: scrypt-kdf (services/customer.ts (hashPassword_)), isEmail and
class-validator ordering (utils/validator.ts), cookie signing and parsing (loaders/express.ts (express-session options)), jsonwebtoken checks (loaders/passport.ts and api/middlewares/authenticate-customer.ts).

In-process, no server.
"""

import base64
import hashlib
import os
import struct
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from medusa_auth_bridge.testing._emulator.data import OLI_PASSWORD_HASH, SEED_CUSTOMERS, seed_records  # noqa: E402
from medusa_auth_bridge.testing._emulator.express import encode_url, is_fresh, weak_etag  # noqa: E402
from medusa_auth_bridge.testing._emulator.jsutil import URIError, decode_uri_component, js_string, json_bytes  # noqa: E402
from medusa_auth_bridge.testing._emulator.jwt import InvalidToken, sign, store_customer_from_authorization, store_token, verify  # noqa: E402
from medusa_auth_bridge.testing._emulator.scrypt import hash_password, verify_password  # noqa: E402
from medusa_auth_bridge.testing._emulator.session import (encode_cookie_value, parse_cookie_header,  # noqa: E402
                              session_id_from_cookie_header, sign_session_id, unsign_session_id)
from medusa_auth_bridge.testing._emulator.validation import is_email, validate_auth_body  # noqa: E402


# -- scrypt-kdf (services/customer.ts) ---------------------------------------------------------

def test_the_reference_fixture_hash_is_the_password_test():
    assert verify_password(OLI_PASSWORD_HASH, "test") is True
    assert verify_password(OLI_PASSWORD_HASH, "wrong") is False


def test_hashes_use_medusas_layout_and_parameters():
    blob = base64.b64decode(hash_password("pw"))
    assert len(blob) == 96 and blob[:6] == b"scrypt" and blob[6] == 0 and blob[7] == 1
    assert struct.unpack(">II", blob[8:16]) == (1, 1)
    assert blob[48:64] == hashlib.sha256(blob[:48]).digest()[:16]


def test_a_hash_with_a_broken_checksum_or_shape_never_verifies():
    blob = bytearray(base64.b64decode(OLI_PASSWORD_HASH))
    blob[50] ^= 1
    assert verify_password(base64.b64encode(bytes(blob)).decode(), "test") is False
    assert verify_password("not base64 at all!", "test") is False
    assert verify_password(OLI_PASSWORD_HASH[:40], "test") is False
    assert verify_password(None, "test") is False
    assert verify_password(OLI_PASSWORD_HASH, 1234) is False


def test_seeded_passwords_verify_and_the_guest_has_none():
    records = {r.entity["email"]: r for r in seed_records()}
    for email, password, has_account, *_ in SEED_CUSTOMERS:
        record = records[email]
        assert record.entity["has_account"] is has_account
        if password is None:
            assert record.password_hash is None
        else:
            assert verify_password(record.password_hash, password)
    assert records["oli@test.dk"].password_hash == OLI_PASSWORD_HASH


# -- isEmail and class-validator (utils/validator.ts; api/routes/store/auth/create-session.ts) --

@pytest.mark.parametrize("value", [
    "oli@test.dk", "a@b.co", "first.last+tag@sub.example.com", "o'neil@test.org",
    "üser@exämple.de", '"quoted user"@test.com', "x@xn--bcher-kva.com", "a@b-c.io",
])
def test_is_email_accepts_what_validator_js_accepts(value):
    assert is_email(value) is True


@pytest.mark.parametrize("value", [
    "", "oli", "oli@", "@test.dk", "oli@test", "oli@test.d", "oli@test.123", "oli@-test.dk",
    "oli@test-.dk", "oli@te_st.dk", "oli..x@test.dk", ".oli@test.dk", "oli @test.dk",
    "oli@test..dk", "a" * 65 + "@test.dk", "x@" + "a" * 64 + ".dk", "oli@test.dk.",
    "<oli@test.dk>", "Oli <oli@test.dk>", 5, None, ["oli@test.dk"], {"email": "oli@test.dk"},
])
def test_is_email_rejects_what_validator_js_rejects(value):
    assert is_email(value) is False


@pytest.mark.parametrize("password", ["x", 0, False, [], {}, 1.5])
def test_is_not_empty_lets_everything_but_empty_string_and_null_pass(password):
    assert validate_auth_body({"email": "a@b.co", "password": password}) is None


def test_forbidden_properties_come_first_in_body_order_then_email_then_password():
    body = {"password": "", "b": 1, "email": "x", "a": 2}
    assert validate_auth_body(body) == ("property b should not exist, property a should not exist, "
                                        "email must be an email, password should not be empty")


# -- express-session cookies (loaders/express.ts) ----------------------------------------------

def test_cookie_values_are_url_encoded_signed_ids():
    signed = sign_session_id("abc", "supersecret")
    assert signed.startswith("abc.") and not signed.endswith("=")
    value = encode_cookie_value("abc", "supersecret")
    assert value.startswith("s%3Aabc.") and "/" not in value and "+" not in value
    assert unsign_session_id(signed, "supersecret") == "abc"
    assert unsign_session_id(signed, "other") is None
    assert unsign_session_id("abc", "supersecret") is None


def test_the_cookie_header_parser_keeps_the_first_value_and_strips_quotes():
    signed = sign_session_id("first", "s")
    header = 'a=1; connect.sid="s%%3A%s"; connect.sid=s%%3Aother.sig' % signed.replace("+", "%2B")
    assert parse_cookie_header(header)["a"] == "1"
    assert session_id_from_cookie_header(header, "s") == "first"
    assert parse_cookie_header("k=%E0%A4%A") == {"k": "%E0%A4%A"}  # undecodable: kept raw


# -- jsonwebtoken (loaders/passport.ts; api/routes/store/auth/get-token.ts) --------------------

def test_a_store_token_verifies_until_the_second_it_expires():
    token = store_token("cus_1", "k", now=1000)
    assert verify(token, "k", now=1000 + 2592000 - 1)["customer_id"] == "cus_1"
    with pytest.raises(InvalidToken, match="expired"):
        verify(token, "k", now=1000 + 2592000)


def test_tokens_with_other_algorithms_or_no_signature_are_refused():
    with pytest.raises(InvalidToken):
        verify(sign({"a": 1}, "k", header={"alg": "none", "typ": "JWT"}, alg="HS256"), "k")
    with pytest.raises(InvalidToken):
        verify(sign({"a": 1}, "k").rsplit(".", 1)[0] + ".", "k")
    assert verify(sign({"a": 1}, "k", alg="HS384"), "k") == {"a": 1}


def test_the_bearer_strategy_wants_domain_store_and_a_truthy_customer_id():
    def customer(payload):
        return store_customer_from_authorization("Bearer " + sign(payload, "k"), "k")
    assert customer({"customer_id": "cus_1", "domain": "store"}) == "cus_1"
    assert customer({"customer_id": 0, "domain": "store"}) is None
    assert customer({"customer_id": "cus_1", "domain": "admin", "user_id": "u"}) is None
    assert store_customer_from_authorization(None, "k") is None


# -- JavaScript and Express details -----------------------------------------------------------

def test_decode_uri_component_is_strict_like_javascript():
    assert decode_uri_component("a%40b+c%2B") == "a@b+c+"
    for bad in ("%", "%4", "%zz", "%C3", "%ED%A0%80"):
        with pytest.raises(URIError):
            decode_uri_component(bad)


def test_javascript_string_conversion_and_json_stringify():
    assert [js_string(v) for v in (5, 5.0, 1.5, True, None, {"a": 1})] == [
        "5", "5", "1.5", "true", "null", "[object Object]"]
    assert json_bytes({"a": "é", "b": [1, None]}) == '{"a":"é","b":[1,null]}'.encode()
    assert json_bytes({"\ud800": 1}) == b'{"\\ud800":1}'


def test_etags_and_freshness_follow_express():
    assert weak_etag(b"") == 'W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"'
    tag = weak_etag(b"OK")
    assert is_fresh({"if-none-match": tag}, tag)
    assert is_fresh({"if-none-match": "*"}, tag)
    assert not is_fresh({"if-none-match": tag, "cache-control": "no-cache"}, tag)
    assert not is_fresh({"if-none-match": 'W/"other"'}, tag)
    assert not is_fresh({}, tag)


def test_404_paths_are_encoded_like_encodeurl():
    assert encode_url("/store/a b") == "/store/a%20b"
    assert encode_url("/store/%41%zz") == "/store/%41%25zz"
    assert encode_url("/é") == "/%C3%A9"


@pytest.mark.parametrize("value", ["oli@test.dk\n", "oli\n@test.dk", "oli@test\n.dk", '"a"\n@test.dk'])
def test_a_trailing_newline_never_sneaks_past_an_anchor(value):
    assert is_email(value) is False


def test_forbidden_properties_are_listed_in_javascript_key_order_with_indexes_first():
    body = {"z": 1, "10": 2, "email": "a@b.co", "password": "x", "2": 3, "01": 4}
    assert validate_auth_body(body) == ("property 2 should not exist, property 10 should not exist, "
                                        "property z should not exist, property 01 should not exist")


def test_keys_class_transformer_never_copies_are_not_reported():
    body = {"email": "a@b.co", "password": "x", "constructor": 1, "toString": 2, "__proto__": {}}
    assert validate_auth_body(body) is None
