"""Medusa v2's request validation: strict zod schemas and the ``fields`` query syntax.

medusajs/medusa packages/core/framework/src/zod/zod-helpers.ts makes every body and query schema
``.strict()`` and reports at most three zod issues as ``"Invalid request: " + "; ".join(...)``;
zod reports the declared keys in schema order, then the unrecognized ones.
medusajs/medusa packages/core/framework/src/http/utils/get-query-config.ts reads ``fields``.
"""

import re
from urllib.parse import parse_qsl

# zod 3 ``emailRegex``: what ``z.string().email()`` accepts.
_ZOD_EMAIL = re.compile(r"^(?!\.)(?!.*\.\.)([A-Z0-9_'+\-\.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9\-]*\.)+"
                        r"[A-Z]{2,}\Z", re.IGNORECASE)
_MAX_REPORTED_ISSUES = 3


class Invalid(Exception):
    """A 400 ``invalid_data`` answer with this message."""


def zod_type(value):
    """zod's ``getParsedType`` name of a JSON value ("received" in its issues)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


# A field rule: (kind, nullish). kind is "string", "email" or "record".
STRING = ("string", False)
NULLISH_STRING = ("string", True)
NULLISH_EMAIL = ("email", True)
NULLISH_RECORD = ("record", True)

# medusajs/medusa packages/medusa/src/api/auth/validators.ts (ResetPasswordRequest).
RESET_PASSWORD = (("identifier", STRING),)
# medusajs/medusa packages/medusa/src/api/store/customers/validators.ts.
STORE_CREATE_CUSTOMER = (("email", NULLISH_EMAIL), ("company_name", NULLISH_STRING),
                         ("first_name", NULLISH_STRING), ("last_name", NULLISH_STRING),
                         ("phone", NULLISH_STRING), ("metadata", NULLISH_RECORD))
STORE_UPDATE_CUSTOMER = STORE_CREATE_CUSTOMER[1:]
# createSelectParams(): the only query parameter of the customer routes.
SELECT_PARAMS = (("fields", ("string", "optional")),)


def _field_issue(key, value, present, rule):
    kind, nullable = rule
    if not present:
        return None if nullable else "Field '%s' is required" % key
    if value is None and nullable is True:
        return None
    expected = "object" if kind == "record" else "string"
    if zod_type(value) != expected:
        return "Expected type: '%s' for field '%s', got: '%s'" % (expected, key, zod_type(value))
    if kind == "email" and not _ZOD_EMAIL.match(value):
        return "Invalid email"
    return None


def validate(body, schema):
    """Raise Invalid with Medusa's message unless ``body`` fits the strict ``schema``."""
    if not isinstance(body, dict):
        raise Invalid("Invalid request: Expected type: 'object' for field '', got: '%s'"
                      % zod_type(body))
    issues = []
    for key, rule in schema:
        issue = _field_issue(key, body.get(key), key in body, rule)
        if issue is not None:
            issues.append(issue)
    known = {key for key, _ in schema}
    extra = [key for key in body if key not in known]
    if extra:
        issues.append("Unrecognized fields: '%s'" % ", ".join(extra))
    if issues:
        raise Invalid("Invalid request: " + "; ".join(issues[:_MAX_REPORTED_ISSUES]))


def parse_query(target):
    """The query object Express's ``qs`` parser builds (repeated keys become arrays)."""
    query = {}
    cut = target.find("?")
    if cut < 0:
        return query
    for key, value in parse_qsl(target[cut + 1:].split("#", 1)[0], keep_blank_values=True):
        if key in query:
            previous = query[key]
            query[key] = previous + [value] if isinstance(previous, list) else [previous, value]
        else:
            query[key] = value
    return query


class FieldSelection:
    """Which columns and relations a ``fields`` parameter asks for."""

    def __init__(self, columns, relations):
        self.columns = columns  # set of top-level column names
        self.relations = relations  # relation name -> None (every field) or a set of fields


def select_fields(fields, defaults, allowed):
    """prepareListQuery for a retrieve: defaults, ``+f``/`` f`` add, ``-f`` remove, ``*rel`` and
    ``rel.*`` whole relations; any other entry replaces the defaults. Raises Invalid for fields
    outside ``allowed`` ("Requested fields [a, b] are not valid")."""
    chosen = list(defaults)
    if fields is not None:
        entries = [entry for entry in fields.split(",") if entry]
        replace = not entries or any(not (e[0] in "+- *" or e.endswith(".*")) for e in entries)
        if replace:
            chosen = [re.sub(r"^[+ -]", "", e) for e in entries if not e.startswith("-")]
        for entry in entries:
            if entry[0] in "+ ":
                name = entry[1:].strip()
                if name not in chosen:
                    chosen.append(name)
            elif entry.startswith("-"):
                name = entry[1:]
                chosen = [c for c in chosen if c.lstrip("*") != name
                          and not c.lstrip("*").startswith(name + ".")]
            elif entry not in chosen:
                chosen.append(entry)
    stars, plain = set(), []
    for entry in chosen:
        if entry.startswith("*"):
            stars.add(entry[1:])
        elif entry.endswith(".*"):
            stars.add(entry[:-2])
        else:
            plain.append(entry)
    if "id" not in plain:
        plain.append("id")
    not_allowed = [s for s in stars if s not in allowed]
    not_allowed += [f for f in plain if f not in allowed
                    and not any(f.startswith(a + ".") for a in allowed)]
    if not_allowed:
        raise Invalid("Requested fields [%s] are not valid" % ", ".join(not_allowed))
    columns, relations = set(), {name: None for name in stars}
    for field in plain:
        head, dot, rest = field.partition(".")
        if dot:
            if relations.get(head, set()) is not None:
                relations.setdefault(head, set()).add(rest)
        elif head in allowed and head not in relations:
            columns.add(head)
    return FieldSelection(columns, relations)
