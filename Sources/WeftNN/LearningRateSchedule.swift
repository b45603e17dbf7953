import Foundation

/// Learning rate as a function of the optimisation step (0-based), as
/// Hugging Face's `get_linear_schedule_with_warmup` and
/// `get_cosine_schedule_with_warmup`:
///   warm-up:  lr = peak · step / warmup              for step < warmup
///   linear:   lr = peak · max(0, (total − step) / (total − warmup))
///   cosine:   lr = peak · max(0, ½(1 + cos(π · progress))), progress = (step − warmup)/(total − warmup)
public struct LearningRateSchedule: Sendable, Equatable, Codable {
    public enum Decay: String, Sendable, Codable { case constant, linear, cosine }

    public let peak: Float
    public let warmupSteps: Int
    public let totalSteps: Int
    public let decay: Decay

    public init(peak: Float, warmupSteps: Int, totalSteps: Int, decay: Decay) {
        precondition(warmupSteps >= 0 && totalSteps >= warmupSteps, "schedule: warm-up \(warmupSteps) of \(totalSteps) steps")
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.decay = decay
    }

    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step) / Float(max(1, warmupSteps)) }
        let span = Float(max(1, totalSteps - warmupSteps))
        let progress = Float(step - warmupSteps) / span
        switch decay {
        case .constant: return peak
        case .linear: return peak * max(0, 1 - progress)
        case .cosine: return peak * max(0, 0.5 * (1 + Float(Foundation.cos(Double.pi * Double(progress)))))
        }
    }
}
