package aot

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

// referenceTag is chunkmac.go's documented construction, computed serially.
func referenceTag(key []byte, domain, context string, nonce, b []byte) []byte {
	mac := func(k []byte, parts ...[]byte) []byte {
		h := hmac.New(sha256.New, k)
		for _, p := range parts {
			h.Write(p)
		}
		return h.Sum(nil)
	}
	le := func(n int) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(n)) }
	kg := mac(key, []byte("wow-chunkmac-gmac\x00"+domain))
	kh := mac(key, []byte("wow-chunkmac-hmac\x00"+domain))
	block, _ := aes.NewCipher(mac(kg, le(len(context)), []byte(context), nonce))
	gcm, _ := cipher.NewGCM(block)
	var tags []byte
	for i := 0; i*macChunk < len(b); i++ {
		var n [12]byte
		binary.BigEndian.PutUint64(n[4:], uint64(i))
		tags = gcm.Seal(tags, n[:], nil, b[i*macChunk:min(len(b), (i+1)*macChunk)])
	}
	return mac(kh, le(len(context)), []byte(context), le(len(b)), nonce, tags)
}

func TestChunkMAC(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	nonce := bytes.Repeat([]byte{9}, chunkMACNonceSize)
	m := newChunkMAC(key, artifactMACDomain)
	for _, n := range []int{0, 1, macChunk, 3*macChunk + 5} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i * 13)
		}
		require.Equal(t, referenceTag(key, artifactMACDomain, "ctx", nonce, b), m.tag("ctx", nonce, b), "%d bytes", n)
	}

	b := bytes.Repeat([]byte{1}, 2*macChunk+3)
	tag := m.tag("ctx", nonce, b)
	flipped := bytes.Clone(b)
	flipped[2*macChunk+1] ^= 1
	otherNonce := bytes.Clone(nonce)
	otherNonce[31] ^= 1
	for name, other := range map[string][]byte{
		"flipped byte":  m.tag("ctx", nonce, flipped),
		"longer":        m.tag("ctx", nonce, append(bytes.Clone(b), 0)),
		"shorter":       m.tag("ctx", nonce, b[:len(b)-1]),
		"other nonce":   m.tag("ctx", otherNonce, b),
		"other context": m.tag("ctx2", nonce, b),
		"other domain":  newChunkMAC(key, cacheMACDomain).tag("ctx", nonce, b),
		"other key":     newChunkMAC(bytes.Repeat([]byte{8}, 32), artifactMACDomain).tag("ctx", nonce, b),
	} {
		require.NotEqual(t, tag, other, name)
	}
	// Chunks of equal contents get distinct tags (distinct nonces): the
	// tag binds each chunk to its position.
	require.Equal(t, b[:macChunk], b[macChunk:2*macChunk])
	g := m.message("ctx", nonce, len(b))
	macAll(g.jobs(b))
	require.NotEqual(t, g.tags[:16], g.tags[16:32], "equal chunks, distinct tags")
}
