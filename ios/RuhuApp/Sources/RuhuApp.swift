import RuhuKit
import SwiftUI

@main
struct RuhuApp: App {
    @StateObject private var app = AppModel()
    @StateObject private var location = LocationService()
    @Environment(\.scenePhase) private var scenePhase

    var body: some Scene {
        WindowGroup {
            RootView()
                .environmentObject(app)
                .environmentObject(location)
                .environment(\.locale, Locale(identifier: "zh_Hans"))
        }
        .onChange(of: scenePhase) { phase in
            if phase == .background { app.lock() }
        }
    }
}

/// Login, unlock or the work screens, by the app's phase.
struct RootView: View {
    @EnvironmentObject var app: AppModel

    var body: some View {
        switch app.phase {
        case .login:
            LoginView()
        case .locked:
            if let session = app.session {
                UnlockView(session: session)
            } else {
                LoginView()
            }
        case .ready:
            if let session = app.session {
                MainView(session: session)
            } else {
                LoginView()
            }
        }
    }
}

/// The work screens: the assignment list, and settings.
struct MainView: View {
    @ObservedObject var session: RuhuSession

    var body: some View {
        TabView {
            NavigationView { AssignmentListView(session: session) }
                .navigationViewStyle(.stack)
                .tabItem { Label("入户任务", systemImage: "list.bullet.rectangle") }
            NavigationView { SyncScreen(session: session) }
                .navigationViewStyle(.stack)
                .tabItem { Label("同步", systemImage: "arrow.triangle.2.circlepath") }
            NavigationView { SettingsView(session: session) }
                .navigationViewStyle(.stack)
                .tabItem { Label("设置", systemImage: "gearshape") }
        }
    }
}
