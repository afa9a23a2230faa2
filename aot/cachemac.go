package aot

import "crypto/hmac"

// An entry's MAC (the .mac file) is a fresh random nonce and the chunked
// MAC (chunkmac.go) of the native bytes under the directory's key, in the
// cache's domain, with the entry's name as context:
//
//	nonce ‖ tag(key, "wow-cache-entry", name, nonce, native)
//
// The nonce is fresh for every stored entry.
const cacheMACSize = chunkMACNonceSize + chunkMACSize

// cacheMAC authenticates entries under a directory's key.
type cacheMAC struct{ mac *chunkMAC }

func newCacheMAC(key []byte) *cacheMAC {
	return &cacheMAC{newChunkMAC(key, cacheMACDomain)}
}

// sum returns the .mac contents for native stored as name, with a fresh nonce.
func (m *cacheMAC) sum(name string, native []byte) []byte {
	nonce := newNonce()
	return append(nonce, m.mac.tag(name, nonce, native)...)
}

// verify reports whether mac (a .mac file) authenticates native as name.
func (m *cacheMAC) verify(name string, native, mac []byte) bool {
	if len(mac) != cacheMACSize {
		return false
	}
	nonce := mac[:chunkMACNonceSize]
	return hmac.Equal(mac[chunkMACNonceSize:], m.mac.tag(name, nonce, native))
}
