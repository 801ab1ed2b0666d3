"""Schemathesis hooks: none are needed. The schema says everything the server checks (repeated symptom codes
included: triage.contract), so positive generation needs no filter."""
