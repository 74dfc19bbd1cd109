#!/usr/bin/env bash
# Fetches the official ADF JSON schema (@atlaskit/adf-schema, JSON Schema
# draft-04) into the gitignored cache .cache/adf-schema/full.json, where
# adf's TestSchemaGoldens finds it. The schema is another project's file:
# it is downloaded, never committed. Needs npm (the npm registry).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="$root/.cache/adf-schema"
version="${ADF_SCHEMA_VERSION:-latest}"
mkdir -p "$dest"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@atlaskit/adf-schema@$version" >/dev/null)
tar -xzf "$tmp"/atlaskit-adf-schema-*.tgz -C "$tmp" package/dist/json-schema/v1/full.json
cp "$tmp/package/dist/json-schema/v1/full.json" "$dest/full.json"
echo "ADF schema written to $dest/full.json"
