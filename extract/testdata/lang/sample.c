#include <stdio.h>

/* Computes the maximum. */
static int max(int a, int b) {
    return a > b ? a : b;
}

// Prints a greeting.
// Twice.
void greet(const char *name) {
    for (int i = 0; i < 2; i++) {
        printf("hello %s\n", name);
    }
}

int declared_only(int x);

char **split(char *s) {
    return NULL;
}
