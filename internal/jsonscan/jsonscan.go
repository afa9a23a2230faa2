// Package jsonscan is the hand-written JSON scanning wow's hot paths share:
// skipping values and walking the members of a flat object without
// reflection or allocation. It follows structure only; callers validate what
// they keep, or fall back to encoding/json when a scan reports false.
package jsonscan

import (
	"bytes"
	"encoding/binary"
)

// Object calls member with the key (its raw bytes) and the raw value of
// each member of the JSON object data, in order. It reports false when data
// is not an object it reads — a key with escapes or control characters,
// broken structure, bytes after the object — or when member returns false.
func Object(data []byte, member func(key, value []byte) bool) bool {
	i := SkipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	i = SkipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return SkipSpace(data, i+1) == len(data)
	}
	for {
		key, j, ok := PlainString(data, i)
		if !ok {
			return false
		}
		i = SkipSpace(data, j)
		if i >= len(data) || data[i] != ':' {
			return false
		}
		i = SkipSpace(data, i+1)
		end := SkipValue(data, i)
		if end < 0 || !member(key, data[i:end]) {
			return false
		}
		i = SkipSpace(data, end)
		if i >= len(data) {
			return false
		}
		switch data[i] {
		case ',':
			i = SkipSpace(data, i+1)
		case '}':
			return SkipSpace(data, i+1) == len(data)
		default:
			return false
		}
	}
}

// PlainString parses a JSON string at data[i] that has no escapes or control
// characters, returning its contents and the index after its closing quote.
// It runs at memory speed (bytes.IndexByte and a word-at-a-time check): an
// /init body carries megabytes of base64 in one string.
func PlainString(data []byte, i int) ([]byte, int, bool) {
	if i >= len(data) || data[i] != '"' {
		return nil, 0, false
	}
	q := bytes.IndexByte(data[i+1:], '"')
	if q < 0 {
		return nil, 0, false
	}
	s := data[i+1 : i+1+q]
	if bytes.IndexByte(s, '\\') >= 0 || hasControl(s) {
		return nil, 0, false
	}
	return s, i + 2 + q, true
}

// hasControl reports whether b holds a byte below 0x20, eight at a time:
// (w - 0x20…) &^ w & 0x80… is non-zero exactly when some byte of w is
// below 0x20 (a borrow only starts at such a byte).
func hasControl(b []byte) bool {
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		if (w-0x2020202020202020)&^w&0x8080808080808080 != 0 {
			return true
		}
		b = b[8:]
	}
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// SkipValue returns the index after the JSON value starting at data[i], or
// -1. It checks only the structure; callers validate what they keep.
func SkipValue(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				j = skipString(data, j)
				if j < 0 {
					return -1
				}
				j--
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(data) {
		switch data[j] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return j
		}
		j++
	}
	return j
}

// skipString returns the index after the string starting at data[i], or -1.
// A quote ends the string unless an odd number of backslashes precede it
// (each escape is a backslash and one more character, never a quote of its
// own but \").
func skipString(data []byte, i int) int {
	j := i + 1
	for {
		q := bytes.IndexByte(data[j:], '"')
		if q < 0 {
			return -1
		}
		end := j + q
		k := end
		for k > j && data[k-1] == '\\' {
			k--
		}
		if (end-k)%2 == 0 {
			return end + 1
		}
		j = end + 1
	}
}

// SkipSpace returns the index of the first byte at or after i that is not
// JSON whitespace.
func SkipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}
