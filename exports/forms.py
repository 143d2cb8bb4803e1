"""The options a librarian picks for an export in the admin."""

from django import forms
from django.utils.translation import gettext_lazy as _

from exports import formats
from exports.models import TextSource


class ExportOptionsForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=formats.choices)
    text_source = forms.ChoiceField(
        label=_("Text"), choices=TextSource.choices, initial=TextSource.CORRECTED
    )
    per_page = forms.BooleanField(label=_("One file per page (ZIP)"), required=False)
    include_images = forms.BooleanField(label=_("Include the page images (ZIP)"), required=False)
    keep_headers_footers = forms.BooleanField(
        label=_("Keep running headers, footers and page numbers in the text"), required=False
    )
