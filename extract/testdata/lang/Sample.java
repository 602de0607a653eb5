package com.example;

/**
 * A sample class.
 */
public class Sample {
    private final int n;

    /**
     * Creates a sample.
     * @param n the number
     */
    public Sample(int n) {
        this.n = n;
    }

    /** Returns n doubled. */
    @Override
    public int twice() {
        return n > 0 ? n * 2 : 0;
    }

    public abstract void later();

    interface Visitor {
        void visit(Sample s);

        default void done() {
            System.out.println("done");
        }
    }

    enum Color {
        RED;

        Color next() {
            return RED;
        }
    }
}

class Handlers {
    Runnable make() {
        return new Runnable() {
            @Override
            public void run() {
                System.out.println("ran");
            }
        };
    }
}
