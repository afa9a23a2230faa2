/* add: wasi-command action (ABI 1). Reads {"param1": a, "param2": b} from
 * stdin and prints {"result":a+b}. */
#include <stdlib.h>
#include <unistd.h>

#include "params.h"

static const char missing[] = "{\"error\":\"param1 and param2 are required\"}\n";

int main(void) {
    size_t cap = 4096, len = 0;
    char *in = malloc(cap);
    for (;;) {
        if (len == cap) {
            cap *= 2;
            in = realloc(in, cap);
        }
        if (in == NULL)
            return 1;
        ssize_t n = read(0, in + len, cap - len);
        if (n < 0)
            return 1;
        if (n == 0)
            break;
        len += (size_t)n;
    }
    char out[64];
    size_t n = add_result(in, len, out, "{\"result\":", "}\n");
    if (n == 0)
        write(1, missing, sizeof missing - 1);
    else
        write(1, out, n);
    return 0;
}
