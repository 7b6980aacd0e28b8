import RuhuKit
import SwiftUI

/// GPS: the fix with its accuracy, recorded with the visit (the core keeps the best one) and answered as the
/// question's point; the distance to the household's known location as the core computes it.
struct GeopointField: View {
    let field: FieldRow
    @ObservedObject var controller: FormDraftController
    @ObservedObject var session: RuhuSession
    @EnvironmentObject var location: LocationService
    @State var accuracy: Double?
    @State var distance: Double?
    @State var problem: String?

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            Text(field.display ?? "尚未定位").font(.title3)
            if let accuracy {
                Text("精度约 \(Int(accuracy.rounded())) 米").foregroundColor(accuracy > 50 ? Ui.error : Ui.muted)
            }
            if let distance {
                Text("距离该户登记位置 \(distanceText(distance))").foregroundColor(Ui.muted)
            }
            if location.denied {
                Text("未允许定位：请在“设置”中允许入户调查使用位置").foregroundColor(Ui.error)
            }
            if let problem {
                Text(problem).foregroundColor(Ui.error)
            }
            Button("获取当前位置", action: locate).buttonStyle(LargeButtonStyle(prominent: false))
        }
        .onAppear { location.start() }
    }

    private func locate() {
        guard let fix = location.fix() else {
            problem = "正在定位，请到室外或窗边稍候再试"
            return
        }
        do {
            try session.device.recordFix(draftId: controller.draftId, fix: fix)
            accuracy = fix.accuracyM
            distance = try session.device.distanceToHousehold(draftId: controller.draftId)
            problem = nil
            controller.edit(field.path, .point(lat: fix.lat, lon: fix.lon))
        } catch {
            problem = userMessage(error)
        }
    }
}
