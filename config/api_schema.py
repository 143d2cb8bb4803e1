"""The OpenAPI schema class (apart from config.api: drf-spectacular's AutoSchema imports
DRF's generic views, which read the pagination setting that names config.api)."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from config.api import ERROR_TEXTS, ErrorSerializer


class ApiSchema(AutoSchema):
    """Adds the error answers every endpoint can give (401, 403; 404 on an object's URL;
    400 where a body or query is read) to what each view declares itself."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.view.__class__.__name__.startswith("Spectacular"):
            return responses
        codes = [401, 403, 429]  # 429: over API_THROTTLE_RATE, when set
        if "{" in self.path or self._is_list_view():
            codes.append(404)  # no such object, or (lists) no such page of results
        if self.method in ("POST", "PUT", "PATCH") or self._is_list_view():
            codes.append(400)
        for code in codes:
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_TEXTS[code]),
                    str(code),
                    direction=direction,
                )
        return responses
