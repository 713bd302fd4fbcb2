"""Medusa v2's auth and customer modules in memory: identities, customers, keys, OAuth stub.

Medusa v2 keeps the login (``auth_identity`` with its ``provider_identities``, medusajs/medusa
``packages/modules/auth/src/models/auth-identity.ts``) apart from the customer
(``packages/modules/customer/src/models/customer.ts``); ``app_metadata.customer_id`` links them.
Everything here is guarded by one lock: the emulator serves a test, not a shop, and one lock makes
the two-table updates of ``POST /store/customers`` atomic.
"""

import copy
import secrets
import threading

from .data import iso_now, new_entity_id
from .scrypt import hash_password, verify_password

OLI_ID = "cus_01HG3WQ4Q9ZJ6A8S1V0M3K7N2B"
ALICE_ID = "cus_01HG3WR5B8YV2C4D6E8F0G2H4J"
BOB_ID = "cus_01HG3WS6C9ZW3D5E7F9G1H3J5K"
GUEST_ID = "cus_01HG3WT7DAXZ4E6F8G0H2J4K6M"
OLI_IDENTITY = "authid_01HG3WQ4Q9ZJ6A8S1V0M3K7N2B"
ALICE_IDENTITY = "authid_01HG3WR5B8YV2C4D6E8F0G2H4J"
BOB_IDENTITY = "authid_01HG3WS6C9ZW3D5E7F9G1H3J5K"
PENDING_IDENTITY = "authid_01HG3WV8EBYZ5F7G9H1J3K5M7N"
ALICE_GOOGLE_IDENTITY = "authid_01HG3WW9FCZZ6G8H0J2K4M6N8P"
OLI_ADDRESS_ID = "cuaddr_01HG3X1B2C3D4E5F6G7H8J9K0M"

# A publishable key as Medusa generates them ("pk_" + 32 random bytes in hex), fixed so that
# scripts can hard-code it; --publishable-key replaces it.
SEED_PUBLISHABLE_KEY = "pk_5e1d0c4a9b7f4e2a8c6d3b1f0e9a7c5b3d1f2e4a6c8b0d9e7f5a3c1b2d4e6f80"

_SEED_TIME = "2024-01-15T10:00:00.000Z"

# (email, password, customer id or None, identity id, first name, last name) of the emailpass
# identities; a None customer id is an identity registered but never turned into a customer.
SEED_IDENTITIES = (
    ("oli@test.dk", "test", OLI_ID, OLI_IDENTITY, "oli", "test"),
    ("alice@example.com", "alice-password", ALICE_ID, ALICE_IDENTITY, "Alice", "Example"),
    ("bob@example.com", "bob-password", BOB_ID, BOB_IDENTITY, "Bob", "Example"),
    ("pending@example.com", "pending-password", None, PENDING_IDENTITY, None, None),
)
# A guest customer (has_account false, no identity): the email can still register (Medusa's
# unique index is on (email, has_account)).
SEED_GUEST = ("guest@test.dk", GUEST_ID)

# The OAuth provider stubs: an authorization code -> the profile the provider's token exchange
# would yield. Codes stay valid (a real provider accepts a code once).
SEED_OAUTH_CODES = {
    "google": {
        "google-code-new": {"sub": "google-sub-1001", "email": "new.google@example.com",
                            "email_verified": True, "name": "Nora Google",
                            "given_name": "Nora", "family_name": "Google",
                            "picture": "https://lh3.googleusercontent.com/a/nora"},
        "google-code-alice": {"sub": "google-sub-1002", "email": "alice@example.com",
                              "email_verified": True, "name": "Alice Example",
                              "given_name": "Alice", "family_name": "Example",
                              "picture": "https://lh3.googleusercontent.com/a/alice"},
        "google-code-unverified": {"sub": "google-sub-1003", "email": "unverified@example.com",
                                   "email_verified": False, "name": "Una Verified",
                                   "given_name": "Una", "family_name": "Verified",
                                   "picture": "https://lh3.googleusercontent.com/a/una"},
    },
    "github": {
        "github-code-new": {"id": 5001, "email": "new.github@example.com",
                            "name": "Gita Hub", "company": None,
                            "html_url": "https://github.com/gitahub",
                            "avatar_url": "https://avatars.githubusercontent.com/u/5001",
                            "two_factor_authentication": False},
    },
}
OAUTH_PROVIDERS = ("google", "github")

