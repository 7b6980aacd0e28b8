// The app module. Its Kotlin sources are the SAME folders CI compiles with Maven:
//   ../shared-jvm/src/main/kotlin        platform-neutral app logic (models, session, key wrapping)
//   ../app-robolectric/src/main/kotlin   the screens (Activities and Views in code) and the platform services
//   <cargo target>/bindings/kotlin        the uniffi bindings generated from ruhu-mobile (`cargo xtask bindings`)
// and the Rust library is built per ABI with cargo-ndk into build/rustJniLibs.

plugins {
    id("com.android.application")
}

val repoRoot: File = rootDir.parentFile
val cargoTargetDir: File = System.getenv("CARGO_TARGET_DIR")?.let(::File) ?: File(repoRoot, "target")
val bindingsDir = File(cargoTargetDir, "bindings/kotlin")
val rustJniLibs = layout.buildDirectory.dir("rustJniLibs")
val abis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")

android {
    namespace = "cn.ruhu.app"
    compileSdk = 35

    defaultConfig {
        applicationId = "cn.ruhu.app"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        ndk { abiFilters += abis }
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    sourceSets {
        getByName("main") {
            kotlin.srcDirs(
                File(repoRoot, "android/shared-jvm/src/main/kotlin"),
                File(repoRoot, "android/app-robolectric/src/main/kotlin"),
                bindingsDir,
            )
            jniLibs.srcDir(rustJniLibs)
        }
    }

    packaging {
        // Keep the .so files uncompressed and page-aligned in the APK (16 KB pages): loaded in place, not extracted.
        jniLibs.useLegacyPackaging = false
    }
}

dependencies {
    // JNA as an Android archive: it carries libjnidispatch.so for every ABI.
    implementation("net.java.dev.jna:jna:5.19.1@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.11.0")
}

/** The uniffi bindings, generated from the host-built (unstripped) library, as CI does. */
val rustBindings by tasks.registering(Exec::class) {
    workingDir = repoRoot
    environment("CARGO_TARGET_DIR", cargoTargetDir.path)
    commandLine("cargo", "xtask", "bindings")
    outputs.dir(bindingsDir)
}

/**
 * libruhu_mobile.so for each ABI with cargo-ndk (`cargo install cargo-ndk`; NDK r27+ from the SDK manager;
 * `rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android`). The `mobile` profile
 * optimises for size; 16 KB page alignment comes from ../../.cargo/config.toml.
 */
val rustJni by tasks.registering(Exec::class) {
    workingDir = repoRoot
    environment("CARGO_TARGET_DIR", cargoTargetDir.path)
    val targets = abis.flatMap { listOf("-t", it) }
    commandLine(listOf("cargo", "ndk") + targets + listOf("-P", "26", "-o", rustJniLibs.get().asFile.path, "build", "-p", "ruhu-mobile", "--profile", "mobile"))
    outputs.dir(rustJniLibs)
}

tasks.named("preBuild") { dependsOn(rustBindings, rustJni) }
