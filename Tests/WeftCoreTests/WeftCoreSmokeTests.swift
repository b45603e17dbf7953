import Testing
@testable import WeftCore

@Test func WeftCoreModuleLoads() {
    #expect(Bool(true))
}
