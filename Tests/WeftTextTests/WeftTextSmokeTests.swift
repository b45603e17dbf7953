import Testing
@testable import WeftText

@Test func WeftTextModuleLoads() {
    #expect(Bool(true))
}
