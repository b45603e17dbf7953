import Testing
@testable import WeftNN

@Test func WeftNNModuleLoads() {
    #expect(Bool(true))
}
