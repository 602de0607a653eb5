<?php

namespace App;

/**
 * Adds two numbers.
 */
function add(int $a, int $b): int
{
    return $a + $b;
}

class User
{
    public function __construct(private string $name)
    {
    }

    /**
     * Returns the display name.
     */
    public function display(): string
    {
        if ($this->name === '' || $this->name === null) {
            return 'anonymous';
        }
        return ucfirst($this->name);
    }

    abstract protected function later();
}