# medusajs/medusa packages/core/types/src/http/customer/store/entities.ts: column order.
CUSTOMER_COLUMNS = ("id", "email", "company_name", "first_name", "last_name", "phone", "metadata",
                    "has_account", "deleted_at", "created_at", "updated_at")
ADDRESS_COLUMNS = ("id", "customer_id", "address_name", "is_default_shipping",
                   "is_default_billing", "company", "first_name", "last_name", "address_1",
                   "address_2", "city", "country_code", "province", "postal_code", "phone",
                   "metadata", "created_at", "updated_at")
# Fields POST /store/customers(/me) may set (the StoreCreateCustomer validator minus email).
UPDATABLE_FIELDS = ("company_name", "first_name", "last_name", "phone", "metadata")


class DuplicateCustomer(Exception):
    """A registered customer (has_account true) already uses the email (unique index)."""


def _customer(customer_id, email, first_name=None, last_name=None, has_account=True,
              company_name=None, phone=None, metadata=None, created_at=None):
    stamp = created_at or iso_now()
    return {"id": customer_id, "email": email, "company_name": company_name,
            "first_name": first_name, "last_name": last_name, "phone": phone,
            "metadata": metadata, "has_account": has_account, "deleted_at": None,
            "created_at": stamp, "updated_at": stamp, "addresses": [], "orders": []}


def _oli_address():
    return {"id": OLI_ADDRESS_ID, "customer_id": OLI_ID, "address_name": None,
            "is_default_shipping": True, "is_default_billing": True, "company": None,
            "first_name": "oli", "last_name": "test", "address_1": "Vesterbrogade 1",
            "address_2": None, "city": "Copenhagen", "country_code": "dk", "province": None,
            "postal_code": "1620", "phone": None, "metadata": None, "created_at": _SEED_TIME,
            "updated_at": _SEED_TIME}


def _identity(identity_id, provider, entity_id, app_metadata, password_hash=None,
              user_metadata=None):
    provider_metadata = {"password": password_hash} if password_hash else None
    return {"id": identity_id, "app_metadata": app_metadata,
            "provider_identities": [{"provider": provider, "entity_id": entity_id,
                                     "provider_metadata": provider_metadata,
                                     "user_metadata": user_metadata}]}


def _seed_tables():
    """Fresh copies of the seeded customers and identities (hashes computed once per process)."""
    customers, identities = {}, {}
    for email, password, customer_id, identity_id, first, last in SEED_IDENTITIES:
        if customer_id is not None:
            customers[customer_id] = _customer(customer_id, email, first, last,
                                               created_at=_SEED_TIME)
        app_metadata = {"customer_id": customer_id} if customer_id else {}
        identities[identity_id] = _identity(identity_id, "emailpass", email, app_metadata,
                                            _SEED_HASHES[password])
    customers[OLI_ID]["addresses"].append(_oli_address())
    guest_email, guest_id = SEED_GUEST
    customers[guest_id] = _customer(guest_id, guest_email, has_account=False,
                                    created_at=_SEED_TIME)
    alice_google = SEED_OAUTH_CODES["google"]["google-code-alice"]
    identities[ALICE_GOOGLE_IDENTITY] = _identity(
        ALICE_GOOGLE_IDENTITY, "google", alice_google["sub"], {"customer_id": ALICE_ID},
        user_metadata=google_user_metadata(alice_google))
    return customers, identities


# Hashing at import would slow every import of the package; hashes are made on first reset.
_SEED_HASHES = {}


def google_user_metadata(profile):
    """What medusajs/medusa packages/modules/providers/auth-google/src/services/google.ts keeps."""
    return {"name": profile.get("name"), "email": profile.get("email"),
            "picture": profile.get("picture"), "given_name": profile.get("given_name"),
            "family_name": profile.get("family_name")}


def github_user_metadata(profile):
    """What medusajs/medusa packages/modules/providers/auth-github/src/services/github.ts keeps."""
    return {"profile_url": profile.get("html_url"), "avatar": profile.get("avatar_url"),
            "email": profile.get("email"), "name": profile.get("name"),
            "company": profile.get("company"),
            "two_factor_authentication": profile.get("two_factor_authentication")}


