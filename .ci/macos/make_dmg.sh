#!/usr/bin/env bash
# Packs dist/Inference Planner.app (built by PyInstaller from build.spec on macOS) into a
# compressed disk image with an Applications link to drag it onto. Run by the GitHub Actions
# workflow; needs macOS's hdiutil.
#   bash .ci/macos/make_dmg.sh VERSION
set -euo pipefail
cd "$(dirname "$0")/../.."
version="${1:?usage: make_dmg.sh VERSION}"
app="dist/Inference Planner.app"
[ -d "$app" ] || { echo "$app not found: run pyinstaller build.spec first" >&2; exit 1; }
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
# ditto keeps the bundle's symlinks, permissions and extended attributes (its ad-hoc signature).
ditto "$app" "$stage/Inference Planner.app"
ln -s /Applications "$stage/Applications"
dmg="dist/inference-planner-${version}-macos-$(uname -m).dmg"
# hdiutil fails now and then on CI runners with "Resource busy"; a retry succeeds.
for attempt in 1 2 3 4; do
  if hdiutil create -volname "Inference Planner ${version}" -srcfolder "$stage" -ov \
      -format UDZO "$dmg"; then
    break
  fi
  [ "$attempt" -lt 4 ] || { echo "hdiutil create failed $attempt times" >&2; exit 1; }
  sleep $((attempt * 5))
done
du -h "$dmg"
