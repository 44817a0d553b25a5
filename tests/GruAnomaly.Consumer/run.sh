#!/usr/bin/env bash
# Packs GruAnomaly and GruAnomaly.Extensions.DependencyInjection under a unique prerelease version into a temporary folder, then restores, builds and runs the
# consumer against that package (its nuget.config maps GruAnomaly to the folder and nothing else). The consumer restores
# into a private, temporary package folder, so nothing cached by an earlier run is used. Exits with the consumer's code.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
library="$here/../../src/GruAnomaly/GruAnomaly.csproj"
extensions="$here/../../src/GruAnomaly.Extensions.DependencyInjection/GruAnomaly.Extensions.DependencyInjection.csproj"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

version="$(dotnet msbuild "$library" -getProperty:Version)-consumer.$(date -u +%Y%m%d%H%M%S).$$"
export GRUANOMALY_LOCAL_FEED="$work/feed"

echo "consumer: packing GruAnomaly $version"
dotnet pack "$library" -c Release -o "$GRUANOMALY_LOCAL_FEED" -p:PackageVersion="$version"
echo "consumer: packing GruAnomaly.Extensions.DependencyInjection $version"
dotnet pack "$extensions" -c Release -o "$GRUANOMALY_LOCAL_FEED" -p:PackageVersion="$version"

echo "consumer: restoring and building against the packed GruAnomaly $version"
NUGET_PACKAGES="$work/packages" dotnet build "$here/GruAnomaly.Consumer.csproj" -c Release \
  -p:GruAnomalyVersion="$version" --artifacts-path "$work/artifacts"

echo "consumer: running"
dotnet "$work/artifacts/bin/GruAnomaly.Consumer/release/GruAnomaly.Consumer.dll"
