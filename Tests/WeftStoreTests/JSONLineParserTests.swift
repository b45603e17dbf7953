import Testing
@testable import WeftStore

@Suite struct JSONLineParserTests {
    @Test func parsesEveryKindOfValueAndKeepsKeyOrder() throws {
        let value = try JSONLineParser.parse(
            #" {"b": [1, -2.5, 1e3, true, false, null], "a": {"x": "y"}, "t": 1514764800, "big": 12345678901234567890} "#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.keys == ["b", "a", "t", "big"])
        #expect(object["b"] == .array([.integer(1), .number(-2.5), .number(1000), .bool(true), .bool(false), .null]))
        #expect(object["t"] == .integer(1_514_764_800))
        #expect(object["big"] == .number(Double("12345678901234567890")!))
        #expect(object["a"] == .object(JSONObject(["x": .string("y")])))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONLineParser.parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/d\n\té😀"))
    }

    @Test func serialisationRoundTrips() throws {
        let text = #"{"s":"quote \" backslash \\ newline \n tab \t bell \u0007 é","n":[1,2.5,-0.001,1e+20],"o":{}}"#
        let value = try JSONLineParser.parse(text)
        #expect(try JSONLineParser.parse(value.serialized) == value)
        #expect(JSONValue.number(25).serialized == "25.0")
    }

    @Test(arguments: [
        (#"{"a": 1"#, "unterminated object"),
        (#"{"a" 1}"#, "expected ':'"),
        (#"{"a": 1,}"#, "expected a quoted key"),
        (#"[1, 2"#, "unterminated array"),
        (#"{"a": 01}"#, "leading zero"),
        (#"{"a": tru}"#, "expected a value"),
        (#""abc"#, "unterminated string"),
        (#""\x""#, "invalid escape"),
        (#""\ud800""#, "unpaired surrogate"),
        (#"{"a": 1, "a": 2}"#, "duplicate key"),
        (#"{} {}"#, "after the value"),
        ("\"tab\there\"", "control character"),
        ("", "found end of line"),
        (#"{"x": 1e999}"#, "out of range"),
    ])
    func refusesMalformedInputWithAReason(text: String, reason: String) {
        #expect {
            _ = try JSONLineParser.parse(text)
        } throws: { error in
            (error as? JSONSyntaxError)?.reason.contains(reason) == true
        }
    }

    @Test func reportsTheOffsetOfTheProblem() {
        #expect(throws: JSONSyntaxError(offset: 9, reason: "expected a value, found 'x'")) {
            _ = try JSONLineParser.parse(#"{"key": [x]}"#)
        }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: JSONSyntaxError.self) { _ = try JSONLineParser.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { _ = try JSONLineParser.parse(fine) }
    }
}
