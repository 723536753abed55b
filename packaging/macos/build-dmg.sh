#!/usr/bin/env bash
# macOS: the .app bundle (PyInstaller BUNDLE step of packaging/mysearch.spec) and a DMG with an
# Applications link. Written for the release workflow's macOS arm64 runner; not run here (no macOS).
#   packaging/macos/build-dmg.sh VERSION PYTHON
# Unsigned unless MACOS_SIGN_IDENTITY is set (then codesign --deep --options runtime, and notarised
# with MACOS_NOTARY_PROFILE if set). The library lives in ~/Library/Application Support/mysearch and is
# never inside the .app, so replacing or deleting the .app keeps it.
set -euo pipefail
version=$1 python=$2
mkdir -p build dist
# the icon: drawn by ui/icon.py, rendered to an .iconset and packed with iconutil
iconset=build/mysearch.iconset
mkdir -p "$iconset"
QT_QPA_PLATFORM=offscreen "$python" - "$iconset" <<'PY'
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication([])
from ui.icon import app_icon
icon = app_icon()
for size in (16, 32, 128, 256, 512):
    icon.pixmap(size, size).save(f"{sys.argv[1]}/icon_{size}x{size}.png")
    icon.pixmap(2 * size, 2 * size).save(f"{sys.argv[1]}/icon_{size}x{size}@2x.png")
PY
iconutil -c icns "$iconset" -o build/mysearch.icns
"$python" -m PyInstaller --noconfirm --distpath build/bundle --workpath build/pyinstaller packaging/mysearch.spec
app=build/bundle/mysearch.app
if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --force --deep --options runtime --timestamp --sign "$MACOS_SIGN_IDENTITY" "$app"
fi
"$app/Contents/MacOS/mysearch" --smoke
stage=build/dmg
rm -rf "$stage" && mkdir -p "$stage"
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
dmg="dist/mysearch-$version-macos-arm64.dmg"
hdiutil create -volname "mysearch $version" -srcfolder "$stage" -fs HFS+ -format UDZO -imagekey zlib-level=1 -ov "$dmg"
if [ -n "${MACOS_NOTARY_PROFILE:-}" ]; then
  xcrun notarytool submit "$dmg" --keychain-profile "$MACOS_NOTARY_PROFILE" --wait
  xcrun stapler staple "$dmg"
fi
echo "$dmg"
