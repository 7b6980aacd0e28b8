// The Android Studio project. Not built by CI (no Android SDK or Gradle distribution there): CI compiles and tests
// the same Kotlin sources with Maven (shared-jvm/, app-robolectric/). See README.md.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "ruhu-android"
include(":app")
