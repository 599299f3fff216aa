"""Helpers for the admin import/export tests: build files, upload, confirm, export, read back."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

FORMAT_INDEX = {"csv": "0", "xlsx": "1", "json": "2"}


def csv_bytes(rows: list[list], *, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, admin_path: str, content: bytes, name: str = "import.csv"):
    """The dry run: the preview page, with `report` (problems, rows) in its context."""
    return client.post(
        f"/en/admin/{admin_path}/import/",
        {
            "resource": "0",
            "format": "1" if name.endswith(".xlsx") else "0",
            "import_file": SimpleUploadedFile(name, content),
        },
    )


def confirm(client, admin_path: str, preview):
    assert preview.context.get("confirm_form"), problems(preview) or form_errors(preview)
    return client.post(
        f"/en/admin/{admin_path}/process_import/", preview.context["confirm_form"].initial,
        follow=True,
    )


def problems(preview) -> list[tuple]:
    report = preview.context.get("report") or {"problems": []}
    return [(p["line"], p["column"], p["message"]) for p in report["problems"]]


def form_errors(preview) -> list[str]:
    form = preview.context.get("form")
    return [str(e) for e in form.errors.get("import_file", [])] if form is not None else []


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def export(client, admin_path: str, fmt: str, query: str = "") -> bytes:
    response = client.post(
        f"/en/admin/{admin_path}/export/{query}", {"format": FORMAT_INDEX[fmt], "resource": "0"}
    )
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content


def read_csv_export(content: bytes) -> list[dict]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")  # so that Excel reads the accents
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def read_xlsx_export(content: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content)).active
