/* add_membuf: memory-buffer action (ABI 2), the seed runtime's ABI. The host
 * allocates the buffer, copies {"param1": a, "param2": b} into it and runs
 * _start with the length as the last argv entry; the action replaces the
 * buffer with {"Ok":{"result":a+b}} or {"Err":"missing param"}. */
#include <stdlib.h>
#include <string.h>

#include "params.h"

static char *buffer;
static int buffer_len;

__attribute__((export_name("wasm_memory_buffer_allocate_space")))
void wasm_memory_buffer_allocate_space(int n) {
    free(buffer);
    buffer = malloc(n > 0 ? (size_t)n : 1);
    buffer_len = buffer ? n : 0;
}

__attribute__((export_name("get_wasm_memory_buffer_pointer")))
char *get_wasm_memory_buffer_pointer(void) { return buffer; }

__attribute__((export_name("get_wasm_memory_buffer_len")))
int get_wasm_memory_buffer_len(void) { return buffer_len; }

static void set_result(const char *s, size_t n) {
    char *b = malloc(n);
    if (b == NULL)
        return;
    memcpy(b, s, n);
    free(buffer);
    buffer = b;
    buffer_len = (int)n;
}

int main(int argc, char **argv) {
    int len = argc > 1 ? atoi(argv[argc - 1]) : buffer_len;
    if (len < 0 || len > buffer_len)
        len = buffer_len;
    char out[64];
    size_t n = add_result(buffer, (size_t)len, out, "{\"Ok\":{\"result\":", "}}");
    if (n == 0) {
        static const char missing[] = "{\"Err\":\"missing param\"}";
        set_result(missing, sizeof missing - 1);
    } else {
        set_result(out, n);
    }
    return 0; /* return normally: the host reads the buffer afterwards */
}
