/// Elementwise and broadcasting kernels over raw buffers (outputs first, as in
/// llm.c). `n` is an element count; `rows × cols` a row-major matrix.
public enum Kernels {}

extension Kernels {
    /// out = a + b
    public static func add(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>,
                           _ b: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        while i + 8 <= n { store8(load8(a + i) + load8(b + i), out + i); i += 8 }
        while i < n { out[i] = a[i] + b[i]; i += 1 }
    }

    /// out = a - b
    public static func sub(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>,
                           _ b: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        while i + 8 <= n { store8(load8(a + i) - load8(b + i), out + i); i += 8 }
        while i < n { out[i] = a[i] - b[i]; i += 1 }
    }

    /// out = a * b
    public static func mul(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>,
                           _ b: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        while i + 8 <= n { store8(load8(a + i) * load8(b + i), out + i); i += 8 }
        while i < n { out[i] = a[i] * b[i]; i += 1 }
    }

    /// y += alpha * x
    public static func axpy(_ y: UnsafeMutablePointer<Float>, _ alpha: Float,
                            _ x: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        let va = F8(repeating: alpha)
        while i + 8 <= n { store8(load8(y + i) + va * load8(x + i), y + i); i += 8 }
        while i < n { y[i] += alpha * x[i]; i += 1 }
    }

    /// y += a * b (elementwise)
    public static func addProduct(_ y: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>,
                                  _ b: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        while i + 8 <= n { store8(load8(y + i) + load8(a + i) * load8(b + i), y + i); i += 8 }
        while i < n { y[i] += a[i] * b[i]; i += 1 }
    }

    /// out = alpha * x
    public static func scale(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                             _ alpha: Float, _ n: Int) {
        var i = 0
        let va = F8(repeating: alpha)
        while i + 8 <= n { store8(va * load8(x + i), out + i); i += 8 }
        while i < n { out[i] = alpha * x[i]; i += 1 }
    }

    /// x[r, c] += bias[c] for every row: the broadcasting bias add.
    public static func addBias(_ x: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>,
                               rows: Int, cols: Int) {
        parallelFor(rows, minimumPerChunk: Swift.max(1, 16_384 / Swift.max(cols, 1))) { range in
            for r in range { add(x + r * cols, x + r * cols, bias, cols) }
        }
    }

    /// dbias[c] += Σ_r dy[r, c]: the bias add's backward.
    public static func accumulateColumnSums(_ dbias: UnsafeMutablePointer<Float>,
                                            _ dy: UnsafePointer<Float>, rows: Int, cols: Int) {
        for r in 0..<rows { add(dbias, dbias, dy + r * cols, cols) }
    }

    /// Σ x in Double, so long reductions keep Float32 precision.
    public static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
        var acc = SIMD8<Double>(repeating: 0)
        var i = 0
        while i + 8 <= n {
            let v = load8(x + i)
            acc += SIMD8<Double>(v)
            i += 8
        }
        var s = acc.sum()
        while i < n { s += Double(x[i]); i += 1 }
        return s
    }

    /// Σ a·b in Double.
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = F8(repeating: 0)
        var i = 0
        while i + 8 <= n { acc += load8(a + i) * load8(b + i); i += 8 }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// max over x (−∞ for n = 0).
    public static func max(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = -Float.infinity
        var i = 0
        if n >= 8 {
            var vm = F8(repeating: -.infinity)
            while i + 8 <= n { let v = load8(x + i); vm = vm.replacing(with: v, where: v .> vm); i += 8 }
            m = vm.max()
        }
        while i < n { m = Swift.max(m, x[i]); i += 1 }
        return m
    }

    /// out = max(x, 0)
    public static func relu(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        let z = F8(repeating: 0)
        while i + 8 <= n { let v = load8(x + i); store8(v.replacing(with: z, where: v .< z), out + i); i += 8 }
        while i < n { out[i] = Swift.max(x[i], 0); i += 1 }
    }

    /// dx += dy where x > 0
    public static func reluBackward(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>,
                                    _ x: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        let z = F8(repeating: 0)
        while i + 8 <= n {
            let g = load8(dy + i).replacing(with: 0, where: load8(x + i) .<= z)
            store8(load8(dx + i) + g, dx + i)
            i += 8
        }
        while i < n { if x[i] > 0 { dx[i] += dy[i] }; i += 1 }
    }
}
