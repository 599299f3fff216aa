"""A compiled report's file as a download: the same response for the public Reports page and for
the secretariat in the admin."""

from django.http import StreamingHttpResponse

from .models import ReportFile


def compiled_report_file_response(report_file: ReportFile) -> StreamingHttpResponse:
    """The file as an attachment, read chunk by chunk (never whole in memory)."""
    response = StreamingHttpResponse(report_file.stream(), content_type=report_file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{report_file.download_name}"'
    response["Content-Length"] = str(report_file.size)
    return response
