FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY avro ./avro
COPY events ./events
COPY state ./state
COPY streams ./streams
RUN pip install --no-cache-dir --constraint constraints.txt --editable .
RUN mkdir -p /var/lib/buying-groups && chown nobody /var/lib/buying-groups
USER nobody
CMD ["buying-groups", "worker"]
