import RuhuKit
import SwiftUI

/// Who is logged in, logout (local work stays) and wipe (everything on this phone is deleted).
struct SettingsView: View {
    @ObservedObject var session: RuhuSession
    @EnvironmentObject var app: AppModel
    @State var confirmWipe = false
    @State var unsent = 0

    var body: some View {
        List {
            if let user = session.user {
                Section(header: Text("当前用户").font(.headline)) {
                    Text(user.displayName).font(.title3).touchTarget()
                    Text(user.orgUnitName).foregroundColor(Ui.muted)
                }
            }
            if let server = app.serverUrl {
                Section(header: Text("服务器").font(.headline)) {
                    Text(server).touchTarget()
                }
            }
            Section {
                Button("退出登录") { Task { await app.logout() } }
                    .buttonStyle(LargeButtonStyle(prominent: false))
                Button("清除本机数据") { confirmWipe = true }
                    .buttonStyle(LargeButtonStyle(destructive: true))
            } footer: {
                Text("退出登录后本机保存的调查仍在；清除本机数据会删除所有调查、照片和签名，且无法恢复。")
            }
        }
        .navigationTitle("设置")
        .onAppear { unsent = (try? session.device.outbox().filter { ["pending", "awaiting_media"].contains($0.state) }.count) ?? 0 }
        .confirmationDialog("清除本机数据？", isPresented: $confirmWipe, titleVisibility: .visible) {
            Button("清除", role: .destructive) { app.wipe() }
            Button("取消", role: .cancel) {}
        } message: {
            Text(unsent > 0 ? "还有 \(unsent) 份调查没有上传，清除后将丢失。" : "本机的调查、照片和签名将全部删除。")
        }
    }
}
