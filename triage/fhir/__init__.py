"""HL7 FHIR R4: the intake contract as a Questionnaire, its answers read back, results as RiskAssessments.

Pure functions of the contract (triage.contract) and a rule set, no database: the API's FHIR views
(triage.api.fhir_views) serve them.
"""

# Our canonical URLs: names, not addresses (FHIR canonicals need not resolve). `.invalid` can never be anyone's.
CANONICAL = "http://twitch-triage.invalid/fhir"
FHIR_VERSION = "4.0.1"
MEDIA_TYPE = "application/fhir+json"
PATH_PREFIX = "/fhir/"  # where the API serves it (config/urls.py)
