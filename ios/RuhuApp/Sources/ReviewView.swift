import RuhuKit
import SwiftUI

/// Before finalising: every open problem, the distance to the household, the eligibility pre-check of a 低保 /
/// 低保边缘 visit (advice, never the decision), then 完成并提交 — enabled only when the engine says the visit is
/// complete. Finalising freezes the visit into the outbox and starts a sync.
struct ReviewView: View {
    @ObservedObject var session: RuhuSession
    @ObservedObject var controller: FormDraftController
    let assignmentId: String
    @EnvironmentObject var app: AppModel
    @Environment(\.dismiss) var dismiss
    @State var advice: EligibilityAdvice?
    @State var distance: Double?
    @State var problem: String?
    @State var finalised = false

    var body: some View {
        List {
            Section(header: Text("待处理问题").font(.headline)) {
                if controller.model.problems.isEmpty {
                    Text("全部填写完成，可以提交").font(.title3).touchTarget()
                }
                ForEach(Array(controller.model.problems.enumerated()), id: \.offset) { _, message in
                    Text(message).foregroundColor(Ui.error).touchTarget()
                }
            }
            if let distance {
                Section(header: Text("定位").font(.headline)) {
                    Text("调查位置距该户登记位置 \(distanceText(distance))").touchTarget()
                }
            }
            if let advice {
                Section(header: Text("资格预判（仅供参考）").font(.headline)) {
                    Text(advice.outcomeLabel).font(.title3.bold())
                    if let fen = advice.perCapitaIncomeFen {
                        Text("家庭月人均收入：¥\(FormValues.yuan(fen, grouped: true))")
                    }
                    if let fen = advice.gapPaymentFen {
                        Text("每月补差：¥\(FormValues.yuan(fen, grouped: true))")
                    }
                    ForEach(advice.findings, id: \.code) { finding in
                        HStack(alignment: .top) {
                            Image(systemName: finding.met == true ? "checkmark.circle" : finding.met == false ? "xmark.circle" : "questionmark.circle")
                            Text(finding.explanation)
                        }
                    }
                    Text(advice.note).foregroundColor(Ui.muted)
                }
            }
            Section {
                if let problem {
                    Text(problem).foregroundColor(Ui.error)
                }
                if finalised {
                    Text("已提交，正在同步").font(.title3)
                } else {
                    Button("完成并提交", action: finalise)
                        .buttonStyle(LargeButtonStyle())
                        .disabled(!controller.model.complete)
                }
            }
        }
        .navigationTitle("检查并提交")
        .onAppear(perform: load)
    }

    private func load() {
        controller.reload()
        do {
            advice = try session.device.eligibility(draftId: controller.draftId)
            distance = try session.device.distanceToHousehold(draftId: controller.draftId)
        } catch {
            problem = userMessage(error)
        }
    }

    private func finalise() {
        do {
            _ = try session.device.finalise(draftId: controller.draftId)
            finalised = true
            Task {
                app.handle(await session.sync())
                dismiss()
            }
        } catch RuhuError.Validation(_, let message, let problems) {
            // The engine refused: show its reasons and the refreshed form.
            problem = ([message] + problems.map(\.message)).joined(separator: "\n")
            controller.reload()
        } catch {
            problem = userMessage(error)
        }
    }
}
