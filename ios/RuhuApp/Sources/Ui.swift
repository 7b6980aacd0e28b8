import SwiftUI

/// Sizes and colours of every screen: large text and touch targets for a cheap phone in sunlight, black on white.
enum Ui {
    /// Every button, choice and box is at least this tall (Apple asks for 44 pt; gloves and sunlight ask for more).
    static let touchTarget: CGFloat = 56
    static let spacing: CGFloat = 12
    static let ink = Color.primary
    static let muted = Color.secondary
    static let error = Color(red: 0.75, green: 0.0, blue: 0.0)
    /// Amber dark enough to read on white in sunlight: a deadline that is due soon.
    static let warning = Color(red: 0.6, green: 0.36, blue: 0.0)
    static let accent = Color(red: 0.0, green: 0.36, blue: 0.65)
}

/// A full-width button at least `Ui.touchTarget` high.
struct LargeButtonStyle: ButtonStyle {
    var prominent = true
    var destructive = false

    func makeBody(configuration: Configuration) -> some View {
        let background = destructive ? Ui.error : (prominent ? Ui.accent : Color(.systemGray5))
        configuration.label
            .font(.title3.weight(.semibold))
            .frame(maxWidth: .infinity, minHeight: Ui.touchTarget)
            .padding(.horizontal, 16)
            .foregroundColor(prominent || destructive ? .white : Ui.ink)
            .background(background.opacity(configuration.isPressed ? 0.7 : 1))
            .clipShape(RoundedRectangle(cornerRadius: 10))
    }
}

extension View {
    /// At least `Ui.touchTarget` high, with the whole area tappable.
    func touchTarget() -> some View {
        frame(minHeight: Ui.touchTarget).contentShape(Rectangle())
    }

    /// The engine's or the screen's problems in red under a field.
    func problems(_ messages: [String]) -> some View {
        VStack(alignment: .leading, spacing: 4) {
            self
            ForEach(messages, id: \.self) { message in
                Text(message).font(.body).foregroundColor(Ui.error)
            }
        }
    }
}

/// A labelled text box with the large touch target.
struct LabelledField: View {
    let label: String
    let placeholder: String
    @Binding var text: String
    var secure = false
    var keyboard: UIKeyboardType = .default

    var body: some View {
        VStack(alignment: .leading, spacing: 6) {
            Text(label).font(.headline)
            Group {
                if secure {
                    SecureField(placeholder, text: $text)
                } else {
                    TextField(placeholder, text: $text)
                        .keyboardType(keyboard)
                }
            }
            .font(.title3)
            .textInputAutocapitalization(.never)
            .disableAutocorrection(true)
            .padding(.horizontal, 12)
            .touchTarget()
            .overlay(RoundedRectangle(cornerRadius: 8).stroke(Color(.systemGray3)))
        }
    }
}
