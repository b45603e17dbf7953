import Foundation

/// Progress of a training run on standard error: on a terminal, one line
/// rewritten in place (`\r`) at most twice a second; otherwise (a log file)
/// a plain line every `logEvery` steps.
final class TrainingProgressDisplay {
    private let command: String
    private let totalSteps: Int
    private let logEvery: Int
    private let isTerminal = isatty(STDERR_FILENO) != 0
    /// When the first reported step ended: rates and the ETA count from
    /// there, so time spent before this display's phase began (loading, an
    /// earlier phase) does not count as training time.
    private var start = Date()
    private var firstStep: Int?
    private var lastShown = Date.distantPast
    private var lineOpen = false
    private var window = (steps: 0, loss: 0.0, accuracy: 0.0, tokens: 0, since: Date())

    private let accuracyLabel: String
    private let unit: String

    init(command: String, totalSteps: Int, logEvery: Int, accuracyLabel: String = "masked acc", unit: String = "tokens") {
        self.command = command
        self.accuracyLabel = accuracyLabel
        self.unit = unit
        self.totalSteps = totalSteps
        self.logEvery = max(1, logEvery)
    }

    func step(_ step: Int, loss: Double, accuracy: Double, tokens: Int, learningRate: Float) {
        if firstStep == nil {
            firstStep = step
            start = Date()
            window = (0, 0, 0, 0, start)
            guard step == totalSteps else { return }
        }
        window.steps += 1
        window.loss += loss
        window.accuracy += accuracy
        window.tokens += tokens
        let now = Date()
        let due = isTerminal ? now.timeIntervalSince(lastShown) >= 0.5 || step == totalSteps
            : step % logEvery == 0 || step == totalSteps
        guard due else { return }
        let seconds = now.timeIntervalSince(window.since)
        let rate = seconds > 1e-3 ? String(format: "%.0f", Double(window.tokens) / seconds) : "?"
        let done = step - (firstStep ?? 0)
        let eta = done > 0 ? Self.duration(now.timeIntervalSince(start) / Double(done) * Double(totalSteps - step)) : "?"
        let text = String(format: "%@: step %d/%d  loss %.4f  %@ %.3f  lr %.2e  %@ %@/s  ETA %@",
                          command, step, totalSteps, window.loss / Double(window.steps), accuracyLabel,
                          window.accuracy / Double(window.steps), Double(learningRate), rate, unit, eta)
        if isTerminal {
            FileHandle.standardError.write(Data("\r\(text)\u{1B}[K".utf8))
            lineOpen = true
        } else {
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
        lastShown = now
        window = (0, 0, 0, 0, now)
    }

    /// A message on its own line (closing an open progress line first).
    func message(_ text: String) {
        if lineOpen { FileHandle.standardError.write(Data("\n".utf8)) }
        lineOpen = false
        FileHandle.standardError.write(Data("\(command): \(text)\n".utf8))
    }

    func finish() {
        if lineOpen { FileHandle.standardError.write(Data("\n".utf8)) }
        lineOpen = false
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s)s"
    }
}
