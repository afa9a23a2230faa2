/* add_reactor: reactor action (ABI 4). wow_handle receives the action-loop
 * envelope {"value": {"param1": a, "param2": b}, ...} and returns
 * {"result":a+b} as ptr<<32 | len. Build with -mexec-model=reactor. */
#include <stdint.h>
#include <stdlib.h>

#include "params.h"

static char *request;
static char result[64];

__attribute__((export_name("wow_alloc")))
char *wow_alloc(int size) {
    free(request); /* the previous request is dead once wow_handle returned */
    request = malloc(size > 0 ? (size_t)size : 1);
    return request;
}

__attribute__((export_name("wow_handle")))
int64_t wow_handle(char *ptr, int len) {
    static const char missing[] = "{\"error\":\"param1 and param2 are required\"}";
    size_t n = add_result(ptr, len > 0 ? (size_t)len : 0, result, "{\"result\":", "}");
    if (n == 0) {
        memcpy(result, missing, sizeof missing - 1);
        n = sizeof missing - 1;
    }
    return (int64_t)(uintptr_t)result << 32 | (int64_t)n;
}
