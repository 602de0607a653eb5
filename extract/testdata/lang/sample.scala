package demo

/** Math helpers. */
object MathUtil {
  /** Adds two numbers. */
  def add(a: Int, b: Int): Int = a + b

  def sign(x: Int): Int = {
    if (x > 0) 1 else if (x < 0) -1 else 0
  }
}

class Account(owner: String) {
  def this() = this("nobody")

  def greet(): String = {
    owner match {
      case "" => "hi"
      case o => s"hi $o"
    }
  }
}

trait Shape {
  def area(): Double
  def name(): String = "shape"
}
