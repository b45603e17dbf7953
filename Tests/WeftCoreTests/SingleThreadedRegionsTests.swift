import Dispatch
import Foundation
import Testing
@testable import WeftCore

/// `BLAS.withSingleThread` regions share one process-wide
/// setting; overlapping regions must leave it as they found it.
struct SingleThreadedRegionsTests {
    final class Setting: @unchecked Sendable {
        let lock = NSLock()
        var value = 2
        var changes = 0
        func get() -> Int { lock.lock(); defer { lock.unlock() }; return value }
        func set(_ n: Int) { lock.lock(); defer { lock.unlock() }; value = n; changes += 1 }
    }

    /// Interleaved regions, as in the old save-and-restore per region: A
    /// enters (2 → 1), B enters and would save 1, A leaves, B leaves. With
    /// counting the setting is 1 while any region is open and 2 afterwards.
    @Test func interleavedRegionsRestoreTheSettingOnce() {
        let setting = Setting()
        let regions = SingleThreadedRegions(get: { setting.get() }, set: { setting.set($0) })
        regions.enter()                 // A
        #expect(setting.value == 1)
        regions.enter()                 // B, while A is open
        regions.leave()                 // A leaves first
        #expect(setting.value == 1, "B is still open")
        regions.leave()                 // B
        #expect(setting.value == 2)
        #expect(setting.changes == 2)
    }

    @Test func concurrentRegionsSeeOneThreadAndLeaveTheSettingAsFound() {
        let setting = Setting()
        let regions = SingleThreadedRegions(get: { setting.get() }, set: { setting.set($0) })
        let violations = Setting()
        violations.value = 0
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<500 {
                regions.run {
                    if setting.get() != 1 { violations.set(violations.get() + 1) }
                }
            }
        }
        #expect(violations.value == 0)
        #expect(setting.value == 2)
    }
}
