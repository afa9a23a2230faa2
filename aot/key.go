package aot

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
)

// MinKeyBytes is the shortest signing key accepted.
const MinKeyBytes = 16

// ParseKey decodes a key file's contents: hex (optionally followed by a
// newline; 2·MinKeyBytes digits at least), or else the raw bytes as they
// are (at least MinKeyBytes).
func ParseKey(b []byte) ([]byte, error) {
	t := bytes.TrimSpace(b)
	if k, err := hex.DecodeString(string(t)); err == nil && len(k) >= MinKeyBytes {
		return k, nil
	}
	if len(b) < MinKeyBytes {
		return nil, fmt.Errorf("key is %d bytes, want at least %d (raw) or %d hex digits", len(b), MinKeyBytes, 2*MinKeyBytes)
	}
	return bytes.Clone(b), nil
}

// ReadKeyFile reads and parses a key file (see ParseKey).
func ReadKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParseKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// NewKey returns a random 32-byte key.
func NewKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

// WriteKeyFile writes a new random key to path as 64 hex digits and a
// newline, readable by its owner only. It refuses to overwrite a file.
func WriteKeyFile(path string) ([]byte, error) {
	k := NewKey()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	_, err = f.WriteString(hex.EncodeToString(k) + "\n")
	return k, errors.Join(err, f.Close())
}
