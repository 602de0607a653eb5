package demo

/**
 * Adds two numbers.
 */
fun add(a: Int, b: Int): Int = a + b

class Account(val owner: String) {
    constructor(owner: String, balance: Int) : this(owner) {
        println(balance)
    }

    /** Deposits money. */
    fun deposit(amount: Int) {
        if (amount <= 0 && owner.isEmpty()) {
            return
        }
        println(amount)
    }

    companion object {
        fun create(): Account {
            return Account("x")
        }
    }
}

object Registry {
    fun lookup(name: String): String? {
        return when (name) {
            "a" -> "A"
            else -> null
        }
    }
}

interface Named {
    fun name(): String
}
