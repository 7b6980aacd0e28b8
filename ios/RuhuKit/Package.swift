// swift-tools-version:5.9
// RuhuKit: the iOS app's platform-neutral Swift over the ruhu-mobile library.
//
// Three targets, bottom up:
// - RuhuMobileFFI: the Rust library as an XCFramework (static library per slice, with the C header and module map
//   uniffi generates). Built by ../build-xcframework.sh into Frameworks/; not committed.
// - RuhuMobile: the Swift bindings uniffi generates (RuhuMobile.swift), copied in by the same script; not committed.
// - RuhuKit: the wrappers the app uses (session, key store, assignment plan, form screen model, login form).
import PackageDescription

let package = Package(
    name: "RuhuKit",
    platforms: [.iOS(.v15)],
    products: [
        .library(name: "RuhuKit", targets: ["RuhuKit"]),
    ],
    targets: [
        .binaryTarget(name: "RuhuMobileFFI", path: "Frameworks/RuhuMobileFFI.xcframework"),
        .target(
            name: "RuhuMobile",
            dependencies: ["RuhuMobileFFI"],
            path: "Sources/RuhuMobile",
            exclude: ["README.md"]
        ),
        .target(name: "RuhuKit", dependencies: ["RuhuMobile"]),
        .testTarget(name: "RuhuKitTests", dependencies: ["RuhuKit"]),
    ]
)
