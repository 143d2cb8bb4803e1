"""Page images, thumbnails and OCR on S3-compatible storage: a real S3 server process
(moto's, on loopback) reached through django-storages and boto3, nothing patched."""

import hashlib
import io
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from PIL import Image

from config import env
from ocr import queueing, recognition
from ocr.models import RunStatus
from tests.ocr.conftest import manage
from tests.ocr.factories import ENGLISH_PAGE, add_page, make_volume

ACCESS_KEY, SECRET_KEY, REGION = "deploy-tests", "deploy-tests-secret-key", "us-east-1"


@pytest.fixture(scope="session")
def s3_endpoint():
    """A moto S3 server process on a free loopback port, for the whole session."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("moto's S3 server did not start")
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def s3(s3_endpoint, settings, monkeypatch):
    """A fresh bucket; Django's default storage configured from the environment for it."""
    import boto3

    bucket = f"pages-{uuid.uuid4().hex[:12]}"
    variables = {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_LOCATION": "media",
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=bucket)
    storage = env.default_storage()
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    return client, bucket, variables


def object_bytes(client, bucket: str, name: str) -> bytes:
    return client.get_object(Bucket=bucket, Key=f"media/{name}")["Body"].read()


@pytest.mark.django_db
def test_import_thumbnail_ocr_and_reading_back_on_s3(s3, ocr_models, settings, media_root):
    client, bucket, _ = s3
    page = add_page(make_volume(), ENGLISH_PAGE)

    # The page image is the object in the bucket, byte for byte (a PNG is stored unchanged).
    source = ENGLISH_PAGE.read_bytes()
    stored = object_bytes(client, bucket, page.image.name)
    assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(source).hexdigest()
    # The thumbnail is there too, at the configured size.
    thumbnail = Image.open(io.BytesIO(object_bytes(client, bucket, page.thumbnail.name)))
    assert max(thumbnail.size) == settings.THUMBNAIL_SIZE
    # Nothing went to local disk.
    assert not any(Path(media_root).rglob("*.*"))

    # OCR reads the image back from the bucket with the real engine.
    queueing.enqueue_pages([page.pk])
    run = recognition.recognize(page.ocr_runs.get().pk)
    assert run.status == RunStatus.SUCCEEDED, run.error
    text = "\n".join(page.lines.values_list("text", flat=True))
    assert "Annual Report of the Public Library" in text

    # A browser reads the image through the signed URL the admin shows.
    url = page.image.url
    assert url.startswith(client.meta.endpoint_url) and "Signature" in url, url
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.read() == source


@pytest.mark.django_db
def test_readiness_checks_the_bucket(s3, client, ocr_models):
    s3_client, bucket, _ = s3
    response = client.get("/health/ready")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["storage"]["detail"] == "S3Storage write/read/delete"
    assert s3_client.list_objects_v2(Bucket=bucket, Prefix="media/health/")["KeyCount"] == 0

    s3_client.delete_bucket(Bucket=bucket)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["failed"] == ["storage"]
    assert "NoSuchBucket" in response.json()["checks"]["storage"]["detail"]


def test_the_bucket_variable_switches_a_process_to_s3(s3, process_env):
    _, _, variables = s3
    result = manage(process_env(**variables), "health", timeout=120)
    storage = next(line for line in result.stdout.splitlines() if line.startswith("storage"))
    assert " ok " in storage and "S3Storage" in storage, result.stdout + result.stderr
    assert SECRET_KEY not in result.stdout + result.stderr


@pytest.mark.django_db
def test_export_built_into_s3_and_downloaded_through_admin_and_api(
    s3, settings, tmp_path, media_root, admin_client
):
    from django.urls import reverse

    from exports import building
    from tests.api.conftest import ensure_api_roles, token_client
    from tests.exports.factories import make_fixed_book
    from tests.ocr.lines import make_user

    client, bucket, _ = s3
    settings.EXPORT_TEMP_DIR = tmp_path / "tmp"
    book = make_fixed_book()  # page images imported into the bucket
    ensure_api_roles()
    api = token_client(make_user("s3-corrector", "Correctors", staff=False))
    asked = api.post(
        "/api/v1/exports/", {"scope": "book", "ids": [book.pk], "format": "pdf"}, format="json"
    )
    assert asked.status_code == 202, asked.content
    export = building.build(asked.json()["id"])  # the task's body, reading images from S3
    assert export.status == "done", export.error

    # The file is the bucket's object; nothing went to local disk.
    stored = object_bytes(client, bucket, export.file.name)
    assert stored.startswith(b"%PDF-") and len(stored) == export.size
    assert not any(Path(media_root).rglob("*.*"))
    assert list(settings.EXPORT_TEMP_DIR.iterdir()) == []

    def fetch(url: str):
        assert url.startswith(client.meta.endpoint_url) and "Signature" in url, url
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read(), response.headers  # case-insensitive

    # The API answers with a short-lived signed URL to the object, named as an attachment.
    ready = api.get(f"/api/v1/exports/{export.pk}/").json()
    download = api.get(ready["download_url"])
    assert download.status_code == 302
    body, headers = fetch(download["Location"])
    assert body == stored
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == "attachment; filename*=UTF-8''fixed-book-pdf.pdf"

    # The admin's download link does the same.
    response = admin_client.get(reverse("exports:download", args=[export.pk]))
    assert response.status_code == 302
    assert fetch(response["Location"])[0] == stored

    # An object gone from the bucket is a 404, not a redirect to an error page.
    client.delete_object(Bucket=bucket, Key=f"media/{export.file.name}")
    gone = api.get(f"/api/v1/exports/{export.pk}/download")
    assert gone.status_code == 404 and gone.json()["code"] == "gone"
    assert admin_client.get(reverse("exports:download", args=[export.pk])).status_code == 404
