#!/bin/sh
# One-shot MinIO set-up: the bucket, no anonymous access, and two least-privilege users.
#   crawler: may write (and read back) objects under raw/   parser: may only read raw/
# Every secret comes from the environment; nothing is printed.
set -eu
: "${MINIO_ROOT_USER:?}" "${MINIO_ROOT_PASSWORD:?}" "${CRAWLER_ACCESS_KEY:?}" "${CRAWLER_SECRET_KEY:?}"
: "${PARSER_ACCESS_KEY:?}" "${PARSER_SECRET_KEY:?}"
mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
mc mb --ignore-existing local/govbudget
mc anonymous set none local/govbudget
mc admin policy create local govbudget-crawler /policies/crawler-policy.json
mc admin policy create local govbudget-parser /policies/parser-policy.json
mc admin user add local "$CRAWLER_ACCESS_KEY" "$CRAWLER_SECRET_KEY"
mc admin user add local "$PARSER_ACCESS_KEY" "$PARSER_SECRET_KEY"
mc admin policy attach local govbudget-crawler --user "$CRAWLER_ACCESS_KEY" || true
mc admin policy attach local govbudget-parser --user "$PARSER_ACCESS_KEY" || true
echo "minio ready: bucket govbudget, anonymous access none, users crawler and parser"
