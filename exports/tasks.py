"""django-q2 task entry points: thin wrappers over ``exports.building``."""

from exports import building, recovery


def build_export(export_id: int) -> str:
    export = building.build(export_id)
    if export is None:
        return "nothing to do"
    return f"{export.status}: {export.error or export.file.name}"


def delete_expired_exports() -> int:
    return building.delete_expired()


def sweep_stuck_exports() -> int:
    return recovery.sweep_stuck_exports()
