import Testing
@testable import WeftRec

@Test func WeftRecModuleLoads() {
    #expect(Bool(true))
}
