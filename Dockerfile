# ticonf in a container: `docker build -t ticonf .` then
#   docker run --rm -e TICONF_TARGET -e TICONF_API_KEY -e TICONF_API_SECRET \
#     -v "$PWD/reports:/reports" ticonf run --report-dir /reports/run
# Without TICONF_TARGET it tests the embedded reference server.
FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-deps --wheel-dir /dist .

FROM python:3.11-slim
COPY --from=build /dist/*.whl /tmp/
RUN pip install --no-cache-dir /tmp/ticonf-*.whl && rm /tmp/ticonf-*.whl \
    && useradd --create-home ticonf
USER ticonf
WORKDIR /home/ticonf
ENTRYPOINT ["ticonf"]
CMD ["--help"]
