import RuhuKit
import SwiftUI
import UIKit

/// A photo slot: "已拍 1 张，至少需要 3 张" and the system camera. Each photo is written to a temporary JPEG,
/// imported by the core (downscaled, location kept as data, encrypted) and the temporary file deleted.
struct PhotoField: View {
    let field: FieldRow
    @ObservedObject var controller: FormDraftController
    @ObservedObject var session: RuhuSession
    @State var showCamera = false
    @State var problem: String?

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            Text(field.photoStatus)
                .font(.title3)
                .foregroundColor(field.photoCount < field.photoMinimum ? Ui.error : Ui.ink)
            if let problem {
                Text(problem).foregroundColor(Ui.error)
            }
            Button("拍照") { showCamera = true }.buttonStyle(LargeButtonStyle(prominent: false))
        }
        .fullScreenCover(isPresented: $showCamera) {
            CameraPicker { image in
                showCamera = false
                if let image { save(image) }
            }
            .ignoresSafeArea()
        }
    }

    private func save(_ image: UIImage) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString).jpg")
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            guard let jpeg = image.jpegData(compressionQuality: 0.9) else {
                problem = "照片无法保存，请重拍"
                return
            }
            try jpeg.write(to: file, options: .completeFileProtection)
            _ = try session.device.importPhoto(draftId: controller.draftId, questionId: field.question.id, path: file.path)
            problem = nil
            controller.reload()
        } catch {
            problem = userMessage(error)
        }
    }
}

/// The system camera (UIImagePickerController); the photo library where there is no camera (the simulator).
struct CameraPicker: UIViewControllerRepresentable {
    let done: (UIImage?) -> Void

    func makeUIViewController(context: Context) -> UIImagePickerController {
        let picker = UIImagePickerController()
        picker.sourceType = UIImagePickerController.isSourceTypeAvailable(.camera) ? .camera : .photoLibrary
        picker.delegate = context.coordinator
        return picker
    }

    func updateUIViewController(_ picker: UIImagePickerController, context: Context) {}

    func makeCoordinator() -> Coordinator {
        Coordinator(done: done)
    }

    final class Coordinator: NSObject, UIImagePickerControllerDelegate, UINavigationControllerDelegate {
        let done: (UIImage?) -> Void

        init(done: @escaping (UIImage?) -> Void) {
            self.done = done
        }

        func imagePickerController(_ picker: UIImagePickerController, didFinishPickingMediaWithInfo info: [UIImagePickerController.InfoKey: Any]) {
            done(info[.originalImage] as? UIImage)
        }

        func imagePickerControllerDidCancel(_ picker: UIImagePickerController) {
            done(nil)
        }
    }
}
