"""Give the Editors group (which Wagtail creates) its permissions, and add Pair members.

Editors review and publish every page, curate, moderate and manage tags and
pairs; they join the approval task of Wagtail's default workflow. Pair members
may use the admin and upload images; their page permissions on the blog are
granted by ``manage.py bootstrap_site`` once the blog index exists.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
PAIR_MEMBERS = "Pair members"


def _permissions(apps, *natural_keys):
    Permission = apps.get_model("auth.Permission")
    found = []
    for key in natural_keys:
        app_label, codename = key.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth.Group")
    Page = apps.get_model("wagtailcore.Page")
    Collection = apps.get_model("wagtailcore.Collection")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")

    editors, _ = Group.objects.get_or_create(name=EDITORS)
    members, _ = Group.objects.get_or_create(name=PAIR_MEMBERS)

    editors.permissions.add(
        *_permissions(
            apps,
            "wagtailadmin.access_admin",
            "blog.add_mentorpair",
            "blog.change_mentorpair",
            "blog.delete_mentorpair",
            "taggit.add_tag",
            "taggit.change_tag",
            "taggit.delete_tag",
        )
    )
    members.permissions.add(*_permissions(apps, "wagtailadmin.access_admin"))

    for root in Page.objects.filter(depth=1):
        for codename in ("add_page", "change_page", "publish_page", "lock_page", "unlock_page", "bulk_delete_page"):
            (permission,) = _permissions(apps, f"wagtailcore.{codename}")
            GroupPagePermission.objects.get_or_create(group=editors, page=root, permission=permission)

    for collection in Collection.objects.filter(depth=1):
        for group, codenames in (
            (editors, ("add_image", "change_image", "choose_image", "add_document", "change_document", "choose_document")),
            (members, ("add_image", "choose_image", "choose_document")),
        ):
            for codename in codenames:
                app_label = "wagtailimages" if codename.endswith("image") else "wagtaildocs"
                (permission,) = _permissions(apps, f"{app_label}.{codename}")
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=collection, permission=permission
                )

    # Wagtail's default workflow ("Moderators approval") guards the whole tree.
    for task in GroupApprovalTask.objects.filter(active=True):
        task.groups.add(editors)


def remove_groups(apps, schema_editor):
    # Editors predates this migration (Wagtail creates it); only ours goes.
    apps.get_model("auth.Group").objects.filter(name=PAIR_MEMBERS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0006_formstate"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
