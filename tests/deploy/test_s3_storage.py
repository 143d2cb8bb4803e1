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
