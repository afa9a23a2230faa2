package aot_test

import (
	"crypto/hmac"
	"crypto/sha256"
)

func hmacOf(key, b []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(b)
	return h.Sum(nil)
}
