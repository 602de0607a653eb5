import Foundation

/// Adds two numbers.
func add(_ a: Int, _ b: Int) -> Int {
    return a + b
}

class Counter {
    var n: Int

    /// Makes a counter.
    init(start: Int) {
        n = start
    }

    func increment() {
        guard n < 100 else {
            return
        }
        n += 1
    }
}

extension Counter {
    /** Resets the counter. */
    func reset() {
        n = 0
    }
}

struct Point {
    func norm() -> Double {
        return 1.0
    }
}

protocol Shape {
    func area() -> Double
}