class V2Store:
    """Customers, auth identities, publishable keys, OAuth codes and states, emitted events.

    Every public method takes ``_lock`` and hands out copies, so callers never share state.
    """

    def __init__(self, publishable_key=SEED_PUBLISHABLE_KEY):
        self._lock = threading.Lock()
        self._seed_key = publishable_key
        self.reset()

    def reset(self):
        with self._lock:
            if not _SEED_HASHES:
                for _, password, *_rest in SEED_IDENTITIES:
                    _SEED_HASHES[password] = hash_password(password)
            self._customers, self._identities = _seed_tables()
            self._keys = {self._seed_key: {"token": self._seed_key, "revoked_at": None,
                                           "title": "Emulator storefront"}}
            self._oauth_codes = copy.deepcopy(SEED_OAUTH_CODES)
            self._oauth_states = {}
            self._events = []

    # -- identities ---------------------------------------------------------------------------

    def _find_provider_identity(self, provider, entity_id):
        for identity in self._identities.values():
            for provider_identity in identity["provider_identities"]:
                if (provider_identity["provider"] == provider
                        and provider_identity["entity_id"] == entity_id):
                    return identity, provider_identity
        return None, None

    def identity(self, identity_id):
        with self._lock:
            found = self._identities.get(identity_id) if isinstance(identity_id, str) else None
            return copy.deepcopy(found)

    def find_identity(self, provider, entity_id):
        """(identity, provider identity) copies for an exact entity id (no lower-casing in v2)."""
        with self._lock:
            identity, provider_identity = self._find_provider_identity(provider, entity_id)
            return copy.deepcopy(identity), copy.deepcopy(provider_identity)

    def check_password(self, email, password):
        """The emailpass identity when the password matches, else None."""
        identity, provider_identity = self.find_identity("emailpass", email)
        if identity is None:
            return None
        stored = (provider_identity.get("provider_metadata") or {}).get("password")
        return identity if verify_password(stored, password) else None

    def register_emailpass(self, email, password):
        """The identity to issue a registration token for, or None when the email is taken.

        medusajs/medusa packages/modules/providers/auth-emailpass/src/services/emailpass.ts
        ``register``: an identity already linked to an actor is taken; an unlinked one is
        claimed again with the new password (since 2.10.3).
        """
        password_hash = hash_password(password)
        with self._lock:
            identity, provider_identity = self._find_provider_identity("emailpass", email)
            if identity is not None:
                if identity["app_metadata"]:
                    return None
                provider_identity["provider_metadata"] = {"password": password_hash}
                return copy.deepcopy(identity)
            identity = _identity(new_entity_id("authid"), "emailpass", email, {}, password_hash)
            self._identities[identity["id"]] = identity
            return copy.deepcopy(identity)

    def set_password(self, provider, entity_id, password):
        password_hash = hash_password(password)
        with self._lock:
            identity, provider_identity = self._find_provider_identity(provider, entity_id)
            if identity is None:
                return None
            provider_identity["provider_metadata"] = dict(
                provider_identity.get("provider_metadata") or {}, password=password_hash)
            return copy.deepcopy(identity)

    def upsert_oauth_identity(self, provider, entity_id, user_metadata):
        """The identity of a social login, created (unlinked) on the first callback."""
        with self._lock:
            identity, provider_identity = self._find_provider_identity(provider, entity_id)
            if identity is None:
                identity = _identity(new_entity_id("authid"), provider, entity_id, {},
                                     user_metadata=user_metadata)
                self._identities[identity["id"]] = identity
            else:
                provider_identity["user_metadata"] = user_metadata
            return copy.deepcopy(identity)

    def identities(self):
        with self._lock:
            return copy.deepcopy(list(self._identities.values()))

    # -- customers ----------------------------------------------------------------------------

    def customer(self, customer_id):
        with self._lock:
            found = self._customers.get(customer_id) if isinstance(customer_id, str) else None
            return copy.deepcopy(found)

    def customers(self):
        with self._lock:
            return copy.deepcopy(list(self._customers.values()))

    def create_customer(self, fields, identity_id=None, actor_type="customer"):
        """createCustomerAccountWorkflow: a registered customer, linked to the identity.

        Raises DuplicateCustomer for a registered email, and KeyError when the identity already
        has a customer (Medusa's plain Error "Key customer_id already exists in app metadata").
        """
        with self._lock:
            email = fields.get("email")
            for existing in self._customers.values():
                if existing["email"] == email and existing["has_account"] \
                        and existing["deleted_at"] is None:
                    raise DuplicateCustomer(email)
            identity = self._identities.get(identity_id) if identity_id else None
            key = "%s_id" % actor_type
            if identity is not None and identity["app_metadata"].get(key):
                raise KeyError(key)
            customer = _customer(new_entity_id("cus"), email, has_account=True,
                                 **{k: fields.get(k) for k in UPDATABLE_FIELDS})
            self._customers[customer["id"]] = customer
            if identity is not None:
                identity["app_metadata"][key] = customer["id"]
            return copy.deepcopy(customer)

    def add_customer(self, email, has_account=True, **fields):
        """A customer made by the control API (no identity; add one with add_identity)."""
        with self._lock:
            if has_account and any(c["email"] == email and c["has_account"]
                                   for c in self._customers.values()):
                raise DuplicateCustomer(email)
            customer = _customer(new_entity_id("cus"), email, has_account=has_account,
                                 **{k: fields.get(k) for k in UPDATABLE_FIELDS})
            self._customers[customer["id"]] = customer
            return copy.deepcopy(customer)

    def add_identity(self, email, password, customer_id=None):
        """An emailpass identity made by the control API, optionally linked to a customer."""
        password_hash = hash_password(password)
        with self._lock:
            identity, _ = self._find_provider_identity("emailpass", email)
            if identity is not None:
                raise DuplicateCustomer(email)
            app_metadata = {"customer_id": customer_id} if customer_id else {}
            identity = _identity(new_entity_id("authid"), "emailpass", email, app_metadata,
                                 password_hash)
            self._identities[identity["id"]] = identity
            return copy.deepcopy(identity)

    def update_customer(self, customer_id, fields):
        with self._lock:
            customer = self._customers.get(customer_id)
            if customer is None:
                return None
            customer.update(fields)
            customer["updated_at"] = iso_now()
            return copy.deepcopy(customer)

    def delete_customer(self, customer_id):
        with self._lock:
            return self._customers.pop(customer_id, None) is not None

    # -- publishable keys ---------------------------------------------------------------------

    def key_is_valid(self, token):
        with self._lock:
            key = self._keys.get(token)
            return key is not None and key["revoked_at"] is None

    def add_key(self, title="Emulator key", token=None):
        token = token or "pk_" + secrets.token_hex(32)
        with self._lock:
            self._keys[token] = {"token": token, "revoked_at": None, "title": title}
            return dict(self._keys[token])

    def revoke_key(self, token):
        with self._lock:
            key = self._keys.get(token)
            if key is None:
                return None
            key["revoked_at"] = key["revoked_at"] or iso_now()
            return dict(key)

    def keys(self):
        with self._lock:
            return [dict(k) for k in self._keys.values()]

    # -- OAuth stub ---------------------------------------------------------------------------

    def save_state(self, state, value, expires_at):
        with self._lock:
            self._oauth_states[state] = (value, expires_at)

    def state(self, state, now):
        with self._lock:
            entry = self._oauth_states.get(state) if isinstance(state, str) else None
            return entry[0] if entry is not None and entry[1] > now else None

    def oauth_profile(self, provider, code):
        with self._lock:
            profile = self._oauth_codes.get(provider, {}).get(code)
            return copy.deepcopy(profile)

    def add_oauth_code(self, provider, code, profile):
        with self._lock:
            self._oauth_codes.setdefault(provider, {})[code] = copy.deepcopy(profile)

    def oauth_codes(self):
        with self._lock:
            return copy.deepcopy(self._oauth_codes)

    # -- events -------------------------------------------------------------------------------

    def emit(self, name, data):
        with self._lock:
            self._events.append({"name": name, "data": copy.deepcopy(data)})

    def events(self, name=None):
        with self._lock:
            return [copy.deepcopy(e) for e in self._events if name is None or e["name"] == name]

    def clear_events(self):
        with self._lock:
            self._events.clear()
