#!/usr/bin/env bash
# Builds the ruhu-mobile library for iOS and packages it for the Swift package in ios/RuhuKit:
#
#   ios/RuhuKit/Frameworks/RuhuMobileFFI.xcframework   static library per slice + C header + module map
#   ios/RuhuKit/Sources/RuhuMobile/RuhuMobile.swift    the Swift bindings uniffi generates
#
# Slices: aarch64-apple-ios (phones) and one simulator library made by lipo from aarch64-apple-ios-sim (Apple
# silicon Macs) and x86_64-apple-ios (Intel Macs). Release builds use the `mobile` profile of the workspace
# Cargo.toml (lto, opt-level "z", one codegen unit, panic = unwind so that uniffi can turn a panic into an error).
#
# The bindings are generated, like `cargo xtask bindings` does, from the host's debug build of the same sources:
# it is never stripped, so uniffi's metadata is always there, and its bindgen binary (src/bin/uniffi-bindgen.rs)
# has exactly the library's uniffi version. The generated code is identical for every target.
#
# Needs macOS with Xcode (xcodebuild, lipo, the iOS SDKs), rustup, and perl (the vendored OpenSSL of SQLCipher
# builds with it). Generated files are not committed: run this again after any change to mobile-bindings/.
#
# Usage: ios/build-xcframework.sh          (CARGO_TARGET_DIR is honoured; default ./target)
set -euo pipefail

if [[ "$(uname -s)" != "Darwin" ]]; then
  echo "build-xcframework.sh: iOS libraries can only be built on macOS with Xcode (this is $(uname -s))." >&2
  echo "On other machines CI only parses the Swift sources: cargo xtask swift" >&2
  exit 1
fi
for tool in xcodebuild xcrun lipo cargo; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build-xcframework.sh: '$tool' not found; install Xcode (and its command line tools) and Rust (rustup)." >&2
    exit 1
  fi
done

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
export CARGO_TARGET_DIR="$TARGET_DIR"
# Matches `platforms: [.iOS(.v15)]` in ios/RuhuKit/Package.swift.
export IPHONEOS_DEPLOYMENT_TARGET=15.0

PACKAGE="$ROOT/ios/RuhuKit"
WORK="$TARGET_DIR/ios-xcframework"
DEVICE_TARGET=aarch64-apple-ios
SIM_TARGETS=(aarch64-apple-ios-sim x86_64-apple-ios)
PROFILE=mobile

if command -v rustup >/dev/null 2>&1; then
  rustup target add "$DEVICE_TARGET" "${SIM_TARGETS[@]}"
fi

echo "==> ruhu-mobile, profile $PROFILE, for $DEVICE_TARGET ${SIM_TARGETS[*]}"
for target in "$DEVICE_TARGET" "${SIM_TARGETS[@]}"; do
  # Only the static library: the app links it into its binary (no dylib to embed and sign).
  cargo rustc -p ruhu-mobile --lib --profile "$PROFILE" --target "$target" --crate-type staticlib
done

rm -rf "$WORK"
mkdir -p "$WORK/device" "$WORK/simulator" "$WORK/headers" "$WORK/bindings"
cp "$TARGET_DIR/$DEVICE_TARGET/$PROFILE/libruhu_mobile.a" "$WORK/device/libruhu_mobile.a"
sim_libs=()
for target in "${SIM_TARGETS[@]}"; do
  sim_libs+=("$TARGET_DIR/$target/$PROFILE/libruhu_mobile.a")
done
lipo -create "${sim_libs[@]}" -output "$WORK/simulator/libruhu_mobile.a"
lipo -info "$WORK/simulator/libruhu_mobile.a"

echo "==> Swift bindings from the unstripped host library"
cargo build -p ruhu-mobile --features bindgen --lib --bin uniffi-bindgen
# uniffi.toml (module names RuhuMobile / RuhuMobileFFI) is read from the crate folder.
(cd "$ROOT/mobile-bindings" && "$TARGET_DIR/debug/uniffi-bindgen" generate \
  --library "$TARGET_DIR/debug/libruhu_mobile.dylib" --language swift --out-dir "$WORK/bindings")
for generated in RuhuMobile.swift RuhuMobileFFI.h RuhuMobileFFI.modulemap; do
  if [[ ! -f "$WORK/bindings/$generated" ]]; then
    echo "build-xcframework.sh: uniffi-bindgen did not write $generated (check [bindings.swift] in mobile-bindings/uniffi.toml)" >&2
    exit 1
  fi
done
cp "$WORK/bindings/RuhuMobileFFI.h" "$WORK/headers/"
# Inside an XCFramework the module map must be called module.modulemap for `import RuhuMobileFFI` to find it.
cp "$WORK/bindings/RuhuMobileFFI.modulemap" "$WORK/headers/module.modulemap"

echo "==> RuhuMobileFFI.xcframework"
XCFRAMEWORK="$PACKAGE/Frameworks/RuhuMobileFFI.xcframework"
rm -rf "$XCFRAMEWORK"
mkdir -p "$PACKAGE/Frameworks"
xcodebuild -create-xcframework \
  -library "$WORK/device/libruhu_mobile.a" -headers "$WORK/headers" \
  -library "$WORK/simulator/libruhu_mobile.a" -headers "$WORK/headers" \
  -output "$XCFRAMEWORK"
cp "$WORK/bindings/RuhuMobile.swift" "$PACKAGE/Sources/RuhuMobile/RuhuMobile.swift"

echo "==> done: $XCFRAMEWORK and Sources/RuhuMobile/RuhuMobile.swift"
echo "    next: cd ios/RuhuKit && xcodebuild test -scheme RuhuKit -destination 'platform=iOS Simulator,name=iPhone 15'"
