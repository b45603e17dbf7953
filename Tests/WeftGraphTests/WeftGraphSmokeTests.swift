import Testing
@testable import WeftGraph

@Test func WeftGraphModuleLoads() {
    #expect(Bool(true))
}
