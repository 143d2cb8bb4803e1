"""The export permissions the roles migration gives each group (README's roles tables)."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

roles = importlib.import_module("exports.migrations.0003_roles")

pytestmark = pytest.mark.django_db

EXPECTED = {
    "Librarians": {
        "add_export",
        "change_export",
        "delete_export",
        "view_export",
        "view_all_exports",
    },
    "Correctors": {"add_export", "view_export"},
    "API readers": {"add_export", "view_export"},
}


def export_permissions() -> dict[str, set[str]]:
    return {
        group.name: set(
            group.permissions.filter(content_type__app_label="exports").values_list(
                "codename", flat=True
            )
        )
        for group in Group.objects.filter(name__in=EXPECTED)
    }


def test_the_migration_gave_each_role_its_export_permissions():
    assert export_permissions() == EXPECTED
    # Nothing beyond: the other apps' permissions are the earlier migrations' business.
    assert not Group.objects.filter(permissions__codename="view_all_exports").exclude(
        name="Librarians"
    )


def test_revoke_and_grant_again_are_idempotent():
    roles.revoke(apps, None)
    assert export_permissions() == {name: set() for name in EXPECTED}
    # Books and OCR permissions stay.
    assert Group.objects.get(name="Correctors").permissions.filter(codename="view_book")
    roles.grant(apps, None)
    roles.grant(apps, None)
    assert export_permissions() == EXPECTED


def test_users_of_each_role(django_user_model):
    def member(name):
        user = django_user_model.objects.create_user(name.replace(" ", "_"))
        user.groups.add(Group.objects.get(name=name))
        return django_user_model.objects.get(pk=user.pk)

    librarian, corrector, reader = map(member, EXPECTED)
    assert librarian.has_perms(["exports.view_all_exports", "exports.delete_export"])
    for user in (corrector, reader):
        assert user.has_perms(["exports.add_export", "exports.view_export"])
        assert not user.has_perm("exports.view_all_exports")
        assert not user.has_perm("exports.delete_export")
