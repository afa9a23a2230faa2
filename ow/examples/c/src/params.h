/* A tiny, deliberately naive JSON helper shared by the add actions: it finds
 * "key" followed by ':' and parses an integer value. No JSON library. */
#ifndef WOW_PARAMS_H
#define WOW_PARAMS_H

#include <stddef.h>
#include <string.h>

/* find_int looks for "key": <integer> in json[0..len) and stores the value
 * in *out. Returns 1 on success, 0 if the key is missing or not an integer. */
static int find_int(const char *json, size_t len, const char *key, long long *out) {
    size_t klen = strlen(key);
    for (size_t i = 0; i + klen + 2 <= len; i++) {
        if (json[i] != '"' || memcmp(json + i + 1, key, klen) != 0 || json[i + 1 + klen] != '"')
            continue;
        size_t j = i + klen + 2;
        while (j < len && (json[j] == ' ' || json[j] == '\t' || json[j] == '\n' || json[j] == '\r'))
            j++;
        if (j >= len || json[j] != ':')
            continue; /* a string value that happens to equal the key */
        j++;
        while (j < len && (json[j] == ' ' || json[j] == '\t' || json[j] == '\n' || json[j] == '\r'))
            j++;
        int neg = 0;
        if (j < len && json[j] == '-') {
            neg = 1;
            j++;
        }
        if (j >= len || json[j] < '0' || json[j] > '9')
            return 0;
        long long v = 0;
        while (j < len && json[j] >= '0' && json[j] <= '9')
            v = v * 10 + (json[j++] - '0');
        if (j < len && (json[j] == '.' || json[j] == 'e' || json[j] == 'E'))
            return 0; /* not an integer */
        *out = neg ? -v : v;
        return 1;
    }
    return 0;
}

/* format_int writes v in decimal at dst and returns the number of bytes. */
static size_t format_int(char *dst, long long v) {
    char tmp[24];
    size_t n = 0, k = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        dst[k++] = '-';
    while (n)
        dst[k++] = tmp[--n];
    return k;
}

/* add_result writes prefix, param1+param2 and suffix at dst, or fails with 0
 * when a param is missing. Returns the number of bytes written. dst needs
 * strlen(prefix) + strlen(suffix) + 21 bytes. */
static size_t add_result(const char *json, size_t len, char *dst, const char *prefix, const char *suffix) {
    long long a, b;
    if (!find_int(json, len, "param1", &a) || !find_int(json, len, "param2", &b))
        return 0;
    size_t n = strlen(prefix);
    memcpy(dst, prefix, n);
    n += format_int(dst + n, a + b);
    memcpy(dst + n, suffix, strlen(suffix));
    return n + strlen(suffix);
}

#endif
