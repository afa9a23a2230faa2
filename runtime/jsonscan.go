package runtime

import "strings"

// hasTopLevelKey reports whether the JSON object v has a key equal to key
// under encoding/json's case-insensitive matching. ok is false when v is
// not a plain object this scanner reads (escaped keys, malformed input):
// the caller then asks encoding/json.
func hasTopLevelKey(v []byte, key string) (found, ok bool) {
	i := skipSpace(v, 0)
	if i >= len(v) || v[i] != '{' {
		return false, false
	}
	i = skipSpace(v, i+1)
	if i < len(v) && v[i] == '}' {
		return false, true
	}
	for i < len(v) {
		if v[i] != '"' {
			return false, false
		}
		j := i + 1
		for j < len(v) && v[j] != '"' {
			if v[j] == '\\' {
				return false, false
			}
			j++
		}
		if j >= len(v) {
			return false, false
		}
		if strings.EqualFold(string(v[i+1:j]), key) {
			return true, true
		}
		i = skipSpace(v, j+1)
		if i >= len(v) || v[i] != ':' {
			return false, false
		}
		if i = skipJSONValue(v, skipSpace(v, i+1)); i < 0 {
			return false, false
		}
		i = skipSpace(v, i)
		if i >= len(v) {
			return false, false
		}
		switch v[i] {
		case ',':
			i = skipSpace(v, i+1)
		case '}':
			return false, true
		default:
			return false, false
		}
	}
	return false, false
}

func skipSpace(v []byte, i int) int {
	for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r') {
		i++
	}
	return i
}

// skipJSONValue returns the index after the value at v[i], or -1. It
// follows structure only (strings, nesting); v was validated before.
func skipJSONValue(v []byte, i int) int {
	depth := 0
	for i < len(v) {
		switch v[i] {
		case '"':
			i++
			for i < len(v) && v[i] != '"' {
				if v[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(v) {
				return -1
			}
			i++
		case '{', '[':
			depth++
			i++
		case '}', ']':
			if depth == 0 {
				return i // the end of the enclosing object
			}
			depth--
			i++
		case ',':
			if depth == 0 {
				return i
			}
			i++
		default:
			i++
		}
		if depth == 0 && i < len(v) && (v[i] == ',' || v[i] == '}' || v[i] == ']' || v[i] == ' ' || v[i] == '\n' || v[i] == '\t' || v[i] == '\r') {
			return i
		}
	}
	if depth == 0 {
		return i
	}
	return -1
}
