package aot

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	goruntime "runtime"
	"sync"
)

// chunkMAC authenticates byte strings (a cache entry, an artifact's
// entries) at GMAC speed on every CPU: 8 GB/s per core here against
// SHA-256's 1.7 GB/s, and these MACs are on the path of every cache hit
// and every trusted load (an 11 MB native artifact for a Go action on
// wasmtime). RATIONALE.md, aot: "Chunked GMAC inside an HMAC". For a
// message b with context c (what b is: a cache entry's name, an artifact
// entry's name) and a fresh random 256-bit nonce N:
//
//	k    = HMAC-SHA256(Kg, len(c) ‖ c ‖ N)              one AES-256 key per message
//	t_i  = GMAC(k, nonce = i as 96 bits, chunk_i)        1 MiB chunks, in parallel
//	tag  = HMAC-SHA256(Kh, len(c) ‖ c ‖ len(b) ‖ N ‖ t_0 ‖ … ‖ t_n-1)
//
// with Kg = HMAC-SHA256(key, "wow-chunkmac-gmac\x00" ‖ domain) and
// Kh = HMAC-SHA256(key, "wow-chunkmac-hmac\x00" ‖ domain). Every GMAC key
// is used for one message, and within it every chunk has its own nonce:
// GMAC's nonces are never reused.
type chunkMAC struct {
	gkey, hkey []byte
}

const (
	// chunkMACNonceSize is the random nonce of one message.
	chunkMACNonceSize = 32
	// chunkMACSize is the length of a tag.
	chunkMACSize = sha256.Size
	// macChunk is the size of the chunks MACed in parallel.
	macChunk = 1 << 20
)

// MAC domains: one key serves several purposes only under distinct domains.
const (
	cacheMACDomain    = "wow-cache-entry"
	artifactMACDomain = "wow-artifact-entry"
)

func newChunkMAC(key []byte, domain string) *chunkMAC {
	derive := func(label string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(label + "\x00" + domain))
		return h.Sum(nil)
	}
	return &chunkMAC{gkey: derive("wow-chunkmac-gmac"), hkey: derive("wow-chunkmac-hmac")}
}

// newNonce returns a fresh random nonce.
func newNonce() []byte {
	n := make([]byte, chunkMACNonceSize)
	_, _ = rand.Read(n) // crypto/rand.Read never fails
	return n
}

// message accumulates the chunk tags of one message of a known size; chunk
// may be called from several goroutines, once per chunk index.
type message struct {
	m       *chunkMAC
	gcm     cipher.AEAD
	context []byte
	nonce   []byte
	size    int
	tags    []byte
}

// message starts the MAC of a message of size bytes.
func (m *chunkMAC) message(context string, nonce []byte, size int) *message {
	h := hmac.New(sha256.New, m.gkey)
	h.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(context))))
	h.Write([]byte(context))
	h.Write(nonce)
	block, err := aes.NewCipher(h.Sum(nil))
	if err != nil {
		panic(err) // a 32-byte key is a valid AES key
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		panic(err) // AES has GCM's block size
	}
	n := (size + macChunk - 1) / macChunk
	return &message{m: m, gcm: gcm, context: []byte(context), nonce: nonce, size: size, tags: make([]byte, n*16)}
}

// chunks is the number of chunks of the message.
func (g *message) chunks() int { return len(g.tags) / 16 }

// chunk returns chunk i's extent in the message.
func (g *message) bounds(i int) (from, to int) { return i * macChunk, min(g.size, (i+1)*macChunk) }

// chunk MACs data, the message's chunk i.
func (g *message) chunk(i int, data []byte) {
	var nonce [12]byte
	binary.BigEndian.PutUint64(nonce[4:], uint64(i))
	g.gcm.Seal(g.tags[i*16:i*16], nonce[:], nil, data)
}

// sum returns the tag once every chunk was MACed.
func (g *message) sum() []byte {
	h := hmac.New(sha256.New, g.m.hkey)
	h.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(g.context))))
	h.Write(g.context)
	h.Write(binary.LittleEndian.AppendUint64(nil, uint64(g.size)))
	h.Write(g.nonce)
	h.Write(g.tags)
	return h.Sum(nil)
}

// macJob is one chunk to MAC.
type macJob struct {
	g    *message
	i    int
	data []byte
}

// jobs returns the jobs of every chunk of b, the message's bytes.
func (g *message) jobs(b []byte) []macJob {
	out := make([]macJob, g.chunks())
	for i := range out {
		from, to := g.bounds(i)
		out[i] = macJob{g, i, b[from:to]}
	}
	return out
}

// macWorkers starts n goroutines MACing the chunks sent on jobs until it
// is closed. The returned wait MACs what is left on the calling goroutine,
// then waits for the workers.
func macWorkers(jobs <-chan macJob, n int) (wait func()) {
	run := func() {
		for j := range jobs {
			j.g.chunk(j.i, j.data)
		}
	}
	var wg sync.WaitGroup
	for range n {
		wg.Go(run)
	}
	return func() { run(); wg.Wait() }
}

// serialMAC is the most bytes macAll MACs on the calling goroutine alone:
// GMAC takes ~60 µs for them here, about what waking a goroutine on
// another CPU costs on this VM.
const serialMAC = 512 << 10

// macAll MACs every job, on every CPU when there is enough to share.
func macAll(jobs []macJob) {
	n := 0
	ch := make(chan macJob, len(jobs))
	for _, j := range jobs {
		n += len(j.data)
		ch <- j
	}
	close(ch)
	workers := min(len(jobs), goruntime.GOMAXPROCS(0)) - 1
	if n <= serialMAC {
		workers = 0
	}
	macWorkers(ch, workers)()
}

// tag returns the tag of b under context and nonce.
func (m *chunkMAC) tag(context string, nonce, b []byte) []byte {
	g := m.message(context, nonce, len(b))
	macAll(g.jobs(b))
	return g.sum()
}
