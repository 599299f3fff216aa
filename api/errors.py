"""API errors as JSON with a message a person can act on: {"detail": …, "parameter": …}."""

from rest_framework import exceptions, status
from rest_framework.views import exception_handler


class InvalidParameter(exceptions.APIException):
    """A query parameter the API does not know, or a value it cannot use: 400 naming it."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_parameter"

    def __init__(self, parameter: str, detail: str):
        self.parameter = parameter
        super().__init__(detail=detail)


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, InvalidParameter):
        response.data = {"detail": str(exc.detail), "parameter": exc.parameter}
    return response
