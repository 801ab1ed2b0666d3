"""Schemathesis hooks: what the contract says and JSON Schema cannot.

JSON Schema has no "unique by property" for arrays of objects, so the schema
cannot say that each symptom code appears at most once. Generated bodies that
repeat a code are schema-valid yet rightly refused (400), so they are left out
of positive generation; the unit tests cover the refusal.
"""

import schemathesis


@schemathesis.hook
def filter_body(ctx, body):
    if not isinstance(body, dict) or not isinstance(body.get("symptoms"), list):
        return True
    codes = [s.get("code") for s in body["symptoms"] if isinstance(s, dict)]
    return len(codes) == len(set(codes))
