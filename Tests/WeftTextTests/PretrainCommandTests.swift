import Foundation
import Testing
@testable import WeftText
import WeftNN

/// `weft pretrain` and `weft mlm-eval` end to end, through the built executable.
struct PretrainCommandTests {
    let commands = EmbedCommandTests()

    func arguments(out: URL, steps: Int) -> [String] {
        ["pretrain", "--corpus", PretrainingFixture.samplePath, "--tokenizer", PretrainingFixture.tokenizerPath,
         "--preset", "tiny", "--out", out.path, "--steps", String(steps), "--batch-size", "2", "--max-length", "16",
         "--checkpoint-every", "1", "--eval-every", "0", "--keep-checkpoints", "3", "--held-out-fraction", "0.05",
         "--seed", "5", "--lr", "0.002", "--warmup", "3"]
    }

    /// Every `step-*` folder must be a whole checkpoint, whenever the writer died.
    func expectCompleteCheckpoints(in directory: URL) throws -> [Int] {
        let checkpoints = TrainingCheckpoint.completed(in: directory)
        for (step, url) in checkpoints {
            let files = Set(try FileManager.default.contentsOfDirectory(atPath: url.path))
            #expect(files == ["config.json", "model.safetensors", "pooling.json", "spm.model", "optimizer.safetensors",
                              "trainer-state.json"], "checkpoint \(step) is incomplete: \(files.sorted())")
            _ = try EncoderCheckpoint.load(from: url)
            let state = try TrainingCheckpoint.loadState(PretrainingCheckpointState.self, from: url)
            #expect(state.progress.step == step)
            _ = try TrainingCheckpoint.optimizerMoments(from: url)
        }
        return checkpoints.map(\.step)
    }

    /// kill -9 twice while checkpoints are being written every step, then
    /// --resume: the run completes with the very model an uninterrupted run
    /// makes, and no checkpoint folder is ever half-written.
    @Test func killedRunResumesToTheUninterruptedModel() throws {
        let steps = 40
        let root = try TestSupport.temporaryDirectory()
        let straight = root.appendingPathComponent("straight"), killed = root.appendingPathComponent("killed")
        let reference = try commands.run(arguments(out: straight, steps: steps))
        #expect(reference.status == 0, "\(reference.errors)")

        var lastStep = 0
        for (round, delay) in [(0, 0.004), (1, 0.017)] {
            let process = Process()
            process.executableURL = EmbedCommandTests.executable
            process.arguments = arguments(out: killed, steps: steps) + (round > 0 ? ["--resume"] : [])
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let checkpoints = killed.appendingPathComponent("checkpoints")
            let deadline = Date().addingTimeInterval(120)
            while process.isRunning && Date() < deadline
                    && (TrainingCheckpoint.completed(in: checkpoints).last?.step ?? 0) < lastStep + 2 {
                Thread.sleep(forTimeInterval: 0.002)
            }
            Thread.sleep(forTimeInterval: delay)
            #expect(process.isRunning, "the run ended before it could be killed (round \(round))")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            let found = try expectCompleteCheckpoints(in: checkpoints)
            #expect((found.last ?? 0) > lastStep)
            lastStep = found.last ?? lastStep
        }
        #expect(lastStep < steps)

        let resumed = try commands.run(arguments(out: killed, steps: steps) + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(resumed.errors.contains("resumed from"))
        #expect(TrainingCheckpoint.unfinished(in: killed.appendingPathComponent("checkpoints")).isEmpty)
        _ = try expectCompleteCheckpoints(in: killed.appendingPathComponent("checkpoints"))
        let a = try Data(contentsOf: straight.appendingPathComponent("model/model.safetensors"))
        let b = try Data(contentsOf: killed.appendingPathComponent("model/model.safetensors"))
        #expect(a == b, "the resumed run's weights differ from the uninterrupted run's")

        // mlm-eval: deterministic for a seed, JSON on standard output.
        let model = straight.appendingPathComponent("model").path
        let evaluation = ["mlm-eval", "--model", model, "--input", PretrainingFixture.samplePath, "--max-sequences", "40"]
        let first = try commands.run(evaluation + ["--seed", "1"])
        let again = try commands.run(evaluation + ["--seed", "1"])
        let other = try commands.run(evaluation + ["--seed", "2"])
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.output == again.output)
        #expect(first.output != other.output)
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(first.output.utf8)) as? [String: Any])
        let accuracy = try #require(fields["masked_accuracy"] as? Double)
        let perplexity = try #require(fields["perplexity"] as? Double)
        #expect(accuracy >= 0 && accuracy <= 1)
        #expect(perplexity > 1 && perplexity < 512 * 4)
        #expect(fields["tokens"] as? Int == 40 * 16)
        #expect((fields["predictions"] as? Int ?? 0) > 40)
    }

    @Test func badInputIsOneClearSentence() throws {
        let root = try TestSupport.temporaryDirectory()
        let missing = try commands.run(["pretrain", "--corpus", root.appendingPathComponent("nope.txt").path,
                                        "--tokenizer", PretrainingFixture.tokenizerPath, "--preset", "tiny",
                                        "--out", root.appendingPathComponent("out").path])
        #expect(missing.status != 0)
        #expect(missing.errors.contains("nope.txt"))
        let tooLong = try commands.run(arguments(out: root.appendingPathComponent("out2"), steps: 2)
                                       + ["--max-length", "100"])
        #expect(tooLong.status != 0)
        #expect(tooLong.errors.contains("--max-length"))
        let headless = try TinyModelFixture.make()
        let noHead = try commands.run(["mlm-eval", "--model", headless.path, "--input", PretrainingFixture.samplePath])
        #expect(noHead.status != 0)
        #expect(noHead.errors.contains("masked-LM head"))
    }
}
