import Testing
@testable import WeftStore

@Test func WeftStoreModuleLoads() {
    #expect(Bool(true))
}
