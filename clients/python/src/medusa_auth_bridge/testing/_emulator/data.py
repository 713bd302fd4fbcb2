"""Seeded customers and the in-memory customer table.

# medusajs/medusa (v1.x) packages/medusa/src/models/customer.ts: the Customer entity as res.json
# serialises it, with the relations
# of defaultRelations (orders, orders.items, shipping_addresses) and never password_hash.
"""

import copy
import os
import threading
import time
from datetime import datetime, timezone

from .jsutil import json_bytes
from .scrypt import hash_password, verify_password

# medusajs/medusa (v1.x) packages/medusa/src/services/customer.ts (hashPassword_): the integration-
# test fixture, the scrypt-kdf hash of "test".
OLI_PASSWORD_HASH = ("c2NyeXB0AAEAAAABAAAAAVMdaddoGjwU1TafDLLlBKnOTQga7P2dbrfgf3fB+rCD/cJOMuGzAv"
                     "RdKutbYkVpuJWTU39P7OpuWNkUVoEETOVLMJafbI8qs8Qx/7jMQXkN")

OLI_ID = "cus_01HG3WQ4Q9ZJ6A8S1V0M3K7N2B"
ALICE_ID = "cus_01HG3WR5B8YV2C4D6E8F0G2H4J"
BOB_ID = "cus_01HG3WS6C9ZW3D5E7F9G1H3J5K"
GUEST_ID = "cus_01HG3WT7DAXZ4E6F8G0H2J4K6M"

_SEED_TIME = "2024-01-15T10:00:00.000Z"
_ORDER_ID = "order_01HG3X0A1B2C3D4E5F6G7H8J9K"
_ADDRESS_ID = "addr_01HG3X1B2C3D4E5F6G7H8J9K0M"
_ITEM_ID = "item_01HG3X2C3D4E5F6G7H8J9K0M1N"
_CART_ID = "cart_01HG3X3D4E5F6G7H8J9K0M1N2P"

# (email, password or None, has_account, first_name, last_name, id) of every seeded customer.
SEED_CUSTOMERS = (
    ("oli@test.dk", "test", True, "oli", "test", OLI_ID),
    ("alice@example.com", "alice-password", True, "Alice", "Example", ALICE_ID),
    ("bob@example.com", "bob-password", True, "Bob", "Example", BOB_ID),
    ("guest@test.dk", None, False, None, None, GUEST_ID),
)

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_entity_id(prefix):
    """``generateEntityId``: prefix + "_" + a ULID (48-bit ms time, 80 random bits)."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return prefix + "_" + "".join(reversed(chars))


def iso_now():
    """``Date.toISOString()``: millisecond precision, Z suffix."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)


def customer_entity(customer_id, email, first_name=None, last_name=None, has_account=True,
                    phone=None, metadata=None, created_at=None):
    """A Customer with the columns of models/customer.ts in the order Medusa serialises them."""
    stamp = created_at or iso_now()
    return {
        "id": customer_id, "created_at": stamp, "updated_at": stamp, "deleted_at": None,
        "email": email.lower(), "first_name": first_name, "last_name": last_name,
        "billing_address_id": None, "phone": phone, "has_account": has_account,
        "metadata": metadata,
    }


def _oli_address():
    return {
        "id": _ADDRESS_ID, "created_at": _SEED_TIME, "updated_at": _SEED_TIME,
        "deleted_at": None, "customer_id": OLI_ID, "company": None, "first_name": "oli",
        "last_name": "test", "address_1": "Vesterbrogade 1", "address_2": None,
        "city": "Copenhagen", "country_code": "dk", "province": None, "postal_code": "1620",
        "phone": None, "metadata": None,
    }


