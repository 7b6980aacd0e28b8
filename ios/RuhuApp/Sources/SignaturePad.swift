import RuhuKit
import SwiftUI
import UIKit

/// A signature question: who signs (调查人员一, 调查人员二, 申请人或在场家庭成员), whether they have, and the pad.
struct SignatureField: View {
    let field: FieldRow
    @ObservedObject var controller: FormDraftController
    @ObservedObject var session: RuhuSession
    @State var showPad = false
    @State var problem: String?

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            Text("签字人：\(field.signer?.label ?? "")　\(field.signed ? "已签名" : "未签名")").font(.title3)
            if let problem {
                Text(problem).foregroundColor(Ui.error)
            }
            Button(field.signed ? "重新签字" : "签字") { showPad = true }
                .buttonStyle(LargeButtonStyle(prominent: false))
        }
        .sheet(isPresented: $showPad) {
            SignaturePad(title: field.signer?.label ?? field.label, defaultName: defaultName) { name, png in
                showPad = false
                save(name: name, png: png)
            } cancel: {
                showPad = false
            }
        }
    }

    /// Investigator one is the logged-in user; the others type their name.
    private var defaultName: String {
        field.signer == .investigator1 ? (session.user?.displayName ?? "") : ""
    }

    private func save(name: String, png: Data) {
        guard let signer = field.signer.map(Self.signer) else {
            problem = "此签字项没有指定签字人"
            return
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            try png.write(to: file, options: .completeFileProtection)
            let userId = field.signer == .investigator1 ? session.user?.id : nil
            _ = try session.device.addSignature(draftId: controller.draftId, signer: signer, signerName: name, signerUserId: userId, pngPath: file.path)
            problem = nil
            controller.reload()
        } catch {
            problem = userMessage(error)
        }
    }

    private static func signer(_ role: SignerRole) -> Signer {
        switch role {
        case .investigator1: return .investigator1
        case .investigator2: return .investigator2
        case .familyMember: return .familyMember
        }
    }
}

/// Draw with a finger: strokes on a white Canvas, exported as a PNG (black on white, twice the screen size).
struct SignaturePad: View {
    let title: String
    let defaultName: String
    let done: (String, Data) -> Void
    let cancel: () -> Void
    @State var name = ""
    @State var strokes: [[CGPoint]] = []
    @State var drawing = false
    @State var size = CGSize(width: 320, height: 200)
    @State var problem: String?

    var body: some View {
        NavigationView {
            VStack(alignment: .leading, spacing: Ui.spacing) {
                LabelledField(label: "签字人姓名", placeholder: "请填写姓名", text: $name)
                Text("请在下方白色区域内签名").font(.headline)
                GeometryReader { geometry in
                    Canvas { context, _ in
                        for stroke in strokes {
                            context.stroke(Self.path(stroke), with: .color(.black), style: StrokeStyle(lineWidth: 3, lineCap: .round, lineJoin: .round))
                        }
                    }
                    .background(Color.white)
                    .overlay(RoundedRectangle(cornerRadius: 8).stroke(Color(.systemGray3)))
                    .gesture(
                        DragGesture(minimumDistance: 0)
                            .onChanged { drag in
                                if drawing, !strokes.isEmpty {
                                    strokes[strokes.count - 1].append(drag.location)
                                } else {
                                    strokes.append([drag.location])
                                    drawing = true
                                }
                            }
                            .onEnded { _ in drawing = false }
                    )
                    .onAppear { size = geometry.size }
                }
                .frame(minHeight: 240)
                if let problem {
                    Text(problem).foregroundColor(Ui.error)
                }
                HStack(spacing: Ui.spacing) {
                    Button("清除") { strokes = [] }.buttonStyle(LargeButtonStyle(prominent: false))
                    Button("确认签字", action: confirm).buttonStyle(LargeButtonStyle())
                }
            }
            .padding(16)
            .navigationTitle(title)
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button("取消", action: cancel) }
            }
            .onAppear { name = defaultName }
        }
    }

    private func confirm() {
        let signerName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !signerName.isEmpty else {
            problem = "请填写签字人姓名"
            return
        }
        guard strokes.contains(where: { $0.count > 1 }) else {
            problem = "请先签名"
            return
        }
        let format = UIGraphicsImageRendererFormat()
        format.scale = 2
        format.opaque = true
        let image = UIGraphicsImageRenderer(size: size, format: format).image { context in
            UIColor.white.setFill()
            context.fill(CGRect(origin: .zero, size: size))
            UIColor.black.setStroke()
            for stroke in strokes {
                let path = UIBezierPath(cgPath: Self.path(stroke).cgPath)
                path.lineWidth = 3
                path.lineCapStyle = .round
                path.lineJoinStyle = .round
                path.stroke()
            }
        }
        guard let png = image.pngData() else {
            problem = "签名无法保存，请重试"
            return
        }
        done(signerName, png)
    }

    private static func path(_ points: [CGPoint]) -> Path {
        var path = Path()
        guard let first = points.first else { return path }
        path.move(to: first)
        for point in points.dropFirst() {
            path.addLine(to: point)
        }
        return path
    }
}
