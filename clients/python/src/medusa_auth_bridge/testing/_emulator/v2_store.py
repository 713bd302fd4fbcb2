"""The ``/store/customers`` routes of Medusa v2, and the customer as its query layer returns it.

medusajs/medusa packages/medusa/src/api/store/customers/route.ts, me/route.ts, middlewares.ts,
validators.ts and query-config.ts; the account workflow is packages/core/core-flows/src/customer/
workflows/create-customer-account.ts. The publishable key was checked before these run.
"""

from .express import send_json
from .v2_data import ADDRESS_COLUMNS, CUSTOMER_COLUMNS, DuplicateCustomer
from .v2_errors import MedusaFailure
from .v2_validation import (SELECT_PARAMS, STORE_CREATE_CUSTOMER, STORE_UPDATE_CUSTOMER,
                                    parse_query, select_fields, validate)

# query-config.ts defaultStoreCustomersFields; the allowed fields are these plus "orders".
DEFAULT_FIELDS = CUSTOMER_COLUMNS + ("*addresses",)
ALLOWED_FIELDS = CUSTOMER_COLUMNS + ("addresses", "orders")
RELATIONS = {"addresses": ADDRESS_COLUMNS, "orders": None}


class StoreRoutes:
    """Handlers of the ``/store/customers`` routes; mixed into MedusaV2App."""

    def create_customer(self, req, session, body, headers):
        """POST /store/customers: registration token (actor_id "") + body -> {customer}, 200."""
        context = self.authenticate(req, session, ("customer",), ("session", "bearer"),
                                    allow_unregistered=True)
        validate(body, STORE_CREATE_CUSTOMER)
        selection = self._selection(req)
        if context.get("actor_id"):
            raise MedusaFailure(400, "invalid_data", "Request already authenticated as a customer.")
        if not body.get("email"):
            raise MedusaFailure(400, "invalid_data", "Email is required to create a customer")
        try:
            customer = self.store.create_customer(body, context.get("auth_identity_id"),
                                                  context.get("actor_type", "customer"))
        except DuplicateCustomer:
            raise MedusaFailure(422, "duplicate_error",
                                "Customer with this email already has an account",
                                "invalid_request_error") from None
        except KeyError:
            # A plain Error("Key customer_id already exists in app metadata") -> unknown_error.
            raise RuntimeError("Key customer_id already exists in app metadata") from None
        return send_json(req, 200, {"customer": render_customer(customer, selection)}, headers)

    def retrieve_customer(self, req, session, body, headers):
        """GET /store/customers/me?fields=..."""
        context = self.authenticate(req, session, ("customer",), ("session", "bearer"))
        selection = self._selection(req)
        customer = self._current_customer(context)
        return send_json(req, 200, {"customer": render_customer(customer, selection)}, headers)

    def update_customer(self, req, session, body, headers):
        """POST /store/customers/me: the StoreUpdateCustomer fields (email is not among them)."""
        context = self.authenticate(req, session, ("customer",), ("session", "bearer"))
        validate(body, STORE_UPDATE_CUSTOMER)
        selection = self._selection(req)
        self._current_customer(context)
        customer = self.store.update_customer(context["actor_id"], dict(body))
        return send_json(req, 200, {"customer": render_customer(customer, selection)}, headers)

    def _selection(self, req):
        query = parse_query(req.target)
        validate(query, SELECT_PARAMS)
        return select_fields(query.get("fields"), DEFAULT_FIELDS, ALLOWED_FIELDS)

    def _current_customer(self, context):
        customer = self.store.customer(context.get("actor_id"))
        if customer is None:
            raise MedusaFailure(404, "not_found",
                                "Customer with id: %s was not found" % context.get("actor_id"))
        return customer


def render_customer(customer, selection):
    """The customer with the selected columns, in entity order, then the selected relations."""
    out = {name: customer.get(name) for name in CUSTOMER_COLUMNS if name in selection.columns}
    wanted = dict(selection.relations)
    for name in RELATIONS:
        if name in selection.columns:
            wanted.setdefault(name, None)
    for name, fields in wanted.items():
        rows = customer.get(name, [])
        if fields is None:
            out[name] = rows
        else:
            keep = set(fields) | {"id"}
            out[name] = [{k: v for k, v in row.items() if k in keep} for row in rows]
    return out
