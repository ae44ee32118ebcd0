# Two stages: build a wheel and its dependencies, then a slim runtime as a non-root user.
FROM python:3.11-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir --upgrade pip build
COPY pyproject.toml README.md ./
COPY clientbase ./clientbase
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    CLIENTBASE_ENVIRONMENT=production CLIENTBASE_EMBEDDED=0 \
    CLIENTBASE_HOST=0.0.0.0 CLIENTBASE_LOG_JSON=1 \
    CLIENTBASE_PROJECT_ROOT=/app
RUN useradd --system --uid 10001 --home-dir /app clientbase
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY alembic.ini ./
COPY migrations ./migrations
USER clientbase
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["clientbase", "serve"]
