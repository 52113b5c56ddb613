# Multi-stage image: build a virtualenv with the same install step as the Makefile,
# then run as a non-root user: migrate, then serve on 0.0.0.0.
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md Makefile ./
COPY app ./app
RUN make install VENV=/opt/venv && rm -rf /root/.cache

FROM python:3.11-slim-bookworm AS runtime
# WeasyPrint (documents) needs Pango; fonts come from Debian, never downloaded at run time:
# DejaVu (Latin, Greek, Cyrillic, Arabic, Hebrew), Noto UI (Thai) and Noto Color Emoji.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-ui-core \
        fonts-noto-color-emoji \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 swl
WORKDIR /srv/app
COPY --from=build /opt/venv /opt/venv
# The code belongs to root: the running process can read it, not change it.
COPY . .
# The editable install points at /src; reinstall the package path here without deps.
RUN /opt/venv/bin/python -m pip install --no-deps --quiet -e . && mkdir -p data && chown swl:swl data
USER swl
ENV PATH="/opt/venv/bin:$PATH" \
    APP_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000
EXPOSE 8000
CMD ["sh", "-c", "swl db upgrade && swl serve --host 0.0.0.0"]
