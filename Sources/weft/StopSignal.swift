import Dispatch
import Foundation

/// Turns SIGINT and SIGTERM into a request to stop at the next safe point
/// (a long run then writes a checkpoint and exits). A second signal exits at
/// once: the checkpoint files are written atomically, so nothing is left half-written.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "weft.stop-signal")

    init(signals: [Int32] = [SIGINT, SIGTERM]) {
        for number in signals {
            _ = signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.receive(number) }
            source.resume()
            sources.append(source)
        }
    }

    private func receive(_ number: Int32) {
        let first = lock.withLock {
            defer { if received == nil { received = number } }
            return received == nil
        }
        if first {
            let text = "\n\(Self.name(number)) received: stopping after this step (send it again to stop at once)\n"
            FileHandle.standardError.write(Data(text.utf8))
        } else {
            exit(128 + number)
        }
    }

    /// The first signal received, if any.
    var receivedSignal: Int32? { lock.withLock { received } }
    var isRequested: Bool { receivedSignal != nil }

    /// The shell's exit status for a run stopped by `signal`.
    var exitCode: Int32 { 128 + (receivedSignal ?? SIGINT) }

    static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(number)"
        }
    }
}