def _oli_order():
    item = {
        "id": _ITEM_ID, "created_at": _SEED_TIME, "updated_at": _SEED_TIME, "cart_id": _CART_ID,
        "order_id": _ORDER_ID, "swap_id": None, "claim_order_id": None, "original_item_id": None,
        "order_edit_id": None, "title": "Medusa Sweatshirt", "description": "S",
        "thumbnail": "https://medusa-public-images.s3.eu-west-1.amazonaws.com/sweatshirt-vintage-front.png",
        "is_return": False, "is_giftcard": False, "should_merge": True, "allow_discounts": True,
        "has_shipping": True, "unit_price": 2950, "variant_id": "variant_01HG3X4E5F6G7H8J9K0M1N2P3Q",
        "product_id": "prod_01HG3X5F6G7H8J9K0M1N2P3Q4R", "quantity": 1, "fulfilled_quantity": None,
        "returned_quantity": None, "shipped_quantity": None, "metadata": {}, "includes_tax": False,
    }
    return {
        "object": "order", "id": _ORDER_ID, "created_at": _SEED_TIME, "updated_at": _SEED_TIME,
        "status": "pending", "fulfillment_status": "not_fulfilled", "payment_status": "awaiting",
        "display_id": 1, "cart_id": _CART_ID, "customer_id": OLI_ID, "email": "oli@test.dk",
        "billing_address_id": _ADDRESS_ID, "shipping_address_id": _ADDRESS_ID,
        "region_id": "reg_01HG3X6G7H8J9K0M1N2P3Q4R5S", "currency_code": "eur", "tax_rate": None,
        "draft_order_id": None, "canceled_at": None, "metadata": None, "no_notification": None,
        "idempotency_key": None, "external_id": None,
        "sales_channel_id": "sc_01HG3X7H8J9K0M1N2P3Q4R5S6T", "items": [item],
    }


class CustomerRecord:
    """One row of the customer table plus its loaded relations; never mutated once stored."""

    __slots__ = ("entity", "password_hash", "orders", "shipping_addresses", "_body")

    def __init__(self, entity, password_hash=None, orders=(), shipping_addresses=()):
        self.entity = entity
        self.password_hash = password_hash
        self.orders = list(orders)
        self.shipping_addresses = list(shipping_addresses)
        self._body = None

    @property
    def id(self):
        return self.entity["id"]

    def public(self):
        """The Customer object (models/customer.ts): columns, then orders (with items), then shipping_addresses."""
        customer = dict(self.entity)
        customer["orders"] = copy.deepcopy(self.orders)
        customer["shipping_addresses"] = copy.deepcopy(self.shipping_addresses)
        return customer

    def customer_body(self):
        """``{"customer": ...}`` as bytes, computed once (the record is immutable)."""
        if self._body is None:
            self._body = json_bytes({"customer": self.public()})
        return self._body


def seed_records():
    records = []
    for email, password, has_account, first, last, customer_id in SEED_CUSTOMERS:
        entity = customer_entity(customer_id, email, first, last, has_account, created_at=_SEED_TIME)
        if customer_id == OLI_ID:
            record = CustomerRecord(entity, OLI_PASSWORD_HASH, [_oli_order()], [_oli_address()])
        else:
            record = CustomerRecord(entity, hash_password(password) if password else None)
        records.append(record)
    return records


class CustomerStore:
    """The customer table; every method holds ``_lock``, records themselves are immutable."""

    def __init__(self):
        self._lock = threading.Lock()
        self._seeds = seed_records()
        self._by_id = {}
        self._registered = {}  # lowercased email -> record, has_account customers only
        self.reset()

    def reset(self):
        with self._lock:
            self._by_id = {record.id: record for record in self._seeds}
            self._registered = {r.entity["email"]: r for r in self._seeds if r.entity["has_account"]}

    def get(self, customer_id):
        with self._lock:
            return self._by_id.get(customer_id) if isinstance(customer_id, str) else None

    def find_registered(self, email):
        """``retrieveRegisteredByEmail``: lowercased email and has_account = true."""
        with self._lock:
            return self._registered.get(email.lower())

    def authenticate(self, email, password):
        """``AuthService.authenticateCustomer``: the record on success, None on any failure.

        # medusajs/medusa (v1.x) packages/medusa/src/services/auth.ts (authenticateCustomer):
        # registered customers only, scrypt-kdf check.
        """
        record = self.find_registered(email) if isinstance(email, str) else None
        if record is None or not record.password_hash:
            return None
        return record if verify_password(record.password_hash, password) else None

    def create(self, email, password=None, has_account=True, first_name=None, last_name=None,
               phone=None, metadata=None):
        """Add a customer; raises ValueError when a registered one already uses the email."""
        entity = customer_entity(new_entity_id("cus"), email, first_name, last_name,
                                 has_account, phone, metadata)
        record = CustomerRecord(entity, hash_password(password) if password else None)
        with self._lock:
            if has_account:
                if entity["email"] in self._registered:
                    raise ValueError("duplicate")
                self._registered[entity["email"]] = record
            self._by_id[record.id] = record
        return record

    def delete(self, customer_id):
        with self._lock:
            record = self._by_id.pop(customer_id, None)
            if record is not None and self._registered.get(record.entity["email"]) is record:
                del self._registered[record.entity["email"]]
            return record is not None

    def all(self):
        with self._lock:
            return list(self._by_id.values())
