"""docker-compose.yml, read (no Docker engine runs here): only the proxy is published, and the nginx template it
renders is filled in by exactly the variables compose gives it."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
TEMPLATE = ROOT / "deploy" / "nginx" / "triage.conf.template"


def test_only_the_buffering_proxy_is_published():
    published = {name for name, service in COMPOSE["services"].items() if service.get("ports")}

    assert published == {"proxy"}
    assert COMPOSE["services"]["proxy"]["ports"] == ["8000:8080"]


def test_the_app_trusts_exactly_the_one_proxy_in_front_of_it():
    assert COMPOSE["services"]["app"]["environment"]["DJANGO_TRUSTED_PROXIES"] == "1"


def test_the_proxy_fills_in_every_variable_of_its_template_and_no_other():
    proxy = COMPOSE["services"]["proxy"]
    ours = set(re.findall(r"\$\{(\w+)\}", TEMPLATE.read_text()))

    assert ours == set(proxy["environment"]) == {"TRIAGE_LISTEN", "TRIAGE_UPSTREAMS"}
    assert proxy["volumes"] == ["./deploy/nginx:/etc/nginx/templates:ro"]
    assert proxy["environment"]["TRIAGE_UPSTREAMS"] == "server app:8000;"


def test_the_app_and_the_worker_connect_as_the_app_role_and_only_migrate_as_the_owner():
    urls = {
        name: service["environment"]["DATABASE_URL"]
        for name, service in COMPOSE["services"].items()
        if "environment" in service and "DATABASE_URL" in service["environment"]
    }

    assert urls["migrate"].startswith("postgres://triage:")
    assert urls["app"].startswith("postgres://triage_app:") and urls["worker"].startswith("postgres://triage_app:")
