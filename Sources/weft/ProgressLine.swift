import Foundation

/// A self-overwriting progress line on standard error, shown only when
/// standard error is a terminal and the run lasts more than a second.
final class ProgressLine {
    private let start = Date()
    private var lastShown = Date.distantPast
    private var shown = false
    private let isTerminal = isatty(STDERR_FILENO) != 0

    func update(texts: Int) {
        guard isTerminal else { return }
        let now = Date()
        guard now.timeIntervalSince(start) > 1, now.timeIntervalSince(lastShown) > 0.5 else { return }
        lastShown = now
        shown = true
        let rate = Double(texts) / now.timeIntervalSince(start)
        FileHandle.standardError.write(Data("\rweft embed: \(texts) texts (\(Int(rate)) texts/s)   ".utf8))
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    var elapsedDescription: String {
        String(format: "%.2f s", Date().timeIntervalSince(start))
    }
}
