"""Give the role groups exactly the admin permissions their work needs."""

from django.db import migrations

PERMISSIONS = {
    # The review queue: read presentations, record reviews. No add, change or delete of clinical data.
    "clinician": [("presentation", "view"), ("review", "view"), ("review", "add")],
    # Governance: the audit log only.
    "auditor": [("auditevent", "view")],
    # Intake systems use API keys, not the admin.
    "intake": [],
}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for role, needs in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for model, verb in needs:
            # Django creates permissions after migrating; on a new database they do not exist yet.
            content_type, _ = ContentType.objects.get_or_create(app_label="triage", model=model)
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=f"{verb}_{model}", defaults={"name": f"Can {verb} {model}"}
            )
            group.permissions.add(permission)


def revoke(apps, schema_editor):
    for group in apps.get_model("auth", "Group").objects.filter(name__in=PERMISSIONS):
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0003_audit_event"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
